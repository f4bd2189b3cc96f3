import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface TestStorage {
  dataDir: string;
  databaseUrl: string | null;
  redisUrl: string | null;
  drop(): Promise<void>;
}

/**
 * A database of the test file's own: a fresh SQLite file by default, or, when the run sets
 * DATABASE_URL, a fresh PostgreSQL database created next to the one it names.
 */
export async function createTestStorage({ databaseUrl = process.env.DATABASE_URL ?? null } = {}): Promise<TestStorage> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'plugboard-test-'));
  if (!databaseUrl) {
    return {
      dataDir,
      databaseUrl: null,
      redisUrl: process.env.REDIS_URL ?? null,
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `plugboard_test_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  await withClient(admin.toString(), (c) => c.query(`create database ${name}`));
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    dataDir,
    databaseUrl: url.toString(),
    redisUrl: process.env.REDIS_URL ?? null,
    drop: async () => {
      await withClient(admin.toString(), (c) => c.query(`drop database if exists ${name} with (force)`));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** True when PostgreSQL and Redis answer on this machine (for the scale-out tests). */
export async function scaleOutServices(): Promise<{ databaseUrl: string; redisUrl: string } | null> {
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  try {
    await withClient(databaseUrl, (c) => c.query('select 1'));
    const { Redis } = await import('ioredis');
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    await redis.connect();
    await redis.ping();
    await redis.quit();
    return { databaseUrl, redisUrl };
  } catch {
    return null;
  }
}
