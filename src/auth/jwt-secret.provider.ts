import { createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { Provider } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { SecretsService } from '../database/secrets.service';

export const JWT_SECRET = Symbol('JWT_SECRET');

/**
 * `JWT_SECRET` from the environment, or one generated once and shared through the database,
 * as the HMAC key object jsonwebtoken would make from it. Handed a string, jsonwebtoken first
 * tries to parse it as a PEM public key, and that failed attempt cost more than the rest of
 * verifying a token, on every request.
 */
export const JwtSecretProvider: Provider = {
  provide: JWT_SECRET,
  inject: [AppConfig, SecretsService],
  useFactory: async (config: AppConfig, secrets: SecretsService): Promise<KeyObject> =>
    createSecretKey(
      Buffer.from(
        await secrets.resolve('JWT_SECRET', config.jwt.secret, () =>
          randomBytes(48).toString('base64url'),
        ),
      ),
    ),
};

/** jsonwebtoken reads a bare number string as milliseconds; the API means seconds. */
export function jwtExpiresIn(value: string): number | `${number}${'s' | 'm' | 'h' | 'd'}` {
  return /^\d+$/.test(value) ? Number(value) : (value as `${number}${'s' | 'm' | 'h' | 'd'}`);
}
