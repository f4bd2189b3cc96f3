import type { SqlEntityManager } from '@mikro-orm/knex';
import { ApiToken, TOKEN_SCOPES, User, type TokenScope } from '../entities/index.ts';
import { audit } from './audit.ts';
import { ConflictError, NotFoundError } from './errors.ts';
import type { Platform } from './platform/index.ts';
import { applyKeyset, pageRequest, selectRows, toPage, type Page, type PageArgs } from './read/index.ts';
import { issueToken, parseScopes, type Viewer } from './users.ts';
import { Validator } from './validation/validator.ts';

/** What a mutation asks of a token: WRITE, PUBLISH, or FULL (every scope). */
export type TokenRequirement = 'WRITE' | 'PUBLISH' | 'FULL';

/** The scopes a token lacks for a requirement; none when no token is involved (the role check decides). */
export function missingScopes(
  grant: { scopes: readonly TokenScope[] } | null | undefined,
  needed: TokenRequirement,
): TokenScope[] {
  if (!grant) return [];
  const wanted: readonly TokenScope[] = needed === 'FULL' ? TOKEN_SCOPES : [needed];
  return wanted.filter((s) => !grant.scopes.includes(s));
}

/** Live (not revoked) tokens one user may hold. */
export const MAX_TOKENS_PER_USER = 100;

export interface ApiTokenRecord {
  id: number;
  userId: number;
  name: string;
  scopes: TokenScope[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

export interface CreateApiTokenInput {
  name: string;
  /** Every token may read; READ alone (or none) makes a read-only token. */
  scopes?: readonly TokenScope[] | null;
  /** Must be in the future; null or absent: never expires. */
  expiresAt?: Date | null;
}

/** Creates a token for the viewer; the plaintext is returned once and only its hash is kept. */
export async function createApiToken(
  { db }: Pick<Platform, 'db'>,
  viewer: Viewer,
  input: CreateApiTokenInput,
): Promise<{ token: string; id: number }> {
  const v = new Validator();
  v.string('name', input.name, { min: 1, max: 100 });
  const unknown = (input.scopes ?? []).filter((s) => !TOKEN_SCOPES.includes(s));
  if (unknown.length) v.add('scopes', `must be among ${TOKEN_SCOPES.join(', ')}`, 'ENUM');
  if (input.expiresAt && !(input.expiresAt.getTime() > Date.now())) v.add('expiresAt', 'must be in the future', 'PAST');
  v.check();
  const scopes = TOKEN_SCOPES.filter((s) => s === 'READ' || input.scopes?.includes(s));
  return db.fork().transactional(async (tx) => {
    const live = await tx.count(ApiToken, { user: viewer.id, revokedAt: null });
    if (live >= MAX_TOKENS_PER_USER)
      throw new ConflictError(
        `You already have ${live} live tokens: revoke some first (the limit is ${MAX_TOKENS_PER_USER})`,
      );
    const { token, row } = issueToken(tx as SqlEntityManager, tx.getReference(User, viewer.id), {
      name: input.name,
      scopes,
      expiresAt: input.expiresAt ?? null,
    });
    await tx.flush();
    audit(
      tx,
      viewer,
      'TOKEN_CREATE',
      { type: 'API_TOKEN', id: row.id, name: row.name },
      {
        scopes,
        expiresAt: row.expiresAt?.toISOString() ?? null,
      },
    );
    return { token, id: row.id };
  });
}

/**
 * Revokes one of the viewer's tokens: it stops authenticating on every instance at once, and the
 * subscriptions opened with it end. Revoking a revoked token is a no-op that returns it.
 */
export async function revokeApiToken(
  { db, events }: Pick<Platform, 'db' | 'events'>,
  viewer: Viewer,
  id: number,
): Promise<number> {
  const tokenHash = await db.fork().transactional(async (tx) => {
    const row = await tx.findOne(ApiToken, { id, user: viewer.id });
    if (!row) throw new NotFoundError('ApiToken', id);
    if (row.revokedAt) return null;
    row.revokedAt = new Date();
    audit(tx, viewer, 'TOKEN_REVOKE', { type: 'API_TOKEN', id: row.id, name: row.name });
    return row.tokenHash;
  });
  if (tokenHash) events.publish('token-revoked', tokenHash);
  return id;
}

const toRecord = (row: ApiTokenRecord): ApiTokenRecord => ({
  ...row,
  scopes: parseScopes(row.scopes as unknown as string),
});

/** The viewer's tokens, newest first; revoked ones only when asked. Never the secret or its hash. */
export async function listApiTokens(
  em: SqlEntityManager,
  userId: number,
  { includeRevoked = false }: { includeRevoked?: boolean | null },
  page: PageArgs,
): Promise<Page<ApiTokenRecord>> {
  const request = pageRequest(page);
  const rows = await selectRows<ApiTokenRecord & { tokenHash?: string }>(em, ApiToken, (qb) => {
    qb.where('api_tokens.user_id', userId);
    if (!includeRevoked) qb.whereNull('api_tokens.revoked_at');
    applyKeyset(qb, [{ sql: 'api_tokens.id', direction: 'desc', type: 'number' }], request);
    return qb;
  });
  const records = rows.map(({ tokenHash: _, ...row }) => toRecord(row));
  return toPage(records, request, (t) => [null, t.id]);
}

/** One of the user's tokens by id, or null. */
export async function findApiToken(em: SqlEntityManager, userId: number, id: number): Promise<ApiTokenRecord | null> {
  const [row] = await selectRows<ApiTokenRecord & { tokenHash?: string }>(em, ApiToken, (qb) =>
    qb.where('api_tokens.user_id', userId).where('api_tokens.id', id).limit(1),
  );
  if (!row) return null;
  const { tokenHash: _, ...rest } = row;
  return toRecord(rest);
}

export interface TokenUsage {
  /** Notes that a token authenticated a request; costs a map look-up, never a statement on the request path. */
  touch(tokenId: number): void;
  /** Waits for writes in flight (at shutdown). */
  close(): Promise<void>;
}

/**
 * Keeps `lastUsedAt` current without a write per request: a token's first use in each interval
 * schedules one batched `update` for every token first used in the same tick.
 */
export function createTokenUsage({
  db,
  logger,
  intervalMs = 60_000,
  maxTracked = 50_000,
}: Pick<Platform, 'db' | 'logger'> & { intervalMs?: number; maxTracked?: number }): TokenUsage {
  const noted = new Map<number, number>();
  let pending = new Set<number>();
  let inFlight: Promise<void> | null = null;
  const flush = async () => {
    const ids = [...pending];
    pending = new Set();
    try {
      // Unlogged, as the other writes that answer no request: it lands after the response that
      // caused it, so statement logs would count it in whatever request came next.
      const em = db.fork();
      const at = em.getPlatform().processDateProperty(new Date());
      await em.execute(em.getKnex()('api_tokens').whereIn('id', ids).update({ last_used_at: at }), [], 'run', {
        enabled: false,
      });
    } catch (err) {
      logger.warn({ err }, 'could not record when API tokens were last used');
    }
  };
  return {
    touch(tokenId) {
      const now = Date.now();
      const last = noted.get(tokenId);
      if (last !== undefined && now - last < intervalMs) return;
      noted.delete(tokenId);
      noted.set(tokenId, now);
      if (noted.size > maxTracked) noted.delete(noted.keys().next().value as number);
      pending.add(tokenId);
      if (pending.size === 1) {
        const run: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve)).then(flush).finally(() => {
          if (inFlight === run) inFlight = null;
        });
        inFlight = run;
      }
    },
    async close() {
      await inFlight;
    },
  };
}
