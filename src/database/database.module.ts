import { Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule, TypeOrmModuleOptions } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { DatabaseTarget, databaseTarget, openDataSource } from './data-source';
import { DataDirLockedError } from './embedded-lock';
import { RedisProvider, RedisShutdown, REDIS } from './redis.provider';
import { SecretsService } from './secrets.service';
import { Sql } from './sql';
import { Transactions } from './transactions';

type DatabaseModuleOptions = TypeOrmModuleOptions & { target: DatabaseTarget };

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig): DatabaseModuleOptions => ({
        type: 'postgres',
        autoLoadEntities: true,
        retryAttempts: 5,
        toRetry: (err: unknown) => !(err instanceof DataDirLockedError),
        target: databaseTarget(config),
      }),
      dataSourceFactory: async (options) => {
        const { target, entities } = options as DatabaseModuleOptions;
        return openDataSource(target, new Logger('Database'), { entities });
      },
    }),
  ],
  providers: [RedisProvider, RedisShutdown, SecretsService, Transactions, Sql],
  exports: [REDIS, SecretsService, Transactions, Sql],
})
export class DatabaseModule {}
