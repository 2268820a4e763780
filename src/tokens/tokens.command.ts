import { Inject } from '@nestjs/common';
import { Command as Commander } from 'commander';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import { UsageError } from '../common/errors';
import { renderTable } from '../common/table';
import { API_SCOPES, ApiScope } from '../entities/api-token.entity';
import { ApiTokensService } from './api-tokens.service';

interface CreateOptions extends JsonOption {
  scopes?: ApiScope[];
}

const isScope = (s: string): s is ApiScope => (API_SCOPES as readonly string[]).includes(s);

/** `--scopes read,ingest`: a non-empty comma list of read, ingest, admin. */
function parseScopes(value: string): ApiScope[] {
  const parts = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const unknown = parts.filter((p) => !isScope(p));
  if (parts.length === 0 || unknown.length > 0)
    throw new UsageError(
      `--scopes: ${JSON.stringify(value)} is not a comma list of ${API_SCOPES.join(', ')}` +
        (unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''),
    );
  return parts.filter(isScope);
}

/** Exactly one NAME argument of `tokens <action> NAME`. */
function oneName(action: string, params: string[]): string {
  if (params.length !== 1)
    throw new UsageError(`tokens ${action}: exactly one NAME is required, e.g. candlekeep tokens ${action} grafana`);
  return params[0]!;
}

// The subcommands reach the service by property: they declare no constructor of their own.
abstract class TokensSubCommand<T extends JsonOption = JsonOption> extends CandlekeepCommand<T> {
  @Inject(ApiTokensService)
  protected readonly tokens!: ApiTokensService;
}

@SubCommand({
  name: 'create',
  arguments: '<name>',
  description: 'create an API token and print it (shown this once: only its SHA-256 is stored)',
})
export class TokensCreateCommand extends TokensSubCommand<CreateOptions> {
  protected async execute(params: string[], o: CreateOptions): Promise<CommandOutcome> {
    const { token, entry } = await this.tokens.create(oneName('create', params), o.scopes ?? ['read']);
    return this.ok(
      { ...entry, token },
      `token ${entry.name} (scopes ${entry.scopes.join(', ')}); it is shown only this once:\n${token}`,
    );
  }

  @Option({
    flags: '--scopes <scopes>',
    description: `comma list of ${API_SCOPES.join(', ')} (admin implies every scope; default read)`,
  })
  parseScopes(v: string): ApiScope[] {
    return parseScopes(v);
  }
}

@SubCommand({ name: 'list', description: 'the API tokens: name, scopes, created, last used, revoked (never a token)' })
export class TokensListCommand extends TokensSubCommand {
  protected async execute(params: string[]): Promise<CommandOutcome> {
    if (params.length)
      throw new UsageError(`tokens list takes no arguments, got ${params.map((p) => JSON.stringify(p)).join(' ')}`);
    const tokens = await this.tokens.list();
    const text = tokens.length
      ? renderTable(
          ['name', 'scopes', 'created', 'last used', 'revoked'],
          tokens.map((t) => [t.name, t.scopes.join(','), t.created_at, t.last_used_at, t.revoked_at]),
        )
      : 'no tokens (create one: candlekeep tokens create NAME --scopes read)';
    return this.ok({ total: tokens.length, tokens }, text);
  }
}

@SubCommand({
  name: 'revoke',
  arguments: '<name>',
  description: 'revoke an API token: requests with it answer 401 from now on (the row and its name stay)',
})
export class TokensRevokeCommand extends TokensSubCommand {
  protected async execute(params: string[]): Promise<CommandOutcome> {
    const entry = await this.tokens.revoke(oneName('revoke', params));
    return this.ok(entry, `token ${entry.name} revoked at ${entry.revoked_at}`);
  }
}

/** `candlekeep tokens <subcommand>`: no flags of its own, so `tokens list --json` reaches the subcommand. */
@Command({
  name: 'tokens',
  description: 'API tokens of the HTTP API (subcommands: create NAME --scopes read,ingest, list, revoke NAME)',
  subCommands: [TokensCreateCommand, TokensListCommand, TokensRevokeCommand],
})
export class TokensCommand extends CommandRunner {
  override setCommand(command: Commander): this {
    command.exitOverride();
    command.addHelpText('after', '\nEvery subcommand accepts --json (one JSON object on stdout) and --help.');
    return super.setCommand(command);
  }

  async run(params: string[]): Promise<void> {
    throw new UsageError(
      params.length
        ? `unknown tokens subcommand ${JSON.stringify(params[0])}: use create, list or revoke`
        : 'missing subcommand: use `candlekeep tokens create NAME --scopes read`, `tokens list` or `tokens revoke NAME`',
    );
  }
}
