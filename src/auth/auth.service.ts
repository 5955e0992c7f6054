import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { AuthUser } from '../common/auth/auth-user';
import { AppError } from '../common/errors/app-error';
import { DomainEventBus } from '../common/events/domain-event-bus';
import { toUser } from '../users/dto/user.dto';
import { UserDirectory } from '../users/user-directory';
import { AuthResultDto, LoginDto, RegisterDto, TokenPairDto } from './dto/auth.dto';
import { burnPasswordCheck, hashPassword, verifyPassword } from './password';
import { SessionsRepository } from './sessions.repository';
import { Transactions } from '../database/transactions';

export interface AccessTokenPayload {
  sub: string;
  sid: string;
}

const UNIQUE_VIOLATION = '23505';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UserDirectory,
    private readonly sessions: SessionsRepository,
    private readonly jwt: JwtService,
    private readonly events: DomainEventBus,
    private readonly transactions: Transactions,
  ) {}

  async register(dto: RegisterDto): Promise<AuthResultDto> {
    const email = dto.email.toLowerCase();
    if (await this.users.findByEmail(email)) throw new AppError('EMAIL_TAKEN');
    const passwordHash = await hashPassword(dto.password);
    try {
      return await this.transactions.run(async () => {
        const user = await this.users.create({
          email,
          passwordHash,
          displayName: dto.displayName,
          locale: dto.locale ?? 'en',
        });
        const { sessionId, refreshToken } = await this.sessions.create(user.id);
        await this.events.publish('user.registered', {
          userId: user.id,
          displayName: user.displayName,
          locale: user.locale,
        });
        return { user: toUser(user), accessToken: this.sign(user.id, sessionId), refreshToken };
      });
    } catch (err) {
      // Two registrations of one email at once: the unique index decides.
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw new AppError('EMAIL_TAKEN');
      throw err;
    }
  }

  async login(dto: LoginDto): Promise<AuthResultDto> {
    const user = await this.users.findByEmail(dto.email);
    if (!user) {
      await burnPasswordCheck(dto.password);
      throw new AppError('INVALID_CREDENTIALS');
    }
    if (!(await verifyPassword(user.passwordHash, dto.password))) {
      throw new AppError('INVALID_CREDENTIALS');
    }
    if (user.suspendedAt) throw new AppError('USER_SUSPENDED');
    const { sessionId, refreshToken } = await this.transactions.run(() =>
      this.sessions.create(user.id),
    );
    return { user: toUser(user), accessToken: this.sign(user.id, sessionId), refreshToken };
  }

  async refresh(refreshToken: string): Promise<TokenPairDto> {
    const result = await this.sessions.rotate(refreshToken);
    switch (result.kind) {
      case 'rotated':
        return {
          accessToken: this.sign(result.userId, result.sessionId),
          refreshToken: result.refreshToken,
        };
      case 'reused':
        // A spent token came back: someone else may hold the chain. End it for everyone.
        await this.endSession(result.userId, result.sessionId, 'refresh_token_reused');
        throw new AppError('UNAUTHORIZED');
      case 'invalid':
        throw new AppError('UNAUTHORIZED');
    }
  }

  async logout(caller: AuthUser, refreshToken: string): Promise<void> {
    const sessionId = await this.sessions.sessionOfToken(refreshToken, caller.id);
    if (sessionId) await this.endSession(caller.id, sessionId, 'logout');
  }

  /** Checks an access token and the live state of its session and user. */
  async authenticate(token: string): Promise<AuthUser> {
    let payload: AccessTokenPayload;
    try {
      payload = await this.jwt.verifyAsync<AccessTokenPayload>(token);
    } catch {
      throw new AppError('UNAUTHORIZED');
    }
    return this.principal(payload);
  }

  async principal(payload: AccessTokenPayload): Promise<AuthUser> {
    if (!UUID.test(String(payload?.sub)) || !UUID.test(String(payload?.sid))) {
      throw new AppError('UNAUTHORIZED');
    }
    const row = await this.sessions.principal(payload.sid, payload.sub);
    if (!row || row.revoked_at || row.suspended_at) throw new AppError('UNAUTHORIZED');
    return {
      id: row.id,
      sessionId: payload.sid,
      role: row.role,
      locale: row.locale,
      displayName: row.display_name,
      verified: row.verification_status === 'verified',
    };
  }

  private async endSession(userId: string, sessionId: string, reason: string): Promise<void> {
    if (await this.sessions.revoke(sessionId, reason)) {
      this.events.emit('session.revoked', { userId, sessionId });
    }
  }

  private sign(userId: string, sessionId: string): string {
    const payload: AccessTokenPayload = { sub: userId, sid: sessionId };
    return this.jwt.sign(payload);
  }
}
