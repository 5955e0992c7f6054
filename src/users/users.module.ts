import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminUsersController } from './admin-users.controller';
import { UserBlockEntity } from './entities/user-block.entity';
import { UserMessageSettingsEntity } from './entities/user-message-settings.entity';
import { UserEntity } from './entities/user.entity';
import { UserDirectory } from './user-directory';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, UserMessageSettingsEntity, UserBlockEntity])],
  controllers: [UsersController, AdminUsersController],
  providers: [UsersRepository, UsersService, UserDirectory],
  exports: [UsersService, UserDirectory],
})
export class UsersModule {}
