import { createHash, randomBytes } from 'node:crypto';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { ApiToken, ROLES, User, type Role } from '../entities/index.ts';
import { ConflictError } from './errors.ts';
import type { Platform } from './platform/index.ts';
import { selectRows, type UserRecord } from './read/index.ts';
import { Validator } from './validate.ts';

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
    const token = await issueToken(tx as SqlEntityManager, user);
    await tx.flush();
    return { user: { ...user } as UserRecord, token };
  });
}

export async function issueToken(em: SqlEntityManager, user: User, label = 'cli'): Promise<string> {
  const token = TOKEN_PREFIX + randomBytes(24).toString('base64url');
  em.create(ApiToken, { user, tokenHash: hashToken(token), label });
  return token;
}

/** The user a bearer token belongs to, or null for an unknown token. One indexed select. */
export async function authenticate(em: SqlEntityManager, token: string): Promise<UserRecord | null> {
  if (!wellFormed(token)) return null;
  return lookUp(em, hashToken(token));
}

const wellFormed = (token: string) => token.startsWith(TOKEN_PREFIX) && token.length <= 100;

async function lookUp(em: SqlEntityManager, tokenHash: string): Promise<UserRecord | null> {
  const [user] = await selectRows<UserRecord>(em, User, (qb) =>
    qb.join('api_tokens', 'api_tokens.user_id', 'users.id').where('api_tokens.token_hash', tokenHash).limit(1),
  );
  return user ?? null;
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
  authenticate(em: SqlEntityManager, token: string): Promise<UserRecord | null>;
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
  const entries = new Map<string, { user: UserRecord; expiresAt: number }>();
  const pending = new Map<string, Promise<UserRecord | null>>();
  // Moved by every invalidation: a look-up that started before one does not store its answer.
  let generation = 0;
  return {
    async authenticate(em, token) {
      if (ttlMs <= 0) return authenticate(em, token);
      if (!wellFormed(token)) return null;
      const tokenHash = hashToken(token);
      const hit = entries.get(tokenHash);
      if (hit && hit.expiresAt > performance.now()) return hit.user;
      entries.delete(tokenHash);
      const inFlight = pending.get(tokenHash);
      if (inFlight) return inFlight;
      const startedAt = generation;
      const lookup = lookUp(em, tokenHash).then((user) => user && Object.freeze(user));
      pending.set(tokenHash, lookup);
      let user: UserRecord | null;
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

/** Of these token hashes, the ones that still authenticate (the server re-checks live subscriptions). */
export async function validTokenHashes(em: SqlEntityManager, hashes: string[]): Promise<Set<string>> {
  const valid = new Set<string>();
  for (let i = 0; i < hashes.length; i += 500) {
    const rows = await em.getConnection().execute<{ token_hash: string }[]>(
      em
        .getKnex()('api_tokens')
        .select('token_hash')
        .whereIn('token_hash', hashes.slice(i, i + 500)),
    );
    for (const row of rows) valid.add(row.token_hash);
  }
  return valid;
}

/**
 * Deletes an API token and announces it on the event bus, so that subscriptions opened with it
 * end on every instance at once. Returns whether the token existed.
 */
export async function revokeToken({ db, events }: Pick<Platform, 'db' | 'events'>, token: string): Promise<boolean> {
  const tokenHash = hashToken(token);
  const deleted = await db.fork().nativeDelete(ApiToken, { tokenHash });
  events.publish('token-revoked', tokenHash);
  return deleted > 0;
}
