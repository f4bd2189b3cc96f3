import { createHash, randomBytes } from 'node:crypto';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { ApiToken, ROLES, TOKEN_SCOPES, User, type Role, type TokenScope } from '../entities/index.ts';
import { audit } from './audit.ts';
import { ConflictError, ForbiddenError, NotFoundError } from './errors.ts';
import type { Platform } from './platform/index.ts';
import type { UserRecord } from './read/index.ts';
import { rowMapper } from './read/rows.ts';
import { Validator } from './validation/validator.ts';

const TOKEN_PREFIX = 'pb_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface CreateUserInput {
  handle: string;
  displayName?: string;
  role?: Role;
  verifiedPublisher?: boolean;
}

/** Creates a user and a first API token; the plaintext token is returned once and never stored. */
export async function createUser(
  { db }: Pick<Platform, 'db'>,
  input: CreateUserInput,
): Promise<{ user: UserRecord; token: string }> {
  const v = new Validator();
  v.string('handle', input.handle, {
    min: 2,
    max: 40,
    pattern: /^[a-z0-9][a-z0-9_-]*$/,
    patternHint: 'lower-case letters, digits, _ and -',
  });
  v.string('displayName', input.displayName, { min: 1, max: 100 });
  if (input.role && !ROLES.includes(input.role)) v.add('role', `must be one of ${ROLES.join(', ')}`, 'ENUM');
  v.check();
  return db.fork().transactional(async (tx) => {
    if (await tx.count(User, { handle: input.handle }))
      throw new ConflictError(`The handle "${input.handle}" is taken`);
    const user = tx.create(User, {
      handle: input.handle,
      displayName: input.displayName ?? input.handle,
      role: input.role ?? 'MEMBER',
      verifiedPublisher: input.verifiedPublisher ?? false,
    });
    const { token } = issueToken(tx as SqlEntityManager, user);
    await tx.flush();
    audit(tx, null, 'USER_CREATE', { type: 'USER', id: user.id, name: user.handle }, { role: user.role });
    return { user: { ...user } as UserRecord, token };
  });
}

/** Every scope: what tokens made before scopes existed, and `users create`'s first token, may do. */
export const FULL_SCOPES: readonly TokenScope[] = TOKEN_SCOPES;

export interface IssueOptions {
  name?: string;
  scopes?: readonly TokenScope[];
  expiresAt?: Date | null;
}

/** Creates a token row (flushed with the caller's transaction); the plaintext is returned once. */
export function issueToken(
  em: SqlEntityManager,
  user: User,
  { name = 'cli', scopes = FULL_SCOPES, expiresAt = null }: IssueOptions = {},
): { token: string; row: ApiToken } {
  const token = TOKEN_PREFIX + randomBytes(24).toString('base64url');
  const row = em.create(ApiToken, { user, tokenHash: hashToken(token), name, scopes: scopes.join(','), expiresAt });
  return { token, row };
}

/** What the token a request signed in with allows. */
export interface TokenGrant {
  id: number;
  scopes: readonly TokenScope[];
  /** null: never expires. */
  expiresAt: Date | null;
}

/** The signed-in user and the token used; services name the token in the audit trail. */
export interface Viewer extends UserRecord {
  readonly token?: TokenGrant | null;
}

/** The viewer a bearer token signs in, or null for an unknown, revoked or expired token. One indexed select. */
export async function authenticate(em: SqlEntityManager, token: string): Promise<Viewer | null> {
  if (!wellFormed(token)) return null;
  return lookUp(em, hashToken(token));
}

const wellFormed = (token: string) => token.startsWith(TOKEN_PREFIX) && token.length <= 100;

const toDate = (value: unknown): Date | null =>
  value === null || value === undefined
    ? null
    : value instanceof Date
      ? value
      : new Date(typeof value === 'number' ? value : /^\d+$/.test(String(value)) ? Number(value) : String(value));

export const isExpired = (grant: Pick<TokenGrant, 'expiresAt'>, now = Date.now()): boolean =>
  grant.expiresAt !== null && grant.expiresAt.getTime() <= now;

export const parseScopes = (text: string): TokenScope[] =>
  text.split(',').filter((s): s is TokenScope => (TOKEN_SCOPES as readonly string[]).includes(s));

async function lookUp(em: SqlEntityManager, tokenHash: string): Promise<Viewer | null> {
  const qb = em
    .getKnex()
    .select('users.*', {
      pb_token_id: 'api_tokens.id',
      pb_token_scopes: 'api_tokens.scopes',
      pb_token_expires_at: 'api_tokens.expires_at',
    })
    .from('users')
    .join('api_tokens', 'api_tokens.user_id', 'users.id')
    .where('api_tokens.token_hash', tokenHash)
    .whereNull('api_tokens.revoked_at')
    .limit(1);
  const [row] = await em.getConnection().execute<Record<string, unknown>[]>(qb, [], 'all', em.getTransactionContext());
  if (!row) return null;
  const grant: TokenGrant = {
    id: Number(row.pb_token_id),
    scopes: Object.freeze(parseScopes(String(row.pb_token_scopes))),
    expiresAt: toDate(row.pb_token_expires_at),
  };
  if (isExpired(grant)) return null;
  return { ...rowMapper<UserRecord>(em.getMetadata(), User)(row), token: Object.freeze(grant) };
}

export interface TokenCacheOptions {
  /**
   * Longest a token stays trusted without a look-up: bounds how long a token deleted behind this
   * instance's back (no invalidation announced) keeps working. 0 disables the cache. @default 5000
   */
  ttlMs?: number;
  /** Tokens kept; the oldest is dropped past this. @default 10_000 */
  maxEntries?: number;
}

/** Which cached tokens to forget: one token (by hash), every token of a user, or (nothing given) all. */
export interface TokenInvalidation {
  tokenHash?: string;
  userId?: number;
}

export interface TokenCache {
  /** `authenticate` answered from memory when this instance looked the token up recently. */
  authenticate(em: SqlEntityManager, token: string): Promise<Viewer | null>;
  /**
   * Forgets tokens at once, including look-ups in flight when it is called (their answer is not
   * kept). Call it whenever a token or its user is deleted or changed, on every instance (the
   * server relays it over the event bus).
   */
  invalidate(what?: TokenInvalidation): void;
}

/**
 * A per-instance cache of token → user, so a signed-in request costs no statement for its viewer.
 * Only known tokens are kept (an unknown one is looked up every time, so a token issued by another
 * process works at once); concurrent look-ups of one token share one statement.
 */
export function createTokenCache({ ttlMs = 5000, maxEntries = 10_000 }: TokenCacheOptions = {}): TokenCache {
  const entries = new Map<string, { user: Viewer; expiresAt: number }>();
  const pending = new Map<string, Promise<Viewer | null>>();
  // Moved by every invalidation: a look-up that started before one does not store its answer.
  let generation = 0;
  return {
    async authenticate(em, token) {
      if (ttlMs <= 0) return authenticate(em, token);
      if (!wellFormed(token)) return null;
      const tokenHash = hashToken(token);
      const hit = entries.get(tokenHash);
      // A token that expires while cached stops working at its expiry, not at the entry's.
      if (hit && hit.expiresAt > performance.now() && !(hit.user.token && isExpired(hit.user.token))) return hit.user;
      entries.delete(tokenHash);
      const inFlight = pending.get(tokenHash);
      if (inFlight) return inFlight;
      const startedAt = generation;
      const lookup = lookUp(em, tokenHash).then((user) => user && Object.freeze(user));
      pending.set(tokenHash, lookup);
      let user: Viewer | null;
      try {
        user = await lookup;
      } finally {
        if (pending.get(tokenHash) === lookup) pending.delete(tokenHash);
      }
      if (user && startedAt === generation) {
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
        entries.set(tokenHash, { user, expiresAt: performance.now() + ttlMs });
      }
      return user;
    },
    invalidate({ tokenHash, userId }: TokenInvalidation = {}) {
      generation++;
      pending.clear();
      if (tokenHash === undefined && userId === undefined) return entries.clear();
      if (tokenHash !== undefined) entries.delete(tokenHash);
      if (userId !== undefined) for (const [hash, e] of entries) if (e.user.id === userId) entries.delete(hash);
    },
  };
}

/** Reads the bearer token from an `Authorization` header value. */
export function bearerToken(header: string | null | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1] : null;
}

/** Of these token hashes, the ones that still authenticate: not deleted, revoked or expired. */
export async function validTokenHashes(em: SqlEntityManager, hashes: string[]): Promise<Set<string>> {
  const valid = new Set<string>();
  for (let i = 0; i < hashes.length; i += 500) {
    const rows = await em.getConnection().execute<{ token_hash: string; expires_at: unknown }[]>(
      em
        .getKnex()('api_tokens')
        .select('token_hash', 'expires_at')
        .whereNull('revoked_at')
        .whereIn('token_hash', hashes.slice(i, i + 500)),
    );
    for (const row of rows) if (!isExpired({ expiresAt: toDate(row.expires_at) })) valid.add(row.token_hash);
  }
  return valid;
}

/**
 * Revokes an API token by its plaintext (operators' tooling and tests; users revoke theirs by id
 * with `revokeApiToken`) and announces it on the event bus, so that subscriptions opened with it
 * end on every instance at once. Returns whether a live token was revoked.
 */
export async function revokeToken({ db, events }: Pick<Platform, 'db' | 'events'>, token: string): Promise<boolean> {
  const tokenHash = hashToken(token);
  const revoked = await db.fork().transactional(async (tx) => {
    const row = await tx.findOne(ApiToken, { tokenHash, revokedAt: null }, { populate: ['user'] });
    if (!row) return false;
    row.revokedAt = new Date();
    audit(
      tx,
      null,
      'TOKEN_REVOKE',
      { type: 'API_TOKEN', id: row.id, name: row.name },
      {
        owner: row.user.getEntity().handle,
      },
    );
    return true;
  });
  events.publish('token-revoked', tokenHash);
  return revoked;
}

/** Marks or unmarks a user as a verified publisher (admins only); returns the user's id. */
export async function setPublisherVerified(
  { db }: Pick<Platform, 'db'>,
  viewer: Viewer,
  handle: string,
  verified: boolean,
): Promise<number> {
  if (viewer.role !== 'ADMIN') throw new ForbiddenError('Only admins may verify publishers');
  return db.fork().transactional(async (tx) => {
    const user = await tx.findOne(User, { handle });
    if (!user) throw new NotFoundError('User', handle);
    user.verifiedPublisher = verified;
    await tx.flush();
    audit(tx, viewer, 'PUBLISHER_VERIFY', { type: 'USER', id: user.id, name: user.handle }, { verified });
    return user.id;
  });
}
