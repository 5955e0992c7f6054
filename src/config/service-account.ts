import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Google's OAuth2 token endpoint, used when a service account names none. */
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

/** The parts of a Google service account key file that sign its token requests. */
export interface ServiceAccount {
  clientEmail: string;
  /** PEM */
  privateKey: string;
  privateKeyId: string | null;
  /** where its signed assertions are exchanged for access tokens (the file's `token_uri`) */
  tokenUri: string;
}

const text = (json: Record<string, unknown>, field: string): string | null => {
  const value = json[field];
  return typeof value === 'string' && value.trim() !== '' ? value : null;
};

/**
 * Reads a service account from `FCM_SERVICE_ACCOUNT`: the key file's JSON itself, or a path to
 * it. Throws an error whose message says what is wrong without repeating the key.
 */
export function readServiceAccount(value: string): ServiceAccount {
  let source = value.trim();
  if (!source.startsWith('{')) {
    try {
      source = readFileSync(source, 'utf8');
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'unreadable';
      throw new Error(`the service account file cannot be read (${code})`, { cause: err });
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch {
    throw new Error('must be a service account JSON key, or the path to one: it is not JSON');
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error('must be a service account JSON key: it is not a JSON object');
  }
  const fields = json as Record<string, unknown>;
  if (fields.type !== undefined && fields.type !== 'service_account') {
    throw new Error('must be a key of type "service_account"');
  }
  const clientEmail = text(fields, 'client_email');
  const privateKey = text(fields, 'private_key');
  if (!clientEmail || !privateKey) {
    throw new Error('the service account key needs client_email and private_key');
  }
  try {
    createPrivateKey(privateKey);
  } catch {
    throw new Error('the service account private_key is not a PEM private key');
  }
  const tokenUri = text(fields, 'token_uri') ?? GOOGLE_TOKEN_URI;
  if (!/^https?:\/\/\S+$/.test(tokenUri)) {
    throw new Error('the service account token_uri must be an http(s) URL');
  }
  return { clientEmail, privateKey, privateKeyId: text(fields, 'private_key_id'), tokenUri };
}
