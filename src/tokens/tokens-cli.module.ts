import { Module } from '@nestjs/common';
import { TokensCommand, TokensCreateCommand, TokensListCommand, TokensRevokeCommand } from './tokens.command';
import { TokensModule } from './tokens.module';

/** `candlekeep tokens create | list | revoke`. */
@Module({
  imports: [TokensModule],
  providers: [TokensCommand, TokensCreateCommand, TokensListCommand, TokensRevokeCommand],
})
export class TokensCliModule {}
