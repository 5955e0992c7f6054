import { createCipheriv, createDecipheriv, KeyObject, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class KeyRingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyRingError';
  }
}

/** Decryption failed: the key is wrong or the stored bytes were changed. Never returns garbage. */
export class DecryptionError extends Error {
  constructor(what: string, options?: { cause?: unknown }) {
    super(`cannot decrypt ${what}: wrong key or tampered data`, options);
    this.name = 'DecryptionError';
  }
}

export interface MasterKey {
  id: string;
  key: Buffer;
}

/** Parses `ENCRYPTION_KEYS` (`id:base64key,…`, the first is current); every key is 32 bytes. */
export function parseKeyRing(value: string): MasterKey[] {
  const keys = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf(':');
      const id = entry.slice(0, at);
      const key = Buffer.from(entry.slice(at + 1), 'base64');
      if (at <= 0 || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
        throw new KeyRingError(`ENCRYPTION_KEYS: "${entry.slice(0, 40)}…" is not id:base64key`);
      }
      if (key.length !== 32)
        throw new KeyRingError(`ENCRYPTION_KEYS: key "${id}" is not 32 bytes of base64`);
      return { id, key };
    });
  if (keys.length === 0) throw new KeyRingError('ENCRYPTION_KEYS is empty');
  if (new Set(keys.map((k) => k.id)).size !== keys.length)
    throw new KeyRingError('ENCRYPTION_KEYS repeats a key id');
  return keys;
}

export function generateKeyRingValue(id = `k${Date.now().toString(36)}`): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/** A 32-byte key, raw or as a `KeyObject` (cheaper to use many times: no copy per cipher). */
export type AesKey = Buffer | KeyObject;

/** AES-256-GCM: `iv | ciphertext | tag`, authenticated together with `aad`. */
export function seal(key: AesKey, plaintext: Buffer, aad: string | Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(typeof aad === 'string' ? Buffer.from(aad) : aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/**
 * Opens what `seal` made with the same key and `aad`; throws `DecryptionError` (naming `what`)
 * for a wrong key or any changed byte. GCM's `final()` only checks the tag and yields no bytes,
 * so the plaintext is `update()`'s output as it is: no copy.
 */
export function open(key: AesKey, sealed: Buffer, aad: string | Buffer, what: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new DecryptionError(what);
  try {
    const decipher = createDecipheriv(ALGORITHM, key, sealed.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(typeof aad === 'string' ? Buffer.from(aad) : aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const plain = decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES));
    const rest = decipher.final();
    return rest.length === 0 ? plain : Buffer.concat([plain, rest]);
  } catch (err) {
    throw new DecryptionError(what, { cause: err });
  }
}

/** The master keys: the first wraps new data keys; any of them unwraps. */
export class KeyRing {
  constructor(readonly keys: MasterKey[]) {}

  get current(): MasterKey {
    return this.keys[0];
  }

  has(id: string): boolean {
    return this.keys.some((k) => k.id === id);
  }

  wrap(dataKey: Buffer, conversationId: string): { masterKeyId: string; wrapped: string } {
    return {
      masterKeyId: this.current.id,
      wrapped: seal(this.current.key, dataKey, `data-key:${conversationId}`).toString('base64'),
    };
  }

  unwrap(masterKeyId: string, wrapped: string, conversationId: string): Buffer {
    const master = this.keys.find((k) => k.id === masterKeyId);
    if (!master) {
      throw new KeyRingError(
        `the data key of conversation ${conversationId} is wrapped by master key "${masterKeyId}", which ENCRYPTION_KEYS does not hold`,
      );
    }
    return open(
      master.key,
      Buffer.from(wrapped, 'base64'),
      `data-key:${conversationId}`,
      `the data key of ${conversationId}`,
    );
  }
}
