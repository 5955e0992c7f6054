import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { UserDirectory } from '../users/user-directory';
import { hashPassword } from './password';
import { Transactions } from '../database/transactions';

/** Ensures the admin account of `ADMIN_EMAIL`/`ADMIN_PASSWORD` exists, is verified and is an admin. */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminBootstrap');

  constructor(
    private readonly config: AppConfig,
    private readonly users: UserDirectory,
    private readonly transactions: Transactions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.admin;
    if (!admin) return;
    const email = admin.email.toLowerCase();
    const existing = await this.users.findByEmail(email);
    if (existing) {
      if (existing.role !== 'admin' || existing.verificationStatus !== 'verified') {
        await this.users.update(existing.id, {
          role: 'admin',
          verificationStatus: 'verified',
          verifiedAt: new Date(),
        });
        this.logger.log(`made ${email} an admin`);
      }
      return;
    }
    const passwordHash = await hashPassword(admin.password);
    try {
      await this.transactions.run(() =>
        this.users.create({
          email,
          passwordHash,
          displayName: 'Admin',
          locale: 'en',
          role: 'admin',
          verificationStatus: 'verified',
          verifiedAt: new Date(),
        }),
      );
      this.logger.log(`created the admin account ${email}`);
    } catch (err) {
      // Another node created it at the same moment: the unique email decided.
      if ((err as { code?: string }).code !== '23505') throw err;
    }
  }
}
