import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_KV_KEYS, MAX_KV_WRITES_PER_CALL } from '../../src/runtime/index.ts';
import { KV_BATCH } from '../../src/services/execute/kv-store.ts';
import { buildTestPlugin, EXECUTE, INSTALL, listAndPublish } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let statements: string[] = [];
let counting = false;

beforeAll(async () => {
  server = await startTestServer({ onQuery: (sql) => counting && statements.push(sql) });
  const publisher = await server.user('kv-labs', 'PUBLISHER');
  const { manifest, wasm } = await buildTestPlugin('kv-bulk');
  await listAndPublish(server, publisher, manifest, wasm);
}, 120_000);
afterAll(() => server.stop());

async function install(token: string): Promise<string> {
  const { installPlugin } = await server.ok(INSTALL, { input: { slug: 'kv-bulk', grantPermissions: ['kv'] } }, token);
  return installPlugin.id;
}

async function call(
  token: string,
  id: string,
  fn: 'put' | 'drop' | 'get',
  prefix: string,
  from: number,
  count: number,
) {
  const input = `${prefix},${from},${count}`;
  return (await server.ok(EXECUTE, { input: { installationId: id, function: fn, input } }, token)).executePlugin;
}

/** Fills keys prefix0.. prefix(n-1) in as many calls as the per-call cap needs. */
async function fill(token: string, id: string, prefix: string, n: number): Promise<void> {
  for (let from = 0; from < n; from += MAX_KV_WRITES_PER_CALL) {
    const r = await call(token, id, 'put', prefix, from, Math.min(MAX_KV_WRITES_PER_CALL, n - from));
    expect(r.status).toBe('SUCCEEDED');
  }
}

/** The statements touching `kv_entries` that one call issues. */
async function kvStatements(run: () => Promise<unknown>): Promise<string[]> {
  statements = [];
  counting = true;
  await run();
  counting = false;
  return statements.filter((s) => s.includes('kv_entries'));
}

describe('committing KV writes', () => {
  it('takes a number of statements that grows with N / batch, not N', async () => {
    for (const n of [1, 10, KV_BATCH - 1, KV_BATCH, KV_BATCH + 1, 777, MAX_KV_WRITES_PER_CALL]) {
      const user = await server.user(`batcher-${n}`);
      const id = await install(user);
      const batches = Math.ceil(n / KV_BATCH);
      const put = await kvStatements(async () =>
        expect((await call(user, id, 'put', 'k', 0, n)).status).toBe('SUCCEEDED'),
      );
      expect(
        put.filter((s) => /\binsert into\b/i.test(s)),
        `put ${n}`,
      ).toHaveLength(batches);
      expect(put.length, `put ${n}`).toBeLessThanOrEqual(batches + 1);
      // Overwrites go through the same upsert.
      const again = await kvStatements(() => call(user, id, 'put', 'k', 0, n));
      expect(again.filter((s) => /\binsert into\b/i.test(s))).toHaveLength(batches);
      const drop = await kvStatements(async () =>
        expect((await call(user, id, 'drop', 'k', 0, n)).output).toBe(String(n)),
      );
      expect(
        drop.filter((s) => /\bdelete from\b/i.test(s)),
        `drop ${n}`,
      ).toHaveLength(batches);
      expect((await call(user, id, 'get', 'k', 0, Math.min(n, 5))).output).toBe(
        Array(Math.min(n, 5)).fill('-').join(','),
      );
    }
  }, 120_000);

  it('stores exactly what was written, over keys of every shape', async () => {
    const user = await server.user('shapes');
    const id = await install(user);
    for (const prefix of ['a', 'ключ-', '鍵', '🔑', 'x'.repeat(200), 'mixed é 🔑 ']) {
      expect((await call(user, id, 'put', prefix, 0, 3)).status).toBe('SUCCEEDED');
      expect((await call(user, id, 'get', prefix, 0, 4)).output).toBe(`${prefix}0,${prefix}1,${prefix}2,-`);
    }
  });
});

describe('KV count limits', () => {
  it(`fails a call writing more than ${MAX_KV_WRITES_PER_CALL} keys with PLUGIN_KV_LIMIT, keeping none of its writes`, async () => {
    const user = await server.user('writer');
    const id = await install(user);
    for (const n of [MAX_KV_WRITES_PER_CALL + 1, MAX_KV_WRITES_PER_CALL + 2, 2 * MAX_KV_WRITES_PER_CALL]) {
      const r = await call(user, id, 'put', `w${n}-`, 0, n);
      expect(r).toMatchObject({ status: 'FAILED', errorCode: 'PLUGIN_KV_LIMIT' });
      expect(r.errorMessage).toContain(String(MAX_KV_WRITES_PER_CALL));
      expect((await call(user, id, 'get', `w${n}-`, 0, 3)).output).toBe('-,-,-');
    }
    // Deletes count as writes too: none of an oversized call's deletes are applied.
    await fill(user, id, 'd', MAX_KV_WRITES_PER_CALL + 1);
    const r = await call(user, id, 'drop', 'd', 0, MAX_KV_WRITES_PER_CALL + 1);
    expect(r).toMatchObject({ status: 'FAILED', errorCode: 'PLUGIN_KV_LIMIT' });
    expect((await call(user, id, 'get', 'd', 0, 2)).output).toBe('d0,d1');
    expect((await call(user, id, 'get', 'd', MAX_KV_WRITES_PER_CALL, 1)).output).toBe(`d${MAX_KV_WRITES_PER_CALL}`);
  }, 120_000);

  it(`holds at most ${MAX_KV_KEYS} keys per installation, and reads a full store without loading it per call`, async () => {
    const user = await server.user('hoarder');
    const id = await install(user);
    await fill(user, id, 'k', MAX_KV_KEYS);
    for (const count of [1, 2, 50]) {
      const r = await call(user, id, 'put', 'new', 0, count);
      expect(r).toMatchObject({ status: 'FAILED', errorCode: 'PLUGIN_KV_LIMIT' });
      expect(r.errorMessage).toContain(String(MAX_KV_KEYS));
      expect((await call(user, id, 'get', 'new', 0, 1)).output).toBe('-');
    }
    // Overwriting stays possible, and deleting makes room.
    expect((await call(user, id, 'put', 'k', 0, 10)).status).toBe('SUCCEEDED');
    expect((await call(user, id, 'drop', 'k', 0, 2)).output).toBe('2');
    expect((await call(user, id, 'put', 'new', 0, 2)).status).toBe('SUCCEEDED');
    expect((await call(user, id, 'put', 'new', 2, 1)).errorCode).toBe('PLUGIN_KV_LIMIT');

    // A call reads the keys it asks for: the store it committed is not read back row by row.
    const reads = await kvStatements(async () =>
      expect((await call(user, id, 'get', 'k', 9_998, 3)).output).toBe('k9998,k9999,-'),
    );
    expect(reads).toEqual([]);
    const rows = await server.app.platform.db
      .fork()
      .getConnection()
      .execute<{ n: number }[]>('select count(*) as n from kv_entries where installation_id = ?', [
        Number(Buffer.from(id, 'base64').toString().split(':')[1]),
      ]);
    expect(Number(rows[0].n)).toBe(MAX_KV_KEYS);
  }, 180_000);
});
