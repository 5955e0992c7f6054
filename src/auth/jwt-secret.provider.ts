import { randomBytes } from 'node:crypto';
import { Provider } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { SecretsService } from '../database/secrets.service';

export const JWT_SECRET = Symbol('JWT_SECRET');

/** `JWT_SECRET` from the environment, or one generated once and shared through the database. */
export const JwtSecretProvider: Provider = {
  provide: JWT_SECRET,
  inject: [AppConfig, SecretsService],
  useFactory: (config: AppConfig, secrets: SecretsService): Promise<string> =>
    secrets.resolve('JWT_SECRET', config.jwt.secret, () => randomBytes(48).toString('base64url')),
};

/** jsonwebtoken reads a bare number string as milliseconds; the API means seconds. */
export function jwtExpiresIn(value: string): number | `${number}${'s' | 'm' | 'h' | 'd'}` {
  return /^\d+$/.test(value) ? Number(value) : (value as `${number}${'s' | 'm' | 'h' | 'd'}`);
}
