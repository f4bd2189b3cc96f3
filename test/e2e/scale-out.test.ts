import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateClipDocument, PluginSlugsDocument } from '../generated/graphql.ts';
import { createTestStorage, scaleOutServices } from '../support/database.ts';
import { buildTestPlugin, EXECUTE, INSTALL, listAndPublish } from '../support/plugins.ts';
import { collect, startTestServer, type TestServer } from '../support/server.ts';
import { runDueSchedules } from '../../src/services/schedules/index.ts';

const services = await scaleOutServices();

describe.skipIf(!services)('two API instances on PostgreSQL and Redis', () => {
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    const storage = await createTestStorage({ databaseUrl: services!.databaseUrl });
    const shared = { ...storage, redisUrl: services!.redisUrl, drop: async () => {} };
    a = await startTestServer({ storage: shared });
    b = await startTestServer({ storage: { ...shared, drop: storage.drop } });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  it('delivers a clip created through one instance to a subscriber on the other', async () => {
    const token = await a.user('roamer');
    const events = collect<{ clipEvents: { type: string; clip: { title: string } } }>(
      a.ws(token),
      'subscription { clipEvents { type clip { title } } }',
      1,
    );
    await events.ready;
    await b.ok(
      CreateClipDocument,
      { input: { title: 'Cross-instance', mediaUrl: '/media/x.mp4', durationMs: 1000 } },
      token,
    );
    expect((await events.events)[0].clipEvents).toEqual({ type: 'CREATED', clip: { title: 'Cross-instance' } });
  });

  it('drops an instance’s cached public reads when another instance writes', async () => {
    const publisher = await a.user('lister', 'PUBLISHER');
    const list = async () => (await a.ok(PluginSlugsDocument, { first: 10 })).plugins.edges.map((e) => e.node.slug);
    expect(await list()).toEqual([]);
    await b.ok(
      'mutation ($input: CreatePluginInput!) { createPlugin(input: $input) { id } }',
      { input: { slug: 'elsewhere', name: 'E', summary: 'x', category: 'other' } },
      publisher,
    );
    // The write epoch travels over Redis: give it a moment, far less than the cache's TTL.
    let seen: string[] = [];
    for (let i = 0; i < 20 && seen.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      seen = await list();
    }
    expect(seen).toEqual(['elsewhere']);
  });

  it('loses no KV update when two instances run one installation at the same time', async () => {
    const publisher = await a.user('kv-publisher', 'PUBLISHER');
    const user = await a.user('kv-racer');
    const { manifest, wasm } = await buildTestPlugin('tagger');
    await listAndPublish(a, publisher, manifest, wasm);
    const grantPermissions = ['log', 'config', 'kv', 'clips:read', 'clips:write', 'events'];
    const { installPlugin } = await a.ok(
      INSTALL,
      { input: { slug: manifest.slug, config: { tag: 'x' }, grantPermissions } },
      user,
    );
    const bump = async (via: TestServer) =>
      (await via.ok(EXECUTE, { input: { installationId: installPlugin.id, function: 'bump', input: '' } }, user))
        .executePlugin;
    // Each instance takes its own calls in turn; between the two, the one that commits second
    // finds the KV revision moved and runs its call again on the new state.
    const calls = await Promise.all(Array.from({ length: 10 }, (_, i) => bump(i % 2 ? a : b)));
    expect(calls.map((c) => c.status)).toEqual(Array(10).fill('SUCCEEDED'));
    expect(calls.map((c) => JSON.parse(c.output!).count).sort((x: number, y: number) => x - y)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
  }, 60_000);

  it('runs each due schedule time exactly once when both instances poll at once', async () => {
    const publisher = await a.user('cron-publisher', 'PUBLISHER');
    const user = await a.user('cron-user');
    const { manifest, wasm } = await buildTestPlugin('tagger');
    await listAndPublish(a, publisher, { ...manifest, slug: 'cron-tagger' }, wasm);
    const grantPermissions = ['log', 'config', 'kv', 'clips:read', 'clips:write', 'events'];
    const { installPlugin } = await a.ok(
      INSTALL,
      { input: { slug: 'cron-tagger', config: { tag: 'x' }, grantPermissions } },
      user,
    );
    // Ten schedules due on the first of each month: far from the real clock, so only the passes
    // below (with the time they are given) run them, never the instances' own timers.
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const { createSchedule } = await (i % 2 ? a : b).ok<
        { createSchedule: { id: string; nextRunAt: string } },
        unknown
      >(
        'mutation ($input: CreateScheduleInput!) { createSchedule(input: $input) { id nextRunAt } }',
        { input: { installationId: installPlugin.id, cron: `${i} 0 1 * *`, function: 'bump' } },
        user,
      );
      ids.push(createSchedule.id);
    }
    const first = new Date(
      (
        await a.ok<{ installation: { schedules: { nextRunAt: string }[] } }, unknown>(
          'query ($id: ID!) { installation(id: $id) { schedules { nextRunAt } } }',
          { id: installPlugin.id },
          user,
        )
      ).installation.schedules[0].nextRunAt,
    );
    const month = 31 * 86_400_000;
    const ran: number[] = [];
    for (let n = 0; n < 3; n++) {
      // Past all ten due times of this month, before next month's.
      const now = new Date(first.getTime() + n * month + 20 * 60_000);
      const passes = await Promise.all([a, b, a, b].map((server) => runDueSchedules(server.app.platform, now)));
      const runs = passes.flat().filter((r) => r.outcome === 'RAN');
      expect(runs.map((r) => r.status)).toEqual(Array(10).fill('SUCCEEDED'));
      expect(new Set(runs.map((r) => r.scheduleId)).size).toBe(10);
      ran.push(...runs.map((r) => r.executionId!));
    }
    expect(new Set(ran).size).toBe(30);
    // KV counted every run once: the installation's counter went up by exactly 30.
    const { executePlugin } = await a.ok(
      EXECUTE,
      { input: { installationId: installPlugin.id, function: 'bump', input: '' } },
      user,
    );
    expect(JSON.parse(executePlugin.output!).count).toBe(31);
  }, 120_000);
});
