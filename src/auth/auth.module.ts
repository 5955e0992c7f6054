import { Module } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { JwtModule } from '@nestjs/jwt';
import { AppConfig } from '../config/app-config';
import { UsersModule } from '../users/users.module';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { DemoUsersService } from './demo-users.service';
import { JWT_SECRET, jwtExpiresIn, JwtSecretProvider } from './jwt-secret.provider';
import { JwtAuthGuard } from './jwt-auth.guard';
import { SessionsRepository } from './sessions.repository';

@Module({
  imports: [
    UsersModule,
    JwtModule.registerAsync({
      extraProviders: [JwtSecretProvider],
      inject: [JWT_SECRET, AppConfig],
      useFactory: (secret: KeyObject, config: AppConfig) => ({
        secret,
        signOptions: { expiresIn: jwtExpiresIn(config.jwt.expiresIn), algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    JwtSecretProvider,
    AuthService,
    SessionsRepository,
    JwtAuthGuard,
    AdminBootstrapService,
    DemoUsersService,
  ],
  exports: [AuthService, JwtAuthGuard],
})
export class AuthModule {}
