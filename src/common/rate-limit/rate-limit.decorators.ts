import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiErrors } from '../openapi/api-errors.decorator';

export const AUTH_RATE_LIMIT = 'rateLimit:auth';

/** Counts the route against `RATE_LIMIT_AUTH_PER_MINUTE` per client IP. */
export const AuthRateLimit = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(AUTH_RATE_LIMIT, true), ApiErrors('RATE_LIMITED'));
