import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { UserDirectory } from '../users/user-directory';
import { hashPassword } from './password';

/** The accounts a newcomer signs in with to try the web client in two windows. */
export const DEMO_ACCOUNTS = [
  {
    email: 'amira@demo.local',
    password: 'demo-password-1',
    displayName: 'Amira (demo)',
    locale: 'ar',
  },
  { email: 'ben@demo.local', password: 'demo-password-2', displayName: 'Ben (demo)', locale: 'en' },
] as const;

/**
 * With `DEMO_USERS` (default outside production, never in production) ensures the two demo
 * accounts exist and are verified, and prints how to sign in with them.
 */
@Injectable()
export class DemoUsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoUsers');

  constructor(
    private readonly config: AppConfig,
    private readonly users: UserDirectory,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demoUsers) return;
    for (const account of DEMO_ACCOUNTS) await this.ensure(account);
    this.logger.log(
      `demo users (DEMO_USERS=false turns them off): ${DEMO_ACCOUNTS.map(
        (a) => `${a.email} / ${a.password}`,
      ).join(', ')}`,
    );
  }

  private async ensure(account: (typeof DEMO_ACCOUNTS)[number]): Promise<void> {
    const existing = await this.users.findByEmail(account.email);
    if (existing) {
      if (existing.verificationStatus !== 'verified') {
        await this.users.update(existing.id, {
          verificationStatus: 'verified',
          verifiedAt: new Date(),
        });
      }
      return;
    }
    const passwordHash = await hashPassword(account.password);
    try {
      await this.users.create({
        email: account.email,
        passwordHash,
        displayName: account.displayName,
        locale: account.locale,
        role: 'user',
        verificationStatus: 'verified',
        verifiedAt: new Date(),
      });
    } catch (err) {
      // Another node created it at the same moment: the unique email decided.
      if ((err as { code?: string }).code !== '23505') throw err;
    }
  }
}
