import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiToken } from '../entities/index.ts';
import { migrate, openDatabase, type Database } from '../db/orm.ts';
import { createTestStorage, type TestStorage } from '../../test/support/database.ts';
import { createTokenCache, createUser, hashToken, type TokenInvalidation } from './users.ts';

let storage: TestStorage;
let db: Database;
let statements = 0;

beforeAll(async () => {
  storage = await createTestStorage();
  db = await openDatabase({ ...storage, onQuery: (sql) => /\bselect\b/i.test(sql) && statements++ });
  await migrate(db);
}, 60_000);
afterAll(async () => {
  await db.close();
  await storage.drop();
});

let n = 0;
const newUser = async () => createUser({ db }, { handle: `u${n++}` });
const counted = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  statements = 0;
  const value = await fn();
  return [value, statements];
};
const deleteToken = (token: string) => db.fork().nativeDelete(ApiToken, { tokenHash: hashToken(token) });

describe('token cache', () => {
  it('answers a known token from memory after one look-up, and never caches unknown or malformed ones', async () => {
    const cache = createTokenCache();
    const { user, token } = await newUser();
    const [first, cold] = await counted(() => cache.authenticate(db.fork(), token));
    expect(first?.id).toBe(user.id);
    expect(cold).toBe(1);
    for (let i = 0; i < 5; i++) {
      const [again, warm] = await counted(() => cache.authenticate(db.fork(), token));
      expect(again?.id).toBe(user.id);
      expect(warm).toBe(0);
    }
    for (const bad of ['pb_unknown', `${token}x`, token.slice(0, -1)]) {
      expect(await counted(() => cache.authenticate(db.fork(), bad))).toEqual([null, 1]);
      expect(await counted(() => cache.authenticate(db.fork(), bad))).toEqual([null, 1]);
    }
    for (const malformed of ['', 'Bearer', token.replace('pb_', 'xx_'), `pb_${'a'.repeat(200)}`])
      expect(await counted(() => cache.authenticate(db.fork(), malformed))).toEqual([null, 0]);
  });

  it('shares one statement among concurrent look-ups of one token', async () => {
    const cache = createTokenCache();
    const { user, token } = await newUser();
    const [users, count] = await counted(() =>
      Promise.all(Array.from({ length: 8 }, () => cache.authenticate(db.fork(), token))),
    );
    expect(users.map((u) => u?.id)).toEqual(Array(8).fill(user.id));
    expect(count).toBe(1);
  });

  // Each way of naming what to forget, against a deleted token and a bystander that must stay cached.
  const targets: [string, (t: { user: { id: number }; token: string }) => TokenInvalidation | undefined][] = [
    ['the token', ({ token }) => ({ tokenHash: hashToken(token) })],
    ['the user', ({ user }) => ({ userId: user.id })],
    ['everything', () => undefined],
  ];
  for (const [label, what] of targets) {
    it(`stops a deleted token at once when told to forget ${label}`, async () => {
      const cache = createTokenCache({ ttlMs: 3_600_000 });
      const victim = await newUser();
      const bystander = await newUser();
      await cache.authenticate(db.fork(), victim.token);
      await cache.authenticate(db.fork(), bystander.token);
      await deleteToken(victim.token);
      // Without an invalidation the cache may still trust it (within its TTL)...
      expect((await cache.authenticate(db.fork(), victim.token))?.id).toBe(victim.user.id);
      cache.invalidate(what(victim));
      expect(await cache.authenticate(db.fork(), victim.token)).toBeNull();
      const [kept, count] = await counted(() => cache.authenticate(db.fork(), bystander.token));
      expect(kept?.id).toBe(bystander.user.id);
      expect(count).toBe(label === 'everything' ? 1 : 0);
    });
  }

  it('does not keep the answer of a look-up that an invalidation overtook', async () => {
    const cache = createTokenCache({ ttlMs: 3_600_000 });
    const { user, token } = await newUser();
    const inFlight = cache.authenticate(db.fork(), token); // reads the token before it is deleted...
    cache.invalidate({ userId: user.id }); // ...the deletion is announced while it runs
    await deleteToken(token);
    await inFlight;
    expect(await cache.authenticate(db.fork(), token)).toBeNull();
  });

  it('looks a token up again once its TTL has passed, and every time with the cache off', async () => {
    const { token } = await newUser();
    const short = createTokenCache({ ttlMs: 1 });
    await short.authenticate(db.fork(), token);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await counted(() => short.authenticate(db.fork(), token)))[1]).toBe(1);
    const off = createTokenCache({ ttlMs: 0 });
    for (let i = 0; i < 3; i++) expect((await counted(() => off.authenticate(db.fork(), token)))[1]).toBe(1);
  });

  it('keeps at most maxEntries tokens', async () => {
    const cache = createTokenCache({ maxEntries: 2 });
    const users = [await newUser(), await newUser(), await newUser()];
    for (const { token } of users) await cache.authenticate(db.fork(), token);
    // The oldest went; the two newest stayed.
    expect((await counted(() => cache.authenticate(db.fork(), users[2].token)))[1]).toBe(0);
    expect((await counted(() => cache.authenticate(db.fork(), users[0].token)))[1]).toBe(1);
  });
});
