import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC } from '../common/auth/auth.decorators';
import { AppError } from '../common/errors/app-error';
import { fromDependencyError } from '../common/errors/dependency-errors';

/** The global guard: every route needs a valid access token unless it is marked `@Public()`. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    // Sockets authenticate once in the handshake (MessagingGateway), not per event.
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    return isPublic ? true : super.canActivate(context);
  }

  override handleRequest<T>(err: unknown, user: T | false): T {
    if (err instanceof AppError) throw err;
    // the token could not be checked (the database is down): not the caller's fault
    const outage = fromDependencyError(err);
    if (outage) throw outage;
    if (err || !user) throw new AppError('UNAUTHORIZED', undefined, { cause: err });
    return user;
  }
}
