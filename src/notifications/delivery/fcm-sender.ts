import { Injectable, Logger } from '@nestjs/common';
import { JWT } from 'google-auth-library';
import { AppConfig, FcmSettings } from '../../config/app-config';
import { GOOGLE_TOKEN_URI } from '../../config/service-account';
import { FcmSubscriptionRow } from '../entities/notification.row';
import { RetryLaterError } from '../jobs/job-queue';
import { NotificationWithActor } from '../notifications.repository';
import { fcmMessage } from './fcm-message';

/** The OAuth2 scope of FCM HTTP v1. */
export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
/** A cached access token is replaced this long before it expires. */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60 * 1000;
const SEND_TIMEOUT_MS = 10_000;

/** `sent`; `gone`: FCM says the token is unregistered; `refused`: FCM will never take it. */
export type FcmResult = 'sent' | 'gone' | 'refused';

/** The `errorCode` of an FCM error answer (`details[].errorCode`), if it names one. */
function fcmErrorCode(body: unknown): string | null {
  const details = (body as { error?: { details?: unknown } } | null)?.error?.details;
  if (!Array.isArray(details)) return null;
  for (const d of details as { errorCode?: unknown }[]) {
    if (typeof d?.errorCode === 'string') return d.errorCode;
  }
  return null;
}

/** `Retry-After` in milliseconds (seconds, or an HTTP date), or null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * The OAuth2 client of a service account, with `google-auth-library`: a JWT signed with the
 * account's key is exchanged for an access token, cached until shortly before it expires. The
 * library posts to Google's token endpoint whatever the key file says, so the account's
 * `token_uri` is honoured here: as the assertion's audience, and as where it is posted.
 */
export function serviceAccountClient(settings: FcmSettings): JWT {
  const { clientEmail, privateKey, privateKeyId, tokenUri } = settings.serviceAccount;
  const client = new JWT({
    email: clientEmail,
    key: privateKey,
    keyId: privateKeyId ?? undefined,
    scopes: [FCM_SCOPE],
    eagerRefreshThresholdMillis: REFRESH_BEFORE_EXPIRY_MS,
    ...(tokenUri === GOOGLE_TOKEN_URI ? {} : { additionalClaims: { aud: tokenUri } }),
  });
  if (tokenUri !== GOOGLE_TOKEN_URI) {
    client.transporter.interceptors.request.add({
      resolved: (options) => {
        if (String(options.url) === GOOGLE_TOKEN_URI) options.url = new URL(tokenUri);
        return Promise.resolve(options);
      },
    });
  }
  return client;
}

/** Push to apps through FCM HTTP v1, when `FCM_PROJECT_ID` and `FCM_SERVICE_ACCOUNT` are set. */
@Injectable()
export class FcmSender {
  private readonly logger = new Logger('Fcm');
  private readonly settings: FcmSettings | null;
  private readonly client: JWT | null;

  constructor(config: AppConfig) {
    this.settings = config.notifications.fcm;
    this.client = this.settings ? serviceAccountClient(this.settings) : null;
  }

  get enabled(): boolean {
    return this.client !== null;
  }

  /**
   * Sends one notification to one token. Rejects on what may pass (429 and 5xx, with the wait
   * `Retry-After` asks for; 401; no answer), so that the job retries.
   */
  async send(subscription: FcmSubscriptionRow, n: NotificationWithActor): Promise<FcmResult> {
    if (!this.settings || !this.client) return 'refused';
    const { token } = await this.client.getAccessToken();
    if (!token) throw new Error('the FCM token endpoint gave no access token');
    const url = `${this.settings.endpoint}/v1/projects/${encodeURIComponent(this.settings.projectId)}/messages:send`;
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: fcmMessage(subscription, n) }),
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    if (res.ok) {
      await res.body?.cancel();
      return 'sent';
    }
    const body: unknown = await res.json().catch(() => null);
    const code = fcmErrorCode(body);
    if ((res.status === 404 || res.status === 400) && code === 'UNREGISTERED') return 'gone';
    if (res.status === 429 || res.status >= 500) {
      const message = `FCM answered ${res.status}${code ? ` ${code}` : ''}`;
      const wait = retryAfterMs(res.headers.get('retry-after'));
      throw wait === null ? new Error(message) : new RetryLaterError(message, wait);
    }
    if (res.status === 401) {
      // The token was revoked or expired early: an expired placeholder, as the client starts
      // with, makes the retry fetch a new one.
      this.client.credentials = { refresh_token: 'jwt-placeholder', expiry_date: 1 };
      throw new Error('FCM refused the access token (401)');
    }
    this.logger.warn(
      `FCM refused a message for subscription ${subscription.id}: ${res.status} ${code ?? ''}`,
    );
    return 'refused';
  }
}
