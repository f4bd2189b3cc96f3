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

/** The user a bearer token belongs to, or null for an unknown token. */
export async function authenticate(em: SqlEntityManager, token: string): Promise<UserRecord | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return null;
  const [user] = await selectRows<UserRecord>(em, User, (qb) =>
    qb.join('api_tokens', 'api_tokens.user_id', 'users.id').where('api_tokens.token_hash', hashToken(token)).limit(1),
  );
  return user ?? null;
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
export async function revokeToken(
  { db, events }: Pick<Platform, 'db' | 'events'>,
  token: string,
): Promise<boolean> {
  const tokenHash = hashToken(token);
  const deleted = await db.fork().nativeDelete(ApiToken, { tokenHash });
  events.publish('token-revoked', tokenHash);
  return deleted > 0;
}
