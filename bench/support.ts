import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import pg from 'pg';

/** Starts `plugboard serve` in a child process so the load generator does not share its event loop. */
export async function spawnServer(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn('node', [path.resolve('bin/plugboard.js'), 'serve'], {
    // Benches measure throughput: rate limits off unless a bench sets them.
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      PLUGBOARD_RATE_LIMIT_USER: '0',
      PLUGBOARD_RATE_LIMIT_ANONYMOUS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
      const match = /"url":"(http:[^"]+)"/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { url, child };
}

/** One load-generating client: the request body it sends, with its user's token. */
export interface Client {
  body: string;
  token?: string;
}

/** Sends `body` with `concurrency` requests in flight for `seconds`; returns requests per second. */
export function load(
  url: string,
  body: string,
  { concurrency = 16, seconds = 4, token }: { concurrency?: number; seconds?: number; token?: string } = {},
): Promise<number> {
  return loadClients(url, [{ body, token }], { concurrency, seconds });
}

/**
 * Keeps `concurrency` keep-alive requests in flight for `seconds`, request slot i sending as
 * `clients[i % clients.length]`; returns requests per second. Any error or GraphQL error fails it.
 */
export async function loadClients(
  url: string,
  clients: Client[],
  { concurrency = 16, seconds = 4 }: { concurrency?: number; seconds?: number } = {},
): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async (_, slot) => {
        while (performance.now() < deadline) {
          await post(url, clients[slot % clients.length], agent);
          done++;
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return done / ((performance.now() - started) / 1000);
}

/** Sends one request at a time for `seconds`; returns each one's latency in milliseconds. */
export async function serialLatencies(url: string, client: Client, { seconds = 2 } = {}): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const deadline = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  try {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await post(url, client, agent);
      latencies.push(performance.now() - t0);
    }
  } finally {
    agent.destroy();
  }
  return latencies;
}

export const percentile = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
export const median = (xs: number[]): number => percentile(xs, 0.5);

function post(url: string, { body, token }: Client, agent: http.Agent): Promise<void> {
  const target = new URL(url);
  return new Promise<void>((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          res.statusCode === 200 && !text.includes('"errors"') ? resolve() : reject(new Error(text.slice(0, 300))),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A database of this run's own on the PostgreSQL server `DATABASE_URL` names (null when it is
 * unset: the bench runs on SQLite), and how to drop it at the end.
 */
export async function benchDatabase(): Promise<{ databaseUrl: string | null; drop: () => Promise<void> }> {
  if (!process.env.DATABASE_URL) return { databaseUrl: null, drop: async () => {} };
  const name = `plugboard_bench_${Date.now()}`;
  const admin = new URL(process.env.DATABASE_URL);
  admin.pathname = '/postgres';
  const sql = async (text: string) => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  await sql(`create database ${name}`);
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${name}`;
  return { databaseUrl: url.toString(), drop: () => sql(`drop database if exists ${name} with (force)`) };
}
