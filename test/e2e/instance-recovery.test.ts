// biome-ignore-all lint/suspicious/noExplicitAny: ad-hoc operations not in test/operations, answered untyped
import { afterAll, expect, it } from 'vitest';
import { buildTestPlugin, INSTALL, listAndPublish } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer | null = null;
afterAll(() => server?.stop());

const RUN = `mutation ($input: ExecutePluginInput!) { executePlugin(input: $input) { id } }`;
const rowId = (globalId: string) => Number(Buffer.from(globalId, 'base64').toString().split(':')[1]);

it('completes, on start, the calls that instances which are gone left RUNNING, and only theirs', async () => {
  const first = await startTestServer();
  const publisher = await first.user('lease-labs', 'PUBLISHER');
  const { manifest, wasm } = await buildTestPlugin('bytes');
  await listAndPublish(first, publisher, manifest, wasm);
  const user = await first.user('lease-user');
  const installationId = (
    await first.ok<any, any>(INSTALL, { input: { slug: 'bytes', grantPermissions: ['log'] } }, user)
  ).installPlugin.id;
  // Each case: the instance that ran the call, and when its lease ends (null: no lease row).
  const now = Date.now();
  const cases = [
    { instance: 'expired-long-ago', lease: now - 3_600_000, lost: true },
    { instance: 'expired-just-now', lease: now - 1_000, lost: true },
    { instance: 'never-registered', lease: null, lost: true },
    { instance: null, lease: null, lost: true },
    { instance: 'alive', lease: now + 3_600_000, lost: false },
  ];
  const em = first.app.platform.db.fork();
  const knex = em.getKnex();
  const ids: number[] = [];
  for (const c of cases) {
    const run = await first.ok<any, any>(RUN, { input: { installationId, function: 'emit', input: '00' } }, user);
    const id = rowId(run.executePlugin.id);
    ids.push(id);
    await em.execute(
      knex('executions').where('id', id).update({ status: 'RUNNING', instance_id: c.instance, finished_at: null }),
    );
    if (c.instance && c.lease !== null)
      await em.execute(
        knex('instances').insert({
          id: c.instance,
          started_at: new Date(now - 7_200_000),
          lease_expires_at: new Date(c.lease),
        }),
      );
  }
  // A restart: the new process sweeps as it starts.
  await first.close();
  server = await startTestServer({ storage: first.storage });
  const rows = await server.app.platform.db
    .fork()
    .execute<{ id: number; status: string; error_code: string | null; finished_at: unknown }[]>(
      server.app.platform.db
        .fork()
        .getKnex()('executions')
        .select('id', 'status', 'error_code', 'finished_at')
        .whereIn('id', ids),
    );
  for (const [i, c] of cases.entries()) {
    const row = rows.find((r) => Number(r.id) === ids[i])!;
    if (c.lost) expect(row, String(c.instance)).toMatchObject({ status: 'FAILED', error_code: 'INSTANCE_LOST' });
    else expect(row, String(c.instance)).toMatchObject({ status: 'RUNNING', finished_at: null });
  }
  // The lost calls count in the usage rollup as FAILED (the five rows were first completed as
  // SUCCEEDED, and counted so, before this test set them back to RUNNING).
  const usage = await server.ok<any, any>(
    'query ($id: ID!) { installation(id: $id) { stats { calls byStatus { status count } } } }',
    { id: installationId },
    user,
  );
  const counts = Object.fromEntries(
    usage.installation.stats.byStatus.map((s: { status: string; count: number }) => [s.status, s.count]),
  );
  expect(counts).toMatchObject({ SUCCEEDED: cases.length, FAILED: cases.filter((c) => c.lost).length });
  const leases = await server.app.platform.db
    .fork()
    .execute<{ id: string }[]>(server.app.platform.db.fork().getKnex()('instances').select('id'));
  expect(leases.map((l) => l.id).sort()).toEqual(['alive', server.app.platform.instanceId].sort());
});
