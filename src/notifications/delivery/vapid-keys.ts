import { Injectable } from '@nestjs/common';
import { generateVAPIDKeys } from 'web-push';
import { AppConfig } from '../../config/app-config';
import { SecretsService } from '../../database/secrets.service';

export interface VapidKeyPair {
  publicKey: string;
  privateKey: string;
}

/**
 * The VAPID key pair of Web Push: from `VAPID_*`, or generated once and kept with the data
 * (shared by every node through the database; refused in production).
 */
@Injectable()
export class VapidKeys {
  private keys?: Promise<VapidKeyPair>;

  constructor(
    private readonly config: AppConfig,
    private readonly secrets: SecretsService,
  ) {}

  get subject(): string {
    return this.config.notifications.vapid.subject;
  }

  get(): Promise<VapidKeyPair> {
    this.keys ??= this.load().catch((err: unknown) => {
      this.keys = undefined;
      throw err;
    });
    return this.keys;
  }

  private async load(): Promise<VapidKeyPair> {
    const { publicKey, privateKey } = this.config.notifications.vapid;
    if (publicKey && privateKey) return { publicKey, privateKey };
    const stored = await this.secrets.resolve('VAPID_KEYS', null, () => {
      const generated = generateVAPIDKeys();
      return JSON.stringify({ publicKey: generated.publicKey, privateKey: generated.privateKey });
    });
    return JSON.parse(stored) as VapidKeyPair;
  }
}
