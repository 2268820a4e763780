import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiToken } from '../entities/api-token.entity';
import { ApiTokenRepository } from './api-token.repository';
import { ApiTokensService } from './api-tokens.service';

/** The HTTP API's bearer tokens (`api_tokens`): created, listed and revoked by `candlekeep tokens`, checked by the API. */
@Module({
  imports: [TypeOrmModule.forFeature([ApiToken])],
  providers: [ApiTokenRepository, ApiTokensService],
  exports: [ApiTokensService],
})
export class TokensModule {}
