import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsUUID,
  registerDecorator,
  ValidateIf,
  ValidationArguments,
} from 'class-validator';

/**
 * Optional, but never null: an absent field is skipped, an explicit null is validated (and
 * refused by the field's other rules). Use `@IsOptional()` only where null is meaningful.
 */
export const Optional = (): PropertyDecorator => ValidateIf((_, value) => value !== undefined);

/**
 * Length in Unicode code points, the way PostgreSQL's char_length counts, so that what passes
 * here also fits the database's checks (validator.js does not count variation selectors).
 */
export function CharLength(min: number, max: number): PropertyDecorator {
  return applyDecorators((target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'charLength',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [min, max],
      options: {
        message: (args: ValidationArguments) =>
          min === 0
            ? `${args.property} must be at most ${max} characters`
            : `${args.property} must be ${min}..${max} characters`,
      },
      validator: {
        validate(value: unknown): boolean {
          if (typeof value !== 'string') return false;
          const length = [...value].length;
          return length >= min && length <= max;
        },
      },
    }),
  );
}

/** A query parameter holding comma-separated UUIDs (`?userIds=a,b`): 1..`max` of them. */
export function CommaSeparatedUuids(max: number): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : value,
    ),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(max),
    IsUUID('all', { each: true }),
  );
}
