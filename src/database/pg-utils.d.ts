/** node-postgres' own conversion of a parameter value to the text it sends (untyped upstream). */
declare module 'pg/lib/utils' {
  export function prepareValue(value: unknown): string | Buffer | null;
}
