import { Module } from '@nestjs/common';
import { VisibilityRepository } from './visibility.repository';
import { Visibility } from './visibility.service';

/** The one owner of "who may see what" (see Visibility). */
@Module({
  providers: [VisibilityRepository, Visibility],
  exports: [Visibility],
})
export class VisibilityModule {}
