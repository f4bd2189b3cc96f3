import { createPubSub } from 'graphql-yoga';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestStorage, type TestStorage } from '../../../test/support/database.ts';
import { migrate, openDatabase, type Database } from '../../db/orm.ts';
import type { EventMap, Events } from '../events.ts';
import { Revocations, watchRevocations } from './revocations.ts';

let storage: TestStorage;
let db: Database;
let logged = 0;

beforeAll(async () => {
  storage = await createTestStorage();
  db = await openDatabase({ databaseUrl: storage.databaseUrl, dataDir: storage.dataDir, onQuery: () => logged++ });
  await migrate(db);
});
afterAll(async () => {
  await db?.close();
  await storage?.drop();
});

it('learns revocations from the event bus and never loses one to a re-read that started before it', async () => {
  const events = createPubSub<EventMap>() as unknown as Events;
  const revocations = new Revocations();
  const watch = await watchRevocations({
    db,
    events,
    logger: pino({ level: 'silent' }),
    revocations,
    recheckMs: 60_000,
  });
  try {
    expect(revocations.size).toBe(0);
    // A re-read in flight while a revocation is announced: the table does not have it yet.
    const reading = revocations.reload(db);
    events.publish('version-revoked', { versionId: 41, reason: 'malware' });
    await reading;
    await new Promise((resolve) => setImmediate(resolve));
    expect(revocations.reasonFor(41)).toBe('malware');
    await revocations.reload(db);
    expect(revocations.reasonFor(41)).toBe('malware');
    expect(revocations.reasonFor(42)).toBeUndefined();
  } finally {
    watch.close();
  }
  // After close, announcements are no longer heard.
  events.publish('version-revoked', { versionId: 43, reason: 'late' });
  await new Promise((resolve) => setImmediate(resolve));
  expect(revocations.reasonFor(43)).toBeUndefined();
});

it('re-reads without logging a statement, so no request is charged for it', async () => {
  const before = logged;
  await new Revocations().reload(db);
  expect(logged).toBe(before);
  // The control: other statements on this connection are logged.
  await db.fork().execute('select 1');
  expect(logged).toBe(before + 1);
});
