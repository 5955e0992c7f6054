import {
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { AppError } from '../errors/app-error';

const IGNORES_QUERY = 'query:ignored';

/** The root operations routes (`/health*`, `/metrics`) ignore query parameters (API.md). */
export const IgnoresQuery = (): ClassDecorator & MethodDecorator =>
  SetMetadata(IGNORES_QUERY, true);

/**
 * Refuses query parameters on routes that declare no query DTO. Routes with one are checked by
 * the validation pipe (`forbidNonWhitelisted`), which names the unknown fields the same way.
 */
@Injectable()
export class UndeclaredQueryInterceptor implements NestInterceptor {
  private readonly declared = new WeakMap<object, boolean>();

  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http' && !this.acceptsQuery(context)) {
      const query = context.switchToHttp().getRequest<Request>().query as Record<string, unknown>;
      const names = Object.keys(query ?? {});
      if (names.length > 0) {
        throw AppError.validation(
          Object.fromEntries(names.map((name) => [name, [`property ${name} should not exist`]])),
        );
      }
    }
    return next.handle();
  }

  private acceptsQuery(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    const known = this.declared.get(handler);
    if (known !== undefined) return known;
    const ignores = this.reflector.getAllAndOverride<boolean>(IGNORES_QUERY, [
      handler,
      context.getClass(),
    ]);
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ??
      {}) as Record<string, unknown>;
    const accepts =
      ignores === true ||
      Object.keys(args).some((key) => key.startsWith(`${RouteParamtypes.QUERY}:`));
    this.declared.set(handler, accepts);
    return accepts;
  }
}
