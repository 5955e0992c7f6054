import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { CharLength } from '../../common/validation/validators';
import { PageQuery } from '../../common/pagination/page';

export class UserLookupQuery extends PageQuery {
  @ApiProperty({ minLength: 2, maxLength: 100, description: 'Display-name or email prefix' })
  @IsString()
  @CharLength(2, 100)
  query!: string;
}

export class SuspendUserDto {
  @ApiProperty({ minLength: 1, maxLength: 500 })
  @IsString()
  @CharLength(1, 500)
  reason!: string;
}
