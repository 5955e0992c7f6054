import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { PageQuery } from '../../common/pagination/page';

export class UserLookupQuery extends PageQuery {
  @ApiProperty({ minLength: 2, maxLength: 100, description: 'Display-name or email prefix' })
  @IsString()
  @Length(2, 100)
  query!: string;
}

export class SuspendUserDto {
  @ApiProperty({ minLength: 1, maxLength: 500 })
  @IsString()
  @Length(1, 500)
  reason!: string;
}
