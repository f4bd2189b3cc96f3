import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestStorage, type TestStorage } from '../support/database.ts';

/**
 * The first `npm start` (`plugboard serve --seed`) on an empty database, as a user runs it: the
 * very first anonymous read must already see the whole seeded marketplace, versions and ratings
 * included, and never a half-seeded page that the anonymous read cache would keep for its TTL.
 */
const bin = path.resolve('bin/plugboard.js');
let storage: TestStorage;
let stop = async () => {};

beforeAll(async () => {
  storage = await createTestStorage();
});
afterAll(async () => {
  await stop();
  await storage.drop();
});

const PAGE = `{ plugins(first: 100, sort: NEWEST) { edges { node {
  slug downloadCount rating { count average histogram } latestVersion { version functions hooks }
} } } }`;

it('answers the first anonymous read with the seeded versions and ratings, as a signed-in read sees them', async () => {
  const server = spawn('node', [bin, 'serve', '--seed'], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      PLUGBOARD_DATA_DIR: storage.dataDir,
      DATABASE_URL: storage.databaseUrl ?? '',
      REDIS_URL: storage.redisUrl ?? '',
      // Long enough that a half-seeded answer, once cached, would still be served below.
      PLUGBOARD_READ_CACHE_TTL_MS: '600000',
    },
  });
  const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
  stop = async () => {
    if (server.exitCode === null) server.kill('SIGTERM');
    await exited;
  };
  let stderr = '';
  server.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
      const match = /"url":"(http:[^"]+)"/.exec(out);
      if (match) resolve(match[1]);
    });
    server.once('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
  const read = async (token?: string) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: PAGE }),
    });
    return (await response.json()) as {
      data: {
        plugins: {
          edges: { node: { slug: string; rating: { count: number }; latestVersion: { version: string } | null } }[];
        };
      };
    };
  };
  // The first request the server ever answers, the instant it listens.
  const first = await read();
  const seeded = /(\d+) listings, (\d+) runnable plugins/.exec(stderr);
  expect(seeded, stderr).not.toBeNull();
  const [listings, runnable] = [Number(seeded![1]), Number(seeded![2])];
  const token = /Bearer <token>"\):\s+(\S+)/.exec(stderr)![1];

  const plugins = first.data.plugins.edges.map((e) => e.node);
  expect(plugins).toHaveLength(listings);
  expect(plugins.filter((p) => p.latestVersion !== null)).toHaveLength(runnable);
  expect(plugins.some((p) => p.rating.count > 0)).toBe(true);
  // A signed-in read is never cached: it is the database as it stands. The anonymous answers,
  // the first and a later (cached) one, are exactly that.
  const fresh = await read(token);
  expect(first).toEqual(fresh);
  expect(await read()).toEqual(fresh);

  await stop();
  expect(await exited).toBe(0);
}, 180_000);
