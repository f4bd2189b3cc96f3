import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the checkpointer moves the write-ahead log into the database file. */
export const CHECKPOINT_INTERVAL_MS = 250;

/**
 * Pages the write-ahead log may reach before the server's own connection checkpoints it, on its
 * thread: only if the checkpointer stopped (it keeps the log far below this).
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

/** What the last checkpoint that found work did (SQLite's `wal_checkpoint` result). */
export interface CheckpointStats {
  /** Checkpoints that found the log changed since the last. */
  runs: number;
  /** Frames in the log and frames copied into the database file, at the last of them. */
  logFrames: number;
  checkpointedFrames: number;
  /** Longest checkpoint so far, in ms: time the server's thread no longer spends. */
  maxMs: number;
  /** The last checkpoint's error, if it failed (the log then grows to the fallback). */
  lastError: string | null;
}

export interface Checkpointer {
  stats(): CheckpointStats;
  close(): Promise<void>;
}

// Plain JavaScript run with `eval`: it needs nothing of the project but the driver, whose path
// the server resolves and hands over, so it starts the same from source and from dist/.
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
let last = '';
const timer = setInterval(() => {
  try {
    const started = performance.now();
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    // Only what changed: an idle server's log keeps its frames, and is not reported 4 times a second.
    const now = result.log + ':' + result.checkpointed;
    if (result.log > 0 && now !== last) parentPort.postMessage({ ...result, ms: performance.now() - started });
    last = now;
  } catch (err) {
    parentPort.postMessage({ error: String(err) });
  }
}, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Checkpoints the SQLite file's write-ahead log on a thread of its own. SQLite checkpoints at the
 * commit that fills the log, on the committing thread, and a checkpoint copies pages and syncs the
 * file (5–35 ms here): with better-sqlite3 that thread is the event loop. So the server's
 * connection only checkpoints as a fallback (`FALLBACK_AUTOCHECKPOINT_PAGES`) and this thread,
 * with a connection of its own, runs a PASSIVE checkpoint every `intervalMs`: it copies what no
 * reader still needs and never waits for the writer, which goes on meanwhile.
 */
export function startCheckpointer(
  file: string,
  { intervalMs = CHECKPOINT_INTERVAL_MS }: { intervalMs?: number } = {},
): Checkpointer {
  const stats: CheckpointStats = { runs: 0, logFrames: 0, checkpointedFrames: 0, maxMs: 0, lastError: null };
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(SOURCE, { eval: true, workerData: { file, driver, intervalMs } });
  worker.unref();
  worker.on('message', (m: { busy: number; log: number; checkpointed: number; ms: number } | { error: string }) => {
    if ('error' in m) {
      stats.lastError = m.error;
      return;
    }
    stats.lastError = null;
    stats.runs++;
    stats.logFrames = m.log;
    stats.checkpointedFrames = m.checkpointed;
    stats.maxMs = Math.max(stats.maxMs, m.ms);
  });
  worker.on('error', (err) => {
    stats.lastError = String(err);
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    stats: () => ({ ...stats }),
    async close() {
      worker.postMessage('close');
      await exited;
    },
  };
}
