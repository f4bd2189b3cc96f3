import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FALLBACK_AUTOCHECKPOINT_PAGES } from './checkpointer.ts';
import { migrate, openDatabase, type Database } from './orm.ts';

// SQLite only: PostgreSQL has no write-ahead log of ours to checkpoint.
const dataDir = mkdtempSync(path.join(tmpdir(), 'plugboard-checkpoint-'));
let db: Database;
beforeAll(async () => {
  db = await openDatabase({ dataDir });
  await migrate(db);
});
afterAll(async () => {
  await db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it("leaves checkpoints to the server's connection only as a fallback", async () => {
  const [row] = await db.fork().execute<{ wal_autocheckpoint: number }[]>('pragma wal_autocheckpoint');
  expect(row.wal_autocheckpoint).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);
});

it('checkpoints the log on its own thread while writes go on, so the log stops growing', async () => {
  const em = db.fork();
  const write = async (round: number) => {
    // ~1 MiB a round over many commits: far past SQLite's own 1,000-page trigger in all.
    for (let i = 0; i < 64; i++)
      await em.execute('insert into "settings" ("key", "value") values (?, ?)', [
        `checkpoint-${round}-${i}`,
        'x'.repeat(16_000),
      ]);
  };
  await write(0);
  await expect.poll(() => db.checkpoints()!.runs, { timeout: 10_000 }).toBeGreaterThan(0);
  await expect
    .poll(
      () => {
        const s = db.checkpoints()!;
        return s.checkpointedFrames === s.logFrames && s.lastError === null;
      },
      { timeout: 10_000 },
    )
    .toBe(true);
  const wal = () => statSync(path.join(dataDir, 'plugboard.db-wal')).size;
  const after = wal();
  // With every frame copied, writers start the log over instead of growing it.
  for (let round = 1; round <= 4; round++) {
    await write(round);
    const runs = db.checkpoints()!.runs;
    await expect.poll(() => db.checkpoints()!.runs, { timeout: 10_000 }).toBeGreaterThan(runs);
  }
  expect(wal()).toBeLessThanOrEqual(Math.max(after, 2 * 64 * 16_000 + 1024 * 1024));
});
