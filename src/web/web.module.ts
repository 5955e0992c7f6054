import { Module } from '@nestjs/common';
import { WebClient } from './web-client';

/** The reference web client (`web/`), served at `/`. */
@Module({ providers: [WebClient] })
export class WebModule {}
