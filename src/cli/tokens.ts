import { type Command, Option } from 'commander';
import { TOKEN_SCOPES } from '../entities/api-token.ts';
import { action } from './action.ts';
import { describeErrors, graphql, ServerError, type ServerOptions } from './plugin/graphql-client.ts';

const FIELDS = 'id name scopes createdAt expiresAt lastUsedAt revokedAt current';

interface TokenRow {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  current: boolean;
}

async function call<T>(opts: ServerOptions, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await graphql<T>(opts, query, variables);
  if (res.errors.length || !res.data) throw new ServerError(describeErrors(res.errors).join('\n'));
  return res.data;
}

/** `2h`, `30d`, `90m` from now, or an ISO date. */
export function parseExpiry(text: string, now = Date.now()): Date {
  const relative = /^(\d+)([mhd])$/.exec(text);
  const date = relative
    ? new Date(now + Number(relative[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 'm' | 'h' | 'd'])
    : new Date(text);
  if (Number.isNaN(date.getTime()))
    throw new Error(`--expires: "${text}" is neither a duration (30d, 12h, 90m) nor a date`);
  return date;
}

const line = (t: TokenRow) =>
  [
    t.id,
    t.name,
    t.scopes.join(','),
    `expires ${t.expiresAt ?? 'never'}`,
    `last used ${t.lastUsedAt ?? 'never'}`,
    ...(t.revokedAt ? [`revoked ${t.revokedAt}`] : []),
    ...(t.current ? ['(this token)'] : []),
  ].join('  ');

/** `plugboard tokens create | list | revoke`: the API's token operations, with the caller's token. */
export function registerTokenCommands(program: Command): void {
  const tokens = program.command('tokens').description('Create, list and revoke your API tokens (through the API)');
  const server = (cmd: Command) =>
    cmd
      .requiredOption('--server <url>', 'Plugboard server, e.g. http://localhost:4000', process.env.PLUGBOARD_SERVER)
      .requiredOption(
        '--token <token>',
        'a full-scope API token (or set PLUGBOARD_TOKEN)',
        process.env.PLUGBOARD_TOKEN,
      );
  server(tokens.command('create'))
    .description('Create a token; prints it as the last line (shown once)')
    .requiredOption('--name <name>', 'a name to tell it apart')
    .addOption(
      new Option('--scope <scope...>', 'scopes besides READ (repeatable); none: read-only').choices(
        TOKEN_SCOPES.filter((s) => s !== 'READ'),
      ),
    )
    .option('--full', 'every scope', false)
    .option('--expires <when>', 'a duration (30d, 12h, 90m) or a date; default never')
    .action(
      action(async (opts: ServerOptions & { name: string; scope?: string[]; full: boolean; expires?: string }) => {
        const input = {
          name: opts.name,
          scopes: opts.full ? TOKEN_SCOPES : ['READ', ...(opts.scope ?? [])],
          expiresAt: opts.expires ? parseExpiry(opts.expires).toISOString() : null,
        };
        const data = await call<{ createApiToken: { token: string; apiToken: TokenRow } }>(
          opts,
          `mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { ${FIELDS} } } }`,
          { input },
        );
        console.error(`Created ${line(data.createApiToken.apiToken)}. The token below is shown once; store it now.`);
        console.log(data.createApiToken.token);
      }),
    );
  server(tokens.command('list'))
    .description('List your tokens: id, name, scopes, expiry, last use (never the secrets)')
    .option('--all', 'include revoked tokens', false)
    .action(
      action(async (opts: ServerOptions & { all: boolean }) => {
        const data = await call<{ apiTokens: { edges: { node: TokenRow }[] } }>(
          opts,
          `query ($all: Boolean) { apiTokens(first: 100, includeRevoked: $all) { edges { node { ${FIELDS} } } } }`,
          { all: opts.all },
        );
        for (const { node } of data.apiTokens.edges) console.log(line(node));
      }),
    );
  server(tokens.command('revoke'))
    .description('Revoke one of your tokens by id: it stops working at once and its subscriptions end')
    .argument('<id>', 'the token id `tokens list` shows')
    .action(
      action(async (id: string, opts: ServerOptions) => {
        const data = await call<{ revokeApiToken: TokenRow }>(
          opts,
          `mutation ($id: ID!) { revokeApiToken(id: $id) { ${FIELDS} } }`,
          { id },
        );
        console.log(`revoked ${line(data.revokeApiToken)}`);
      }),
    );
}
