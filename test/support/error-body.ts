import type { Response } from 'supertest';

/** The stable machine codes of API.md's "Error codes" list, copied from the contract on purpose. */
export const API_ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNAUTHORIZED',
  'INVALID_CREDENTIALS',
  'USER_NOT_VERIFIED',
  'USER_SUSPENDED',
  'MESSAGES_NOT_ALLOWED',
  'BLOCKED',
  'NOT_GROUP_ADMIN',
  'NOT_MESSAGE_SENDER',
  'FILE_SHARING_DISABLED',
  'FORBIDDEN',
  'NOT_FOUND',
  'EMAIL_TAKEN',
  'FILE_TOO_LARGE',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_FILE_TYPE',
  'GROUP_FULL',
  'INVALID_PARTICIPANT',
  'INVALID_REPLY',
  'INVALID_ATTACHMENT',
  'CONTENT_BLOCKED',
  'RATE_LIMITED',
  'NOT_SCHEDULED',
  'TOO_MANY_SCHEDULED',
  'INTERNAL',
  'UNAVAILABLE',
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** Letters of the Arabic block; an Arabic `message` has some, an English one has none. */
export const ARABIC_LETTER = /[\u0621-\u064A]/;

/**
 * Asserts that `res` is an error in the API's one error shape:
 * `{ statusCode, code, message, details? }`, with `statusCode` equal to the HTTP status and
 * `code` taken from the contract's list.
 */
export function expectErrorBody(res: Response, status: number, code?: ApiErrorCode): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.body as Record<string, unknown>;
  expect(body).toEqual({
    statusCode: status,
    code: code ?? expect.any(String),
    message: expect.any(String),
    ...('details' in body ? { details: expect.any(Object) } : {}),
  });
  expect(API_ERROR_CODES).toContain(body.code);
  expect((body.message as string).length).toBeGreaterThan(0);
}

/** Asserts a `400 VALIDATION_FAILED` whose `details` name exactly `fields` (and nothing else). */
export function expectValidationError(res: Response, fields: string[]): void {
  expectErrorBody(res, 400, 'VALIDATION_FAILED');
  expect(Object.keys((res.body as { details?: object }).details ?? {}).sort()).toEqual(
    [...fields].sort(),
  );
}
