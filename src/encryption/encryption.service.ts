import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { SecretsService } from '../database/secrets.service';
import { ConversationKeysRepository } from './conversation-keys.repository';
import { generateKeyRingValue, KeyRing, open, parseKeyRing, seal } from './key-ring';

const MAX_CACHED_KEYS = 10_000;

/**
 * At-rest encryption of `at_rest` conversations: AES-256-GCM under a random data key per
 * conversation, itself stored wrapped by the current master key of `ENCRYPTION_KEYS`. Boot
 * fails loudly when a stored data key cannot be unwrapped with the configured keys.
 */
@Injectable()
export class EncryptionService implements OnModuleInit {
  private readonly logger = new Logger('Encryption');
  private ring!: KeyRing;
  private readonly dataKeys = new Map<string, KeyObject>();

  constructor(
    private readonly config: AppConfig,
    private readonly secrets: SecretsService,
    private readonly keys: ConversationKeysRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    const value = await this.secrets.resolve('ENCRYPTION_KEYS', this.config.encryptionKeys, () =>
      generateKeyRingValue(),
    );
    this.ring = new KeyRing(parseKeyRing(value));
    for (const sample of await this.keys.samplePerMasterKey()) {
      this.ring.unwrap(sample.master_key_id, sample.wrapped_key, sample.conversation_id);
    }
    this.logger.log(
      `master key "${this.ring.current.id}" is current (${this.ring.keys.length} in the ring)`,
    );
  }

  get keyRing(): KeyRing {
    return this.ring;
  }

  async encrypt(conversationId: string, plaintext: string, purpose = 'content'): Promise<string> {
    const key = await this.dataKey(conversationId);
    return seal(key, Buffer.from(plaintext, 'utf8'), `${purpose}:${conversationId}`).toString(
      'base64',
    );
  }

  async decrypt(conversationId: string, stored: string, purpose = 'content'): Promise<string> {
    const key = await this.dataKey(conversationId);
    return open(
      key,
      Buffer.from(stored, 'base64'),
      `${purpose}:${conversationId}`,
      `${purpose} of ${conversationId}`,
    ).toString('utf8');
  }

  /** Several contents of one conversation: its data key is looked up once. */
  async decryptAll(
    conversationId: string,
    stored: string[],
    purpose = 'content',
  ): Promise<string[]> {
    const key = await this.dataKey(conversationId);
    const aad = Buffer.from(`${purpose}:${conversationId}`);
    const what = `${purpose} of ${conversationId}`;
    return stored.map((s) => open(key, Buffer.from(s, 'base64'), aad, what).toString('utf8'));
  }

  async encryptBytes(conversationId: string, bytes: Buffer, purpose: string): Promise<Buffer> {
    return seal(await this.dataKey(conversationId), bytes, `${purpose}:${conversationId}`);
  }

  async decryptBytes(conversationId: string, sealed: Buffer, purpose: string): Promise<Buffer> {
    return open(
      await this.dataKey(conversationId),
      sealed,
      `${purpose}:${conversationId}`,
      `${purpose} of ${conversationId}`,
    );
  }

  /**
   * Re-wraps every data key onto the current master key; message rows are not touched.
   * Safe while nodes run: each key is swapped only if nobody changed it since it was read.
   */
  async rotate(): Promise<number> {
    let rewrapped = 0;
    for (;;) {
      const batch = await this.keys.notWrappedBy(this.ring.current.id, 500);
      if (batch.length === 0) return rewrapped;
      for (const stored of batch) {
        const key = this.ring.unwrap(
          stored.master_key_id,
          stored.wrapped_key,
          stored.conversation_id,
        );
        const { masterKeyId, wrapped } = this.ring.wrap(key, stored.conversation_id);
        if (await this.keys.rewrap(stored, masterKeyId, wrapped)) rewrapped++;
      }
    }
  }

  /** The conversation's data key: created on first use, unwrapped once and kept in memory. */
  private async dataKey(conversationId: string): Promise<KeyObject> {
    const cached = this.dataKeys.get(conversationId);
    if (cached) return cached;
    let stored = await this.keys.find(conversationId);
    if (!stored) {
      const { masterKeyId, wrapped } = this.ring.wrap(randomBytes(32), conversationId);
      stored = await this.keys.insertIfAbsent({
        conversation_id: conversationId,
        master_key_id: masterKeyId,
        wrapped_key: wrapped,
      });
    }
    const key = createSecretKey(
      this.ring.unwrap(stored.master_key_id, stored.wrapped_key, conversationId),
    );
    if (this.dataKeys.size >= MAX_CACHED_KEYS)
      this.dataKeys.delete(this.dataKeys.keys().next().value!);
    this.dataKeys.set(conversationId, key);
    return key;
  }
}
