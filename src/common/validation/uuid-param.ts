import { Param, ParseUUIDPipe } from '@nestjs/common';
import { AppError } from '../errors/app-error';

/** A path parameter that must be a UUID; anything else is `400 VALIDATION_FAILED`. */
export const UuidParam = (name: string): ParameterDecorator =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () => AppError.validation({ [name]: [`${name} must be a UUID`] }),
    }),
  );
