import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AppConfig } from './app-config';
import { InvalidEnvironmentError, validateEnv } from './env.schema';

const PRODUCTION_OK = {
  NODE_ENV: 'production',
  JWT_SECRET: 's'.repeat(32),
  CORS_ORIGINS: 'https://app.example.com',
  VAPID_PUBLIC_KEY: 'B'.repeat(87),
  VAPID_PRIVATE_KEY: 'p'.repeat(43),
  VAPID_SUBJECT: 'mailto:ops@example.com',
  ENCRYPTION_KEYS: `k1:${'A'.repeat(43)}=`,
};

const PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 1024 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const SERVICE_ACCOUNT = JSON.stringify({
  type: 'service_account',
  private_key_id: 'k1',
  private_key: PRIVATE_KEY,
  client_email: 'push@my-app-1234.iam.gserviceaccount.com',
});

/** The error `validateEnv` throws for `raw`; fails the test when it does not throw one. */
function invalid(raw: Record<string, string | undefined>): InvalidEnvironmentError {
  try {
    validateEnv(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidEnvironmentError);
    return err as InvalidEnvironmentError;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

/** The variable names an error lists, one per problem. */
const variables = (err: InvalidEnvironmentError): string[] =>
  err.problems.map((p) => p.split(':')[0]).sort();

describe('validateEnv', () => {
  it.each(['abc', '70000', '-1', '80.5', '3000abc'])('refuses PORT=%s', (port) => {
    expect(variables(invalid({ PORT: port }))).toEqual(['PORT']);
  });

  it.each(['0', '3000', '65535', ' 8080 '])('accepts PORT=%s as a number', (port) => {
    expect(validateEnv({ PORT: port }).PORT).toBe(Number(port));
  });

  it.each(['mysql://db/app', 'localhost:5432', 'not a url'])('refuses DATABASE_URL=%s', (url) => {
    expect(variables(invalid({ DATABASE_URL: url }))).toEqual(['DATABASE_URL']);
  });

  it('accepts postgres:// and postgresql:// DATABASE_URLs', () => {
    for (const url of ['postgres://u@h:5432/db', 'postgresql://u:p@h/db']) {
      expect(validateEnv({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
    }
  });

  it('requires every secret and CORS_ORIGINS when NODE_ENV=production, naming each', () => {
    expect(variables(invalid({ NODE_ENV: 'production' }))).toEqual([
      'CORS_ORIGINS',
      'ENCRYPTION_KEYS',
      'JWT_SECRET',
      'VAPID_PRIVATE_KEY',
      'VAPID_PUBLIC_KEY',
      'VAPID_SUBJECT',
    ]);
  });

  it.each(['*', 'https://app.example.com, *'])(
    'refuses CORS_ORIGINS=%s in production with a clear message',
    (origins) => {
      const err = invalid({ ...PRODUCTION_OK, CORS_ORIGINS: origins });
      expect(variables(err)).toEqual(['CORS_ORIGINS']);
      expect(err.message).toContain('CORS_ORIGINS=* is refused when NODE_ENV=production');
    },
  );

  it('accepts CORS_ORIGINS=* outside production', () => {
    expect(validateEnv({ CORS_ORIGINS: '*' }).CORS_ORIGINS).toBe('*');
  });

  it.each(['proxy.example.com', '-1', '10.0.0.0/8;1.2.3.4', 'true'])(
    'refuses TRUST_PROXY=%s',
    (value) => {
      expect(variables(invalid({ TRUST_PROXY: value }))).toEqual(['TRUST_PROXY']);
    },
  );

  it('refuses a bad DOCS_ENABLED, a short METRICS_TOKEN without repeating it, and a socket limit below 1', () => {
    const err = invalid({
      DOCS_ENABLED: 'yes',
      METRICS_TOKEN: 'short-secret',
      RATE_LIMIT_SOCKET_EVENTS_PER_MINUTE: '0',
    });
    expect(variables(err)).toEqual([
      'DOCS_ENABLED',
      'METRICS_TOKEN',
      'RATE_LIMIT_SOCKET_EVENTS_PER_MINUTE',
    ]);
    expect(err.message).not.toContain('short-secret');
  });

  it('lists every bad variable in one error', () => {
    const err = invalid({
      NODE_ENV: 'production',
      PORT: 'abc',
      DATABASE_URL: 'mysql://db/app',
      LOG_LEVEL: 'loud',
    });
    expect(variables(err)).toEqual([
      'CORS_ORIGINS',
      'DATABASE_URL',
      'ENCRYPTION_KEYS',
      'JWT_SECRET',
      'LOG_LEVEL',
      'PORT',
      'VAPID_PRIVATE_KEY',
      'VAPID_PUBLIC_KEY',
      'VAPID_SUBJECT',
    ]);
    for (const name of ['CORS_ORIGINS', 'DATABASE_URL', 'JWT_SECRET', 'LOG_LEVEL', 'PORT']) {
      expect(err.message).toContain(name);
    }
  });

  it('accepts a production environment with JWT_SECRET and CORS_ORIGINS', () => {
    expect(() => validateEnv(PRODUCTION_OK)).not.toThrow();
  });

  it('refuses a JWT_SECRET shorter than 32 characters, in any environment', () => {
    expect(variables(invalid({ ...PRODUCTION_OK, JWT_SECRET: 'short' }))).toEqual(['JWT_SECRET']);
    expect(variables(invalid({ JWT_SECRET: 'short' }))).toEqual(['JWT_SECRET']);
  });

  it('never repeats a secret’s value in the error', () => {
    const err = invalid({
      JWT_SECRET: 'too-short-secret',
      ADMIN_EMAIL: 'a@b.c',
      ADMIN_PASSWORD: 'pw',
    });
    expect(variables(err)).toEqual(['ADMIN_PASSWORD', 'JWT_SECRET']);
    expect(err.message).not.toContain('too-short-secret');
    expect(err.message).not.toMatch(/\bpw\b/);
  });

  it('requires ADMIN_PASSWORD with ADMIN_EMAIL', () => {
    expect(variables(invalid({ ADMIN_EMAIL: 'admin@example.com' }))).toEqual(['ADMIN_PASSWORD']);
  });

  it('refuses rate limits below 1', () => {
    expect(
      variables(
        invalid({
          RATE_LIMIT_AUTH_PER_MINUTE: '0',
          RATE_LIMIT_REQUESTS_PER_MINUTE: '-5',
          RATE_LIMIT_MESSAGES_PER_MINUTE: 'many',
        }),
      ),
    ).toEqual([
      'RATE_LIMIT_AUTH_PER_MINUTE',
      'RATE_LIMIT_MESSAGES_PER_MINUTE',
      'RATE_LIMIT_REQUESTS_PER_MINUTE',
    ]);
  });

  it('treats empty values as unset', () => {
    expect(() =>
      validateEnv({ PORT: '', DATABASE_URL: '', REDIS_URL: '', JWT_SECRET: '' }),
    ).not.toThrow();
  });

  it('requires S3_BUCKET with any other S3_* variable, and both keys together', () => {
    expect(variables(invalid({ S3_ENDPOINT: 'http://127.0.0.1:9000' }))).toEqual(['S3_BUCKET']);
    expect(variables(invalid({ S3_BUCKET: 'files', S3_ACCESS_KEY_ID: 'AKIA' }))).toEqual([
      'S3_SECRET_ACCESS_KEY',
    ]);
    expect(() => validateEnv({ S3_BUCKET: 'files' })).not.toThrow();
  });

  it('refuses a bad S3_ENDPOINT, S3_BUCKET and attachment sizes', () => {
    expect(
      variables(
        invalid({
          S3_ENDPOINT: 'ftp://files',
          S3_BUCKET: 'No_Such Bucket',
          MAX_ATTACHMENT_BYTES: '0',
          MAX_IMAGE_BYTES: 'big',
        }),
      ),
    ).toEqual(['MAX_ATTACHMENT_BYTES', 'MAX_IMAGE_BYTES', 'S3_BUCKET', 'S3_ENDPOINT']);
  });

  it('never repeats the S3 secret key in the error', () => {
    const err = invalid({ S3_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI-secret' });
    expect(variables(err)).toEqual(['S3_ACCESS_KEY_ID', 'S3_BUCKET']);
    expect(err.message).not.toContain('wJalrXUtnFEMI-secret');
  });

  it('requires both VAPID keys together, MAIL_FROM with SMTP_URL in production, and valid values', () => {
    expect(variables(invalid({ VAPID_PUBLIC_KEY: 'B'.repeat(87) }))).toEqual(['VAPID_PRIVATE_KEY']);
    expect(
      variables(
        invalid({
          SMTP_URL: 'http://mail.example.com',
          EMAIL_BATCH_WINDOW_MS: '-1',
          NOTIFICATION_RETRY_DELAY_MS: '0',
          VAPID_SUBJECT: 'ops@example.com',
        }),
      ),
    ).toEqual([
      'EMAIL_BATCH_WINDOW_MS',
      'NOTIFICATION_RETRY_DELAY_MS',
      'SMTP_URL',
      'VAPID_SUBJECT',
    ]);
    expect(
      variables(invalid({ ...PRODUCTION_OK, SMTP_URL: 'smtp://smtp.example.com:587' })),
    ).toEqual(['MAIL_FROM']);
    expect(() => validateEnv({ SMTP_URL: 'smtp://127.0.0.1:2525' })).not.toThrow();
  });

  it('never repeats the SMTP password or the VAPID private key in the error', () => {
    const err = invalid({
      SMTP_URL: 'ftp://mailer:hunter2-secret@smtp.example.com',
      VAPID_PUBLIC_KEY: 'B'.repeat(87),
      VAPID_PRIVATE_KEY: 'short-private-key',
    });
    expect(variables(err)).toEqual(['SMTP_URL', 'VAPID_PRIVATE_KEY']);
    expect(err.message).not.toContain('hunter2-secret');
    expect(err.message).not.toContain('short-private-key');
  });

  it('requires FCM_PROJECT_ID and FCM_SERVICE_ACCOUNT together', () => {
    expect(variables(invalid({ FCM_PROJECT_ID: 'my-app' }))).toEqual(['FCM_SERVICE_ACCOUNT']);
    expect(variables(invalid({ FCM_SERVICE_ACCOUNT: SERVICE_ACCOUNT }))).toEqual([
      'FCM_PROJECT_ID',
    ]);
  });

  it('refuses a service account that is not a usable key, without repeating it', () => {
    const broken = JSON.stringify({ client_email: 'a@b.c', private_key: 'not a key' });
    for (const value of ['{not json', '[1]', broken, '/nonexistent/key.json']) {
      const err = invalid({ FCM_PROJECT_ID: 'my-app', FCM_SERVICE_ACCOUNT: value });
      expect(variables(err)).toEqual(['FCM_SERVICE_ACCOUNT']);
      expect(err.message).not.toContain('not a key');
    }
    const noEmail = JSON.stringify({ private_key: PRIVATE_KEY });
    const err = invalid({ FCM_PROJECT_ID: 'my-app', FCM_SERVICE_ACCOUNT: noEmail });
    expect(err.message).toContain('client_email');
    expect(err.message).not.toContain('PRIVATE KEY');
  });

  it('reads a service account from a path, honouring its token_uri', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fcm-')), 'key.json');
    const tokenUri = 'https://oauth.internal/token';
    writeFileSync(path, JSON.stringify({ ...JSON.parse(SERVICE_ACCOUNT), token_uri: tokenUri }));
    const config = new AppConfig({ FCM_PROJECT_ID: 'my-app', FCM_SERVICE_ACCOUNT: path });
    expect(config.notifications.fcm).toMatchObject({
      projectId: 'my-app',
      endpoint: 'https://fcm.googleapis.com',
      serviceAccount: { clientEmail: 'push@my-app-1234.iam.gserviceaccount.com', tokenUri },
    });
  });

  it('refuses a bad FCM_ENDPOINT and audio limits', () => {
    expect(
      variables(
        invalid({ FCM_ENDPOINT: 'fcm.example', MAX_AUDIO_BYTES: '0', MAX_AUDIO_SECONDS: 'long' }),
      ),
    ).toEqual(['FCM_ENDPOINT', 'MAX_AUDIO_BYTES', 'MAX_AUDIO_SECONDS']);
  });
  it.each(['MODERATION_ALLOW_WORDS', 'MODERATION_DENY_WORDS'])(
    'takes %s as comma-separated words or phrases, and refuses other punctuation',
    (name) => {
      expect(() =>
        validateEnv({ [name]: "cumin, Dickson,O'Neill, جماعة ,sea-bass,,scam artist" }),
      ).not.toThrow();
      for (const bad of ['a;b', 'f*ck', 'word\nother', 'x'.repeat(20_001)])
        expect(variables(invalid({ [name]: bad }))).toEqual([name]);
    },
  );

  it.each(['0', '3651', '1.5', 'forever'])('refuses MESSAGE_RETENTION_DAYS=%s', (days) => {
    expect(variables(invalid({ MESSAGE_RETENTION_DAYS: days }))).toEqual([
      'MESSAGE_RETENTION_DAYS',
    ]);
  });

  it('reads MESSAGE_RETENTION_DAYS as the default retention; unset keeps messages forever', () => {
    expect(new AppConfig({ MESSAGE_RETENTION_DAYS: '90' }).retention.defaultDays).toBe(90);
    expect(new AppConfig({}).retention.defaultDays).toBeNull();
  });

  it('ignores variables it does not know', () => {
    expect(() => validateEnv({ HOME: '/root', SOMETHING_ELSE: '%%%' })).not.toThrow();
  });
});

describe('AppConfig', () => {
  it('uses the documented defaults for an empty environment', () => {
    const config = new AppConfig({});
    expect({ ...config }).toEqual({
      production: false,
      port: 3000,
      presenceGraceMs: 10000,
      presenceNodeTtlMs: 15000,
      moderation: { profanity: 'mask', contact_info: 'flag', allowWords: [], denyWords: [] },
      dataDir: resolve('./data'),
      databasePoolSize: 20,
      slowQueryMs: 200,
      databaseUrl: null,
      redisUrl: null,
      jwt: { secret: null, expiresIn: '1h' },
      encryptionKeys: null,
      admin: null,
      corsOrigins: '*',
      rateLimits: {
        authPerMinute: 20,
        requestsPerMinute: 600,
        messagesPerMinute: 120,
        socketEventsPerMinute: 600,
      },
      attachments: {
        uploadDir: resolve('./uploads'),
        maxAttachmentBytes: 10 * 1024 * 1024,
        maxImageBytes: 5 * 1024 * 1024,
        maxAudioBytes: 10 * 1024 * 1024,
        maxAudioSeconds: 600,
        s3: null,
      },
      notifications: {
        smtpUrl: null,
        mailFrom: 'Messaging <no-reply@localhost>',
        emailBatchWindowMs: 120000,
        retryDelayMs: 10000,
        vapid: { publicKey: null, privateKey: null, subject: 'mailto:no-reply@localhost' },
        fcm: null,
      },
      metricsEnabled: true,
      metricsToken: null,
      docsEnabled: true,
      trustProxy: ['loopback'],
      webhooks: { allowPrivateUrls: false },
      demoUsers: true,
      logLevel: 'info',
      retention: { defaultDays: null, sweepIntervalMs: 600000, batchSize: 100 },
    });
    expect(config.embedded).toBe(true);
  });

  it('uses the defaults for variables that are set but empty', () => {
    expect({ ...new AppConfig({ PORT: '', DATA_DIR: '', CORS_ORIGINS: '' }) }).toEqual({
      ...new AppConfig({}),
    });
  });

  it('turns off the docs in production unless DOCS_ENABLED says otherwise', () => {
    expect(new AppConfig(PRODUCTION_OK).docsEnabled).toBe(false);
    expect(new AppConfig({ ...PRODUCTION_OK, DOCS_ENABLED: 'true' }).docsEnabled).toBe(true);
    expect(new AppConfig({ DOCS_ENABLED: 'false' }).docsEnabled).toBe(false);
  });

  it('reads TRUST_PROXY as a hop count or a list of addresses and CIDRs', () => {
    expect(new AppConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(new AppConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
    ]);
    expect(new AppConfig({ TRUST_PROXY: 'loopback,fd00::/8' }).trustProxy).toEqual([
      'loopback',
      'fd00::/8',
    ]);
  });

  it('keeps METRICS_TOKEN and RATE_LIMIT_SOCKET_EVENTS_PER_MINUTE', () => {
    const config = new AppConfig({
      METRICS_TOKEN: 't'.repeat(24),
      RATE_LIMIT_SOCKET_EVENTS_PER_MINUTE: '30',
    });
    expect(config.metricsToken).toBe('t'.repeat(24));
    expect(config.rateLimits.socketEventsPerMinute).toBe(30);
  });

  it('throws InvalidEnvironmentError for a bad environment', () => {
    expect(() => new AppConfig({ PORT: 'abc' })).toThrow(InvalidEnvironmentError);
  });

  it('reads every variable it is given', () => {
    const config = new AppConfig({
      ...PRODUCTION_OK,
      PORT: '8080',
      DATA_DIR: '/var/lib/messaging',
      DATABASE_URL: 'postgres://db/app',
      DATABASE_POOL_SIZE: '12',
      SLOW_QUERY_MS: '50',
      REDIS_URL: 'redis://cache:6379',
      JWT_EXPIRES_IN: '15m',
      ADMIN_EMAIL: 'admin@example.com',
      ADMIN_PASSWORD: 'admin-password',
      CORS_ORIGINS: ' https://a.example.com , https://b.example.com ',
      RATE_LIMIT_AUTH_PER_MINUTE: '5',
      RATE_LIMIT_REQUESTS_PER_MINUTE: '50',
      RATE_LIMIT_MESSAGES_PER_MINUTE: '10',
      UPLOAD_DIR: '/var/lib/messaging/uploads',
      MAX_ATTACHMENT_BYTES: '2000000',
      MAX_IMAGE_BYTES: '1000000',
      MAX_AUDIO_BYTES: '3000000',
      MAX_AUDIO_SECONDS: '120',
      S3_ENDPOINT: 'http://minio.internal:9000',
      S3_BUCKET: 'chat-files',
      S3_REGION: 'eu-west-1',
      S3_ACCESS_KEY_ID: 'access-key',
      S3_SECRET_ACCESS_KEY: 'secret-key',
      SMTP_URL: 'smtps://mailer:pw@smtp.example.com:465',
      MAIL_FROM: 'Chat <no-reply@example.com>',
      EMAIL_BATCH_WINDOW_MS: '60000',
      NOTIFICATION_RETRY_DELAY_MS: '5000',
      FCM_PROJECT_ID: 'my-app-1234',
      FCM_SERVICE_ACCOUNT: SERVICE_ACCOUNT,
      FCM_ENDPOINT: 'https://fcm.internal/',
      METRICS_ENABLED: 'false',
      METRICS_TOKEN: 'metrics-token-0123456789',
      DOCS_ENABLED: 'true',
      TRUST_PROXY: '1',
      RATE_LIMIT_SOCKET_EVENTS_PER_MINUTE: '100',
      LOG_LEVEL: 'warn',
      MODERATION_ALLOW_WORDS: ' Dick ,, جماع ',
      MODERATION_DENY_WORDS: 'scam artist,حرامي',
      MESSAGE_RETENTION_DAYS: '365',
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    });
    expect({ ...config }).toEqual({
      production: true,
      port: 8080,
      presenceGraceMs: 10000,
      presenceNodeTtlMs: 15000,
      moderation: {
        profanity: 'mask',
        contact_info: 'flag',
        allowWords: ['Dick', 'جماع'],
        denyWords: ['scam artist', 'حرامي'],
      },
      dataDir: '/var/lib/messaging',
      databasePoolSize: 12,
      slowQueryMs: 50,
      databaseUrl: 'postgres://db/app',
      redisUrl: 'redis://cache:6379',
      jwt: { secret: PRODUCTION_OK.JWT_SECRET, expiresIn: '15m' },
      encryptionKeys: PRODUCTION_OK.ENCRYPTION_KEYS,
      admin: { email: 'admin@example.com', password: 'admin-password' },
      corsOrigins: ['https://a.example.com', 'https://b.example.com'],
      rateLimits: {
        authPerMinute: 5,
        requestsPerMinute: 50,
        messagesPerMinute: 10,
        socketEventsPerMinute: 100,
      },
      attachments: {
        uploadDir: '/var/lib/messaging/uploads',
        maxAttachmentBytes: 2000000,
        maxImageBytes: 1000000,
        maxAudioBytes: 3000000,
        maxAudioSeconds: 120,
        s3: {
          bucket: 'chat-files',
          region: 'eu-west-1',
          endpoint: 'http://minio.internal:9000',
          credentials: { accessKeyId: 'access-key', secretAccessKey: 'secret-key' },
        },
      },
      notifications: {
        smtpUrl: 'smtps://mailer:pw@smtp.example.com:465',
        mailFrom: 'Chat <no-reply@example.com>',
        emailBatchWindowMs: 60000,
        retryDelayMs: 5000,
        vapid: {
          publicKey: PRODUCTION_OK.VAPID_PUBLIC_KEY,
          privateKey: PRODUCTION_OK.VAPID_PRIVATE_KEY,
          subject: PRODUCTION_OK.VAPID_SUBJECT,
        },
        fcm: {
          projectId: 'my-app-1234',
          serviceAccount: {
            clientEmail: 'push@my-app-1234.iam.gserviceaccount.com',
            privateKey: PRIVATE_KEY,
            privateKeyId: 'k1',
            tokenUri: 'https://oauth2.googleapis.com/token',
          },
          endpoint: 'https://fcm.internal',
        },
      },
      metricsEnabled: false,
      metricsToken: 'metrics-token-0123456789',
      docsEnabled: true,
      trustProxy: 1,
      webhooks: { allowPrivateUrls: true },
      demoUsers: false,
      logLevel: 'warn',
      retention: { defaultDays: 365, sweepIntervalMs: 600000, batchSize: 100 },
    });
    expect(config.embedded).toBe(false);
  });

  it('reads METRICS_ENABLED=1, which validation accepts as a boolean, as enabled', () => {
    expect(new AppConfig({ METRICS_ENABLED: '1' }).metricsEnabled).toBe(true);
  });

  it.each([
    ['false', false],
    ['0', false],
    ['true', true],
    ['1', true],
  ])('reads DEMO_USERS=%s outside production', (value, on) => {
    expect(new AppConfig({ DEMO_USERS: value }).demoUsers).toBe(on);
  });

  it('keeps the demo users off in production, where DEMO_USERS=true is refused', () => {
    expect(new AppConfig(PRODUCTION_OK).demoUsers).toBe(false);
    expect(new AppConfig({ ...PRODUCTION_OK, DEMO_USERS: 'false' }).demoUsers).toBe(false);
    expect(variables(invalid({ ...PRODUCTION_OK, DEMO_USERS: 'true' }))).toEqual(['DEMO_USERS']);
  });

  it('refuses a DEMO_USERS that is not a boolean', () => {
    expect(variables(invalid({ DEMO_USERS: 'yes' }))).toEqual(['DEMO_USERS']);
  });
});
