// KV at scale: writing 1k and 10k keys (in calls of MAX_KV_WRITES_PER_CALL) against a one-key
// call, and a call of an installation holding 10k keys against one holding none. Linear commits
// show as 1k ≈ 1/10 of 10k; per-key reads as a 10k-key installation costing what an empty one does.
//   npx tsx bench/kv.ts            (DATABASE_URL=postgres://… for PostgreSQL)
import { MAX_KV_WRITES_PER_CALL } from '../src/runtime/index.ts';
import { buildTestPlugin, EXECUTE, INSTALL, listAndPublish } from '../test/support/plugins.ts';
import { startTestServer } from '../test/support/server.ts';

const server = await startTestServer();
try {
  const publisher = await server.user('bench-publisher', 'PUBLISHER');
  const { manifest, wasm } = await buildTestPlugin('kv-bulk');
  await listAndPublish(server, publisher, manifest, wasm);
  let users = 0;
  const install = async () => {
    const token = await server.user(`bench-${users++}`);
    const { installPlugin } = await server.ok(INSTALL, { input: { slug: 'kv-bulk', grantPermissions: ['kv'] } }, token);
    return { token, id: installPlugin.id };
  };
  const call = async (at: { token: string; id: string }, fn: string, input: string) => {
    const started = performance.now();
    const { executePlugin } = await server.ok(
      EXECUTE,
      { input: { installationId: at.id, function: fn, input } },
      at.token,
    );
    if (executePlugin.status !== 'SUCCEEDED') throw new Error(JSON.stringify(executePlugin));
    return performance.now() - started;
  };
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
  const fill = async (n: number) => {
    const at = await install();
    let ms = 0;
    for (let from = 0; from < n; from += MAX_KV_WRITES_PER_CALL)
      ms += await call(at, 'put', `k,${from},${Math.min(MAX_KV_WRITES_PER_CALL, n - from)}`);
    return { at, ms };
  };

  const single = await install();
  for (let i = 0; i < 5; i++) await call(single, 'put', `k,${i},1`);
  const oneKey = median(
    await (async () => {
      const xs: number[] = [];
      for (let i = 0; i < 21; i++) xs.push(await call(single, 'put', `k,${i},1`));
      return xs;
    })(),
  );
  const thousand = median([(await fill(1_000)).ms, (await fill(1_000)).ms, (await fill(1_000)).ms]);
  const full = await fill(10_000);
  const empty = await install();
  const readTimes = async (at: { token: string; id: string }) => {
    const xs: number[] = [];
    for (let i = 0; i < 31; i++) xs.push(await call(at, 'get', 'k,5000,1'));
    return median(xs);
  };
  const readEmpty = await readTimes(empty);
  const readFull = await readTimes(full.at);
  const row = (label: string, ms: number, base: number) =>
    console.log(`${label.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms  ${(ms / base).toFixed(2).padStart(7)}×`);
  console.log(
    `KV on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'} (medians; ratios to the first row of each block)`,
  );
  row('call writing 1 key', oneKey, oneKey);
  row(`write 1k keys (1 call)`, thousand, oneKey);
  row(`write 10k keys (${10_000 / MAX_KV_WRITES_PER_CALL} calls)`, full.ms, oneKey);
  console.log(`10k / 1k: ${(full.ms / thousand).toFixed(2)} (10 = linear)`);
  row('call reading 1 key, installation holding 0 keys', readEmpty, readEmpty);
  row('call reading 1 key, installation holding 10k keys', readFull, readEmpty);
} finally {
  await server.stop();
}
