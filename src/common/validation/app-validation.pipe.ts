import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError } from '../errors/app-error';

/** Flattens class-validator errors into `{ "field.path": ["message", …] }`. */
export function validationDetails(
  errors: ValidationError[],
  parent = '',
): Record<string, string[]> {
  const details: Record<string, string[]> = {};
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) details[path] = Object.values(error.constraints);
    Object.assign(details, validationDetails(error.children ?? [], path));
  }
  return details;
}

/** Names every object answers (toString, constructor, __proto__…): the whitelist cannot see them. */
const PROTOTYPE_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/**
 * Trims every string; a string holding a NUL character (which PostgreSQL text cannot store) is
 * refused, naming its field, and so is a field named like a prototype property.
 */
function trimStrings(value: unknown, path = ''): unknown {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) {
      throw AppError.validation({ [path || 'body']: ['must not contain NUL characters'] });
    }
    return value.trim();
  }
  if (Array.isArray(value)) return value.map((v, i) => trimStrings(v, `${path}[${i}]`));
  const proto: unknown =
    value && typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  // plain objects, and Express 5's prototype-less query objects
  if (value && typeof value === 'object' && (proto === Object.prototype || proto === null)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        const at = path ? `${path}.${k}` : k;
        // the whitelist does not see these (every class has them): refuse them here
        if (PROTOTYPE_KEYS.has(k))
          throw AppError.validation({ [at]: [`property ${k} should not exist`] });
        return [k, trimStrings(v, at)];
      }),
    );
  }
  return value;
}

/**
 * The one validation pipe, for REST and Socket.IO payloads alike: trims strings, rejects
 * unknown fields, converts types, and answers `400 VALIDATION_FAILED` naming each bad field.
 */
@Injectable()
export class AppValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      validateCustomDecorators: false,
      exceptionFactory: (errors) => AppError.validation(validationDetails(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Untyped parameters (socket payloads, validated by the gateway with their DTO) pass through.
    if (!metadata.metatype || metadata.metatype === Object) return value;
    if (metadata.type === 'body' || metadata.type === 'query') {
      if (metadata.type === 'body' && (value === undefined || value === null)) value = {};
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw AppError.validation({ body: ['the body must be a JSON object'] });
      }
      value = trimStrings(value);
    }
    return super.transform(value, metadata);
  }
}
