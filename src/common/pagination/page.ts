import { applyDecorators, Type as ClassType } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AppError } from '../errors/app-error';

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const DEFAULT_LIMIT = 50;

type CursorField = 'uuid' | 'int' | 'string';

const FIELD_CHECKS: Record<CursorField, (v: unknown) => boolean> = {
  uuid: (v) =>
    typeof v === 'string' &&
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  int: (v) =>
    (typeof v === 'string' && /^\d{1,19}$/.test(v)) ||
    (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0),
  string: (v) => typeof v === 'string' && v.length <= 400,
};

/** Opaque keyset cursors: base64url JSON that the client passes back untouched. */
export const Cursor = {
  encode(position: Record<string, unknown>): string {
    return Buffer.from(JSON.stringify(position)).toString('base64url');
  },
  /** Decodes and checks every field's type, so a forged cursor is a 400, never a query error. */
  decode<K extends string>(cursor: string, shape: Record<K, CursorField>): Record<K, string> {
    try {
      const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      const fields = Object.entries(shape) as [K, CursorField][];
      if (
        value &&
        typeof value === 'object' &&
        fields.every(([k, type]) => FIELD_CHECKS[type](value[k]))
      ) {
        return Object.fromEntries(fields.map(([k]) => [k, String(value[k])])) as Record<K, string>;
      }
    } catch {
      // falls through to the validation error below
    }
    throw AppError.validation({ cursor: ['cursor is not valid'] });
  },
};

/** Builds a page from `limit + 1` rows: the extra row only tells that there is a next page. */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
  cursorOf: (row: R) => Record<string, unknown>,
): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  return {
    items: pageRows.map(map),
    nextCursor: hasMore ? Cursor.encode(cursorOf(pageRows[pageRows.length - 1])) : null,
  };
}

/** OpenAPI for `{ items: T[], nextCursor }`. */
export function ApiPage(model: ClassType<unknown>): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(model),
    ApiOkResponse({
      schema: {
        type: 'object',
        required: ['items', 'nextCursor'],
        properties: {
          items: { type: 'array', items: { $ref: getSchemaPath(model) } },
          nextCursor: { type: 'string', nullable: true },
        },
      },
    }),
  );
}
