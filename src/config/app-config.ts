import { resolve } from 'node:path';
import { validateEnv } from './env.schema';

/** An S3-compatible bucket for attachments (`S3_*`). */
export interface S3Settings {
  bucket: string;
  region: string;
  /** null: AWS itself; otherwise an S3-compatible server, addressed path-style */
  endpoint: string | null;
  /** null: the AWS SDK's default credential chain (instance role, AWS_* variables, …) */
  credentials: { accessKeyId: string; secretAccessKey: string } | null;
}

/** Email and Web Push notifications (`SMTP_URL`, `MAIL_FROM`, `EMAIL_BATCH_WINDOW_MS`, `VAPID_*`). */
export interface NotificationSettings {
  /** null: no email notifications */
  smtpUrl: string | null;
  mailFrom: string;
  /** messages of one conversation within this window make one email */
  emailBatchWindowMs: number;
  /** first retry delay of a failed email or push job; doubles with each attempt */
  retryDelayMs: number;
  /** null keys: generated once and kept with the data (refused in production) */
  vapid: { publicKey: string | null; privateKey: string | null; subject: string };
}

/** Retention of messages (`MESSAGE_RETENTION_DAYS`) and how the sweep runs. */
export interface RetentionSettings {
  /** for conversations whose retentionDays is null; null: kept forever */
  defaultDays: number | null;
  /** how often each node sweeps; expired messages go within this (well under an hour) */
  sweepIntervalMs: number;
  /** messages tombstoned per transaction: the conversation row is locked only that long */
  batchSize: number;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * The typed, validated configuration. Built once from the environment at boot; the only place
 * that reads `process.env` is `ConfigModule`.
 */
export class AppConfig {
  readonly production: boolean;
  readonly port: number;
  readonly dataDir: string;
  readonly databaseUrl: string | null;
  readonly redisUrl: string | null;
  readonly jwt: { secret: string | null; expiresIn: string };
  /** `id:base64key,…`, the first is current; null: generated once (not in production) */
  readonly encryptionKeys: string | null;
  readonly admin: { email: string; password: string } | null;
  readonly corsOrigins: string[] | '*';
  readonly rateLimits: {
    authPerMinute: number;
    requestsPerMinute: number;
    messagesPerMinute: number;
  };
  readonly presenceGraceMs: number;
  /** a node that has not beaten for this long is dead: the reaper drops its sockets */
  readonly presenceNodeTtlMs: number;
  readonly moderation: {
    profanity: 'off' | 'flag' | 'mask' | 'block';
    contact_info: 'off' | 'flag' | 'mask' | 'block';
  };
  readonly attachments: {
    /** local storage, and the spool of uploads in progress with either storage */
    uploadDir: string;
    maxAttachmentBytes: number;
    maxImageBytes: number;
    /** set when `S3_BUCKET` is: attachments live in the bucket, not under `uploadDir` */
    s3: S3Settings | null;
  };
  readonly notifications: NotificationSettings;
  readonly metricsEnabled: boolean;
  readonly logLevel: LogLevel;
  readonly retention: RetentionSettings;

  constructor(raw: Record<string, string | undefined>) {
    const env = validateEnv(raw);
    this.production = env.NODE_ENV === 'production';
    this.port = env.PORT ?? 3000;
    this.dataDir = resolve(env.DATA_DIR ?? './data');
    this.databaseUrl = env.DATABASE_URL ?? null;
    this.redisUrl = env.REDIS_URL ?? null;
    this.jwt = { secret: env.JWT_SECRET ?? null, expiresIn: env.JWT_EXPIRES_IN ?? '1h' };
    this.encryptionKeys = env.ENCRYPTION_KEYS ?? null;
    this.admin =
      env.ADMIN_EMAIL && env.ADMIN_PASSWORD
        ? { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD }
        : null;
    this.corsOrigins =
      env.CORS_ORIGINS === undefined || env.CORS_ORIGINS.trim() === '*'
        ? '*'
        : env.CORS_ORIGINS.split(',')
            .map((o) => o.trim())
            .filter(Boolean);
    this.rateLimits = {
      authPerMinute: env.RATE_LIMIT_AUTH_PER_MINUTE ?? 20,
      requestsPerMinute: env.RATE_LIMIT_REQUESTS_PER_MINUTE ?? 600,
      messagesPerMinute: env.RATE_LIMIT_MESSAGES_PER_MINUTE ?? 120,
    };
    this.presenceGraceMs = env.PRESENCE_GRACE_MS ?? 10_000;
    this.presenceNodeTtlMs = env.PRESENCE_NODE_TTL_MS ?? 15_000;
    this.moderation = {
      profanity: (env.MODERATION_PROFANITY ?? 'mask') as AppConfig['moderation']['profanity'],
      contact_info: (env.MODERATION_CONTACT_INFO ??
        'flag') as AppConfig['moderation']['contact_info'],
    };
    this.attachments = {
      uploadDir: resolve(env.UPLOAD_DIR ?? './uploads'),
      maxAttachmentBytes: env.MAX_ATTACHMENT_BYTES ?? 10 * 1024 * 1024,
      maxImageBytes: env.MAX_IMAGE_BYTES ?? 5 * 1024 * 1024,
      s3: env.S3_BUCKET
        ? {
            bucket: env.S3_BUCKET,
            region: env.S3_REGION ?? 'us-east-1',
            endpoint: env.S3_ENDPOINT ?? null,
            credentials:
              env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
                ? {
                    accessKeyId: env.S3_ACCESS_KEY_ID,
                    secretAccessKey: env.S3_SECRET_ACCESS_KEY,
                  }
                : null,
          }
        : null,
    };
    this.notifications = {
      smtpUrl: env.SMTP_URL ?? null,
      mailFrom: env.MAIL_FROM ?? 'Messaging <no-reply@localhost>',
      emailBatchWindowMs: env.EMAIL_BATCH_WINDOW_MS ?? 120_000,
      retryDelayMs: env.NOTIFICATION_RETRY_DELAY_MS ?? 10_000,
      vapid: {
        publicKey: env.VAPID_PUBLIC_KEY ?? null,
        privateKey: env.VAPID_PRIVATE_KEY ?? null,
        subject: env.VAPID_SUBJECT ?? 'mailto:no-reply@localhost',
      },
    };
    this.metricsEnabled =
      env.METRICS_ENABLED === undefined || ['true', '1'].includes(env.METRICS_ENABLED);
    this.logLevel = (env.LOG_LEVEL ?? 'info') as LogLevel;
    this.retention = {
      defaultDays: env.MESSAGE_RETENTION_DAYS ?? null,
      sweepIntervalMs: 10 * 60_000,
      batchSize: 100,
    };
  }

  get embedded(): boolean {
    return this.databaseUrl === null;
  }
}
