import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import type { AuthUser } from './auth-user';
import { AdminGuard } from './admin.guard';
import { ApiErrors } from '../openapi/api-errors.decorator';

export const IS_PUBLIC = 'auth:isPublic';

/**
 * Opts a route out of the global access-token guard, and says so in OpenAPI (an empty
 * security requirement overrides the document-wide bearer requirement).
 */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiSecurity({}));

/** Admin-only routes: any other caller gets `403 FORBIDDEN`. */
export const AdminOnly = (): MethodDecorator & ClassDecorator =>
  applyDecorators(UseGuards(AdminGuard), ApiErrors('FORBIDDEN'));

/** The authenticated caller, taken from the access token (never from the body or the URL). */
export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): AuthUser =>
    ctx.switchToHttp().getRequest<{ user: AuthUser }>().user,
);
