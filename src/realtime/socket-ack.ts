import { Type } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { AllExceptionsFilter } from '../common/errors/all-exceptions.filter';
import { ErrorBody } from '../common/errors/error-body';
import { AppValidationPipe } from '../common/validation/app-validation.pipe';

export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

const pipe = new AppValidationPipe();
const errors = new AllExceptionsFilter();

/** The ack of an event refused before its payload was read (over budget, an outage). */
export function refusal(user: AuthUser, err: unknown): Ack<never> {
  return { ok: false, error: errors.toBody(err, undefined, user.locale) };
}

/** A hot event's own check of its everyday payloads: the DTO, or null to ask the pipe. */
export type QuickCheck<D> = (payload: unknown) => D | null;

/**
 * Runs one client→server event: validates the payload with the same DTO class and pipe as
 * REST (or the event's quick check, for payloads it accepts), calls the service, and answers
 * `{ok, data}` or `{ok: false, error}` in the user's locale.
 */
export async function ack<D, T>(
  user: AuthUser,
  dto: Type<D>,
  payload: unknown,
  run: (input: D) => Promise<T>,
  quick?: QuickCheck<D>,
): Promise<Ack<T>> {
  try {
    const input =
      quick?.(payload) ?? ((await pipe.transform(payload, { type: 'body', metatype: dto })) as D);
    return { ok: true, data: await run(input) };
  } catch (err) {
    return { ok: false, error: errors.toBody(err, undefined, user.locale) };
  }
}
