import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
  validateSync,
  ValidateBy,
  ValidateIf,
  type ValidationArguments,
} from 'class-validator';
import { readServiceAccount } from './service-account';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

const isProduction = (env: EnvSchema): boolean => env.NODE_ENV === 'production';

/** A boolean variable's value that turns it on. */
export const isOn = (value: unknown): boolean => value === 'true' || value === '1';

const SENSITIVE = new Set<string>();

/** Marks a variable whose value is a secret: never logged, never repeated in an error. */
const Sensitive = (): PropertyDecorator => (_target, property) => {
  SENSITIVE.add(String(property));
};

/** The variables marked `@Sensitive()`. */
export const isSensitiveVariable = (name: string): boolean => SENSITIVE.has(name);

const MiB = 1024 * 1024;

/** `*` anywhere in the list lets every origin in. */
const anyOrigin = (origins: string | undefined): boolean =>
  origins !== undefined && origins.split(',').some((o) => o.trim() === '*');

/** `loopback`, a hop count, or a list of IPv4/IPv6 addresses and CIDRs (and Express's names). */
const TRUST_PROXY =
  /^\s*(\d{1,3}|((loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(\/\d{1,3})?)\s*(,\s*(loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(\/\d{1,3})?)\s*)*))\s*$/;
const S3_SETTINGS = [
  'S3_ENDPOINT',
  'S3_REGION',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
] as const;
const usesS3 = (env: EnvSchema): boolean =>
  env.S3_BUCKET !== undefined || S3_SETTINGS.some((name) => env[name] !== undefined);
const hasS3Keys = (env: EnvSchema): boolean =>
  env.S3_ACCESS_KEY_ID !== undefined || env.S3_SECRET_ACCESS_KEY !== undefined;

/** Comma-separated words or phrases of letters, digits, spaces, apostrophes and hyphens. */
const WORD_LIST = /^[\p{L}\p{M}\p{N}' -]*(?:,[\p{L}\p{M}\p{N}' -]*)*$/u;
const WORD_LIST_RULE =
  'must be comma-separated words or phrases (letters, digits, spaces, apostrophes, hyphens)';

const needsVapidKeys = (env: EnvSchema): boolean =>
  isProduction(env) || env.VAPID_PUBLIC_KEY !== undefined || env.VAPID_PRIVATE_KEY !== undefined;

const usesFcm = (env: EnvSchema): boolean =>
  env.FCM_PROJECT_ID !== undefined || env.FCM_SERVICE_ACCOUNT !== undefined;

/** A service account key that `readServiceAccount` accepts; the message says what is wrong. */
const IsServiceAccount = (): PropertyDecorator => (target, property) =>
  registerDecorator({
    name: 'isServiceAccount',
    target: target.constructor,
    propertyName: String(property),
    validator: {
      validate(value: unknown): boolean {
        if (typeof value !== 'string') return false;
        try {
          readServiceAccount(value);
          return true;
        } catch {
          return false;
        }
      },
      defaultMessage(args): string {
        try {
          readServiceAccount(String(args?.value));
          return `${String(property)} is invalid`;
        } catch (err) {
          return `${String(property)}: ${(err as Error).message}`;
        }
      },
    },
  });

/** Every environment variable the service reads. Unknown variables are ignored. */
export class EnvSchema {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  @IsOptional()
  @IsString()
  DATA_DIR?: string;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500)
  DATABASE_POOL_SIZE?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  SLOW_QUERY_MS?: number;

  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @ValidateIf((env: EnvSchema) => isProduction(env) || env.JWT_SECRET !== undefined)
  @IsString({ message: 'JWT_SECRET is required when NODE_ENV=production' })
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  @ValidateIf((env: EnvSchema) => isProduction(env) || env.ENCRYPTION_KEYS !== undefined)
  @IsString({ message: 'ENCRYPTION_KEYS is required when NODE_ENV=production' })
  @Matches(
    /^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=]{43,44}(,[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=]{43,44})*$/,
    {
      message: 'ENCRYPTION_KEYS must be id:base64key[,id:base64key…] with 32-byte keys',
    },
  )
  ENCRYPTION_KEYS?: string;

  @IsOptional()
  @Matches(/^\d+[smhd]?$/, { message: 'JWT_EXPIRES_IN must look like 3600, 15m, 1h or 1d' })
  JWT_EXPIRES_IN?: string;

  @IsOptional()
  @Matches(/^[^@\s]+@[^@\s]+$/, { message: 'ADMIN_EMAIL must be an email address' })
  ADMIN_EMAIL?: string;

  @ValidateIf((env: EnvSchema) => env.ADMIN_EMAIL !== undefined)
  @IsString({ message: 'ADMIN_PASSWORD is required with ADMIN_EMAIL' })
  @MinLength(8)
  @MaxLength(128)
  ADMIN_PASSWORD?: string;

  @ValidateIf((env: EnvSchema) => isProduction(env) || env.CORS_ORIGINS !== undefined)
  @IsString({ message: 'CORS_ORIGINS is required when NODE_ENV=production' })
  @ValidateBy({
    name: 'notAnyOriginInProduction',
    validator: {
      validate: (value: unknown, args) =>
        !(isProduction(args?.object as EnvSchema) && anyOrigin(value as string)),
      defaultMessage: () =>
        'CORS_ORIGINS=* is refused when NODE_ENV=production: list the allowed origins, comma-separated',
    },
  })
  CORS_ORIGINS?: string;

  @IsOptional()
  @Matches(TRUST_PROXY, {
    message: 'TRUST_PROXY must be loopback, a hop count, or comma-separated IP addresses/CIDRs',
  })
  TRUST_PROXY?: string;

  @IsOptional()
  @IsIn(['true', 'false', '1', '0'], { message: 'DOCS_ENABLED must be true or false' })
  DOCS_ENABLED?: string;

  @Sensitive()
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_AUTH_PER_MINUTE?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_REQUESTS_PER_MINUTE?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_MESSAGES_PER_MINUTE?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_SOCKET_EVENTS_PER_MINUTE?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  PRESENCE_GRACE_MS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  PRESENCE_NODE_TTL_MS?: number;

  @IsOptional()
  @IsIn(['off', 'flag', 'mask', 'block'])
  MODERATION_PROFANITY?: string;

  @IsOptional()
  @IsIn(['off', 'flag', 'mask', 'block'])
  MODERATION_CONTACT_INFO?: string;

  @IsOptional()
  @MaxLength(20_000)
  @Matches(WORD_LIST, { message: `MODERATION_ALLOW_WORDS ${WORD_LIST_RULE}` })
  MODERATION_ALLOW_WORDS?: string;

  @IsOptional()
  @MaxLength(20_000)
  @Matches(WORD_LIST, { message: `MODERATION_DENY_WORDS ${WORD_LIST_RULE}` })
  MODERATION_DENY_WORDS?: string;

  @IsOptional()
  @IsString()
  UPLOAD_DIR?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1024 * MiB)
  MAX_ATTACHMENT_BYTES?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1024 * MiB)
  MAX_IMAGE_BYTES?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1024 * MiB)
  MAX_AUDIO_BYTES?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24 * 60 * 60)
  MAX_AUDIO_SECONDS?: number;

  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, {
    message: 'S3_ENDPOINT must be an http:// or https:// URL',
  })
  S3_ENDPOINT?: string;

  @ValidateIf(usesS3)
  @IsString({ message: 'S3_BUCKET is required with the other S3_* variables' })
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'S3_BUCKET must be a bucket name' })
  S3_BUCKET?: string;

  @IsOptional()
  @Matches(/^[a-z0-9-]{1,32}$/, { message: 'S3_REGION must look like us-east-1' })
  S3_REGION?: string;

  @Sensitive()
  @ValidateIf(hasS3Keys)
  @IsString({ message: 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are set together' })
  S3_ACCESS_KEY_ID?: string;

  @Sensitive()
  @ValidateIf(hasS3Keys)
  @IsString({ message: 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are set together' })
  S3_SECRET_ACCESS_KEY?: string;

  /** may carry the SMTP password */
  @Sensitive()
  @IsOptional()
  @Matches(/^smtps?:\/\/\S+$/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @ValidateIf(
    (env: EnvSchema) =>
      (isProduction(env) && env.SMTP_URL !== undefined) || env.MAIL_FROM !== undefined,
  )
  @IsString({ message: 'MAIL_FROM is required with SMTP_URL when NODE_ENV=production' })
  @Matches(/^[^\r\n]*[^@\s<]+@[^@\s>]+[^\r\n]*$/, {
    message: 'MAIL_FROM must be an address, optionally with a name: Chat <no-reply@example.com>',
  })
  MAIL_FROM?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(24 * 60 * 60 * 1000)
  EMAIL_BATCH_WINDOW_MS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(60 * 60 * 1000)
  NOTIFICATION_RETRY_DELAY_MS?: number;

  @ValidateIf(needsVapidKeys)
  @IsString({
    message: 'VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY are set together (required in production)',
  })
  @Matches(/^[A-Za-z0-9_-]{87}$/, {
    message: 'VAPID_PUBLIC_KEY must be a URL-safe base64 P-256 public key',
  })
  VAPID_PUBLIC_KEY?: string;

  @Sensitive()
  @ValidateIf(needsVapidKeys)
  @IsString({
    message: 'VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY are set together (required in production)',
  })
  @Matches(/^[A-Za-z0-9_-]{43}$/, {
    message: 'VAPID_PRIVATE_KEY must be a URL-safe base64 P-256 private key',
  })
  VAPID_PRIVATE_KEY?: string;

  @ValidateIf((env: EnvSchema) => isProduction(env) || env.VAPID_SUBJECT !== undefined)
  @IsString({ message: 'VAPID_SUBJECT is required when NODE_ENV=production' })
  @Matches(/^(mailto:\S+@\S+|https:\/\/\S+)$/, {
    message: 'VAPID_SUBJECT must be a mailto: or https:// URL',
  })
  VAPID_SUBJECT?: string;

  @ValidateIf(usesFcm)
  @IsString({ message: 'FCM_PROJECT_ID and FCM_SERVICE_ACCOUNT are set together' })
  @Matches(/^[a-z0-9][a-z0-9.:-]{0,99}$/, {
    message: 'FCM_PROJECT_ID must be a Firebase project id, like my-app-1234',
  })
  FCM_PROJECT_ID?: string;

  /** the service account JSON key (or a path to it): holds a private key */
  @Sensitive()
  @ValidateIf(usesFcm)
  @IsString({ message: 'FCM_PROJECT_ID and FCM_SERVICE_ACCOUNT are set together' })
  @IsServiceAccount()
  FCM_SERVICE_ACCOUNT?: string;

  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, {
    message: 'FCM_ENDPOINT must be an http:// or https:// URL',
  })
  FCM_ENDPOINT?: string;

  @IsOptional()
  @IsIn(['true', 'false', '1', '0'], { message: 'METRICS_ENABLED must be true or false' })
  METRICS_ENABLED?: string;

  /** the two demo accounts are for trying the service: refused in production */
  @IsOptional()
  @IsIn(['true', 'false', '1', '0'], { message: 'DEMO_USERS must be true or false' })
  @ValidateBy({
    name: 'offInProduction',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        !isProduction(args?.object as EnvSchema) || !isOn(value),
      defaultMessage: () => 'DEMO_USERS cannot be true when NODE_ENV=production',
    },
  })
  DEMO_USERS?: string;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;

  /** webhooks may target http and private, loopback or link-local addresses (tests, intranets) */
  @IsOptional()
  @IsIn(['true', 'false', '1', '0'], {
    message: 'WEBHOOK_ALLOW_PRIVATE_URLS must be true or false',
  })
  WEBHOOK_ALLOW_PRIVATE_URLS?: string;

  /** default retention of messages in days; unset: kept forever */
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'MESSAGE_RETENTION_DAYS must be a whole number of days (1..3650)' })
  @Min(1)
  @Max(3650)
  MESSAGE_RETENTION_DAYS?: number;
}

export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidEnvironmentError';
  }
}

/** Validates the raw environment and lists every bad variable at once. */
export function validateEnv(raw: Record<string, string | undefined>): EnvSchema {
  const present = Object.fromEntries(
    Object.entries(raw).filter(([, value]) => value !== undefined && value !== ''),
  );
  const env = plainToInstance(EnvSchema, present);
  const errors = validateSync(env, { skipMissingProperties: false });
  if (errors.length > 0) {
    throw new InvalidEnvironmentError(
      errors.map((e) => {
        const problem = `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`;
        const value = present[e.property];
        return isSensitiveVariable(e.property) && value
          ? problem.split(value).join('***')
          : problem;
      }),
    );
  }
  return env;
}
