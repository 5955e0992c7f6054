import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { AuthUser } from '../common/auth/auth-user';
import { IS_PUBLIC } from '../common/auth/auth.decorators';
import { AppError } from '../common/errors/app-error';
import { AuthService } from './auth.service';

/**
 * The global guard: every route needs a valid access token unless it is marked `@Public()`.
 * The token is checked by AuthService.authenticate, exactly as a socket handshake is
 * (MessagingGateway): one auth path, held by this app's own instances (no process-wide
 * strategy registry, so two apps in one process each check their own tokens).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Sockets authenticate once in the handshake (MessagingGateway), not per event.
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new AppError('UNAUTHORIZED');
    // an outage while checking the session surfaces as 503 (the global filter), not 401
    request.user = await this.auth.authenticate(token);
    return true;
  }
}

/** The token of an `Authorization: Bearer <token>` header, if that is what it holds. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer ([^\s]+)$/i.exec(header ?? '');
  return match ? match[1] : null;
}
