// A call's fuel, peak memory and output depend only on its module, input, config and host state:
// the same executePlugin on the same state reports the same numbers however many calls ran on
// the instance before it, and `plugboard plugin replay` of any recorded call matches it exactly.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlugin } from '../../sdk-assemblyscript/compiler/build.ts';
import { replayDifferences, replayExecution } from '../../src/cli/plugin/replay.ts';
import { EXECUTE, INSTALL, listAndPublish } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  const publisher = await server.user('numbers', 'PUBLISHER');
  const dir = fileURLToPath(new URL('../../plugins-wasm/data-normalizer/', import.meta.url));
  const { bytes } = await buildPlugin(dir);
  const manifest = JSON.parse(await readFile(`${dir}plugin.json`, 'utf8')) as Record<string, unknown> & {
    slug: string;
  };
  await listAndPublish(server, publisher, manifest, bytes);
});
afterAll(() => server?.stop());

/** Seeded, so a failing variant can be run again. */
function random(seed: number): () => number {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
}

/** Inputs of many shapes and sizes: each leaves the plugin's allocator in a different state. */
function variants(seed: number, count: number): string[] {
  const next = random(seed);
  // Mostly small enough to keep the instance (a call that grows memory gets it replaced), now
  // and then one that grows it.
  const values = () =>
    Array.from(
      { length: 1 + Math.floor(next() < 0.9 ? next() * 40 : next() * 400) },
      () => Math.round(next() * 1e6) / 100,
    );
  return Array.from({ length: count }, () =>
    JSON.stringify(
      next() < 0.5
        ? { values: values() }
        : {
            series: Object.fromEntries(
              Array.from({ length: 1 + Math.floor(next() * 3) }, (_, i) => [`s${i}`, values()]),
            ),
          },
    ),
  );
}

const usage = (e: {
  status: string;
  fuelUsed?: number | null;
  peakMemoryBytes?: number | null;
  output?: string | null;
}) => ({
  status: e.status,
  fuel: e.fuelUsed,
  memory: e.peakMemoryBytes,
  output: e.output,
});

describe('reproducible fuel', { timeout: 180_000 }, () => {
  for (const method of ['zscore', 'minmax', 'robust']) {
    it(`reports the same fuel, memory and output for the same ${method} call, and replays each call exactly`, async () => {
      const user = await server.user(`analyst-${method}`);
      const { installPlugin } = await server.ok(
        INSTALL,
        { input: { slug: 'data-normalizer', config: { method }, grantPermissions: ['config'] } },
        user,
      );
      const run = async (input: string) =>
        (await server.ok(EXECUTE, { input: { installationId: installPlugin.id, function: 'normalize', input } }, user))
          .executePlugin;
      const probe = JSON.stringify({ values: [2, 4, 4, 4, 5, 5, 7, 9] });
      const probes = [];
      const others = [];
      for (let round = 0; round < 6; round++) {
        probes.push(await run(probe));
        // In flight together: they land on both workers' instances.
        others.push(...(await Promise.all(variants(method.length * 100 + round, 4).map(run))));
      }
      expect(probes[0].status).toBe('SUCCEEDED');
      expect(probes[0].fuelUsed).toBeGreaterThan(0);
      for (const p of probes) expect(usage(p)).toEqual(usage(probes[0]));
      expect(others.every((o) => o.status === 'SUCCEEDED')).toBe(true);

      // Replay runs the published module on a fresh local instance: every recorded call, whatever
      // ran before it on the server's instance, matches it to the unit.
      for (const recorded of [probes.at(-1)!, others.at(-1)!, others[3]]) {
        const replayed = await replayExecution(recorded.id, { server: server.url, token: user });
        expect({
          status: replayed.local.status,
          fuel: replayed.local.usage.fuelUsed,
          memory: replayed.local.usage.peakMemoryBytes,
          output: replayed.local.output,
        }).toEqual(usage(recorded));
        expect(replayDifferences(replayed.recorded, replayed.local)).toEqual([]);
      }
    });
  }
});
