import { resolve } from 'node:path';
import { isOn, validateEnv } from './env.schema';
import { readServiceAccount, ServiceAccount } from './service-account';

/** An S3-compatible bucket for attachments (`S3_*`). */
export interface S3Settings {
  bucket: string;
  region: string;
  /** null: AWS itself; otherwise an S3-compatible server, addressed path-style */
  endpoint: string | null;
  /** null: the AWS SDK's default credential chain (instance role, AWS_* variables, …) */
  credentials: { accessKeyId: string; secretAccessKey: string } | null;
}

/** Push to mobile apps through FCM HTTP v1 (`FCM_*`). */
export interface FcmSettings {
  projectId: string;
  serviceAccount: ServiceAccount;
  /** the FCM API's base URL, without a trailing slash */
  endpoint: string;
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
  /** null: no push through FCM (`fcm` subscriptions are kept, and get nothing) */
  fcm: FcmSettings | null;
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
  /** connections this node opens to the PostgreSQL server (the embedded database has one) */
  readonly databasePoolSize: number;
  /** statements slower than this are logged with their SQL (0: every statement) */
  readonly slowQueryMs: number;
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
    /** every socket event other than `message:send`, per user */
    socketEventsPerMinute: number;
  };
  readonly presenceGraceMs: number;
  /** a node that has not beaten for this long is dead: the reaper drops its sockets */
  readonly presenceNodeTtlMs: number;
  readonly moderation: {
    profanity: 'off' | 'flag' | 'mask' | 'block';
    contact_info: 'off' | 'flag' | 'mask' | 'block';
    /** words the profanity check never finds (MODERATION_ALLOW_WORDS) */
    allowWords: string[];
    /** words and phrases it always finds, as whole words (MODERATION_DENY_WORDS) */
    denyWords: string[];
  };
  readonly attachments: {
    /** local storage, and the spool of uploads in progress with either storage */
    uploadDir: string;
    maxAttachmentBytes: number;
    maxImageBytes: number;
    /** voice messages: bytes and length of one recording */
    maxAudioBytes: number;
    maxAudioSeconds: number;
    /** set when `S3_BUCKET` is: attachments live in the bucket, not under `uploadDir` */
    s3: S3Settings | null;
  };
  readonly notifications: NotificationSettings;
  readonly metricsEnabled: boolean;
  /** null: `/metrics` is open (when enabled) */
  readonly metricsToken: string | null;
  readonly docsEnabled: boolean;
  /** Express's `trust proxy`: a hop count, or addresses, CIDRs and names like `loopback` */
  readonly trustProxy: number | string[];
  /** ensure and print two verified demo users at start (never in production) */
  readonly demoUsers: boolean;
  readonly logLevel: LogLevel;
  readonly retention: RetentionSettings;
  /** outgoing webhooks: whether URLs may be http or reach private, loopback or link-local addresses */
  readonly webhooks: { allowPrivateUrls: boolean };

  constructor(raw: Record<string, string | undefined>) {
    const env = validateEnv(raw);
    this.production = env.NODE_ENV === 'production';
    this.port = env.PORT ?? 3000;
    this.dataDir = resolve(env.DATA_DIR ?? './data');
    this.databaseUrl = env.DATABASE_URL ?? null;
    this.databasePoolSize = env.DATABASE_POOL_SIZE ?? 20;
    this.slowQueryMs = env.SLOW_QUERY_MS ?? 200;
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
      socketEventsPerMinute: env.RATE_LIMIT_SOCKET_EVENTS_PER_MINUTE ?? 600,
    };
    this.presenceGraceMs = env.PRESENCE_GRACE_MS ?? 10_000;
    this.presenceNodeTtlMs = env.PRESENCE_NODE_TTL_MS ?? 15_000;
    this.moderation = {
      profanity: (env.MODERATION_PROFANITY ?? 'mask') as AppConfig['moderation']['profanity'],
      contact_info: (env.MODERATION_CONTACT_INFO ??
        'flag') as AppConfig['moderation']['contact_info'],
      allowWords: wordList(env.MODERATION_ALLOW_WORDS),
      denyWords: wordList(env.MODERATION_DENY_WORDS),
    };
    this.attachments = {
      uploadDir: resolve(env.UPLOAD_DIR ?? './uploads'),
      maxAttachmentBytes: env.MAX_ATTACHMENT_BYTES ?? 10 * 1024 * 1024,
      maxImageBytes: env.MAX_IMAGE_BYTES ?? 5 * 1024 * 1024,
      maxAudioBytes: env.MAX_AUDIO_BYTES ?? 10 * 1024 * 1024,
      maxAudioSeconds: env.MAX_AUDIO_SECONDS ?? 600,
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
      fcm:
        env.FCM_PROJECT_ID && env.FCM_SERVICE_ACCOUNT
          ? {
              projectId: env.FCM_PROJECT_ID,
              serviceAccount: readServiceAccount(env.FCM_SERVICE_ACCOUNT),
              endpoint: (env.FCM_ENDPOINT ?? 'https://fcm.googleapis.com').replace(/\/+$/, ''),
            }
          : null,
    };
    this.metricsEnabled =
      env.METRICS_ENABLED === undefined || ['true', '1'].includes(env.METRICS_ENABLED);
    this.metricsToken = env.METRICS_TOKEN ?? null;
    this.docsEnabled =
      env.DOCS_ENABLED === undefined ? !this.production : ['true', '1'].includes(env.DOCS_ENABLED);
    const trustProxy = (env.TRUST_PROXY ?? 'loopback').trim();
    this.trustProxy = /^\d+$/.test(trustProxy)
      ? Number(trustProxy)
      : trustProxy.split(',').map((entry) => entry.trim());
    this.demoUsers = !this.production && (env.DEMO_USERS === undefined || isOn(env.DEMO_USERS));
    this.logLevel = (env.LOG_LEVEL ?? 'info') as LogLevel;
    this.retention = {
      defaultDays: env.MESSAGE_RETENTION_DAYS ?? null,
      sweepIntervalMs: 10 * 60_000,
      batchSize: 100,
    };
    this.webhooks = { allowPrivateUrls: isOn(env.WEBHOOK_ALLOW_PRIVATE_URLS) };
  }

  get embedded(): boolean {
    return this.databaseUrl === null;
  }
}

/** A comma-separated list of words or phrases, trimmed, empty entries dropped. */
function wordList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((word) => word.trim())
    .filter(Boolean);
}
