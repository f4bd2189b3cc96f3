import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Database } from '../../db/orm.ts';
import { packKv, packedEntries, type KvWrite, type PackedKv } from '../../runtime/index.ts';
import { runQuery } from '../platform/sql-text.ts';

/**
 * Rows per insert or delete statement when a call's writes are committed: a few hundred keeps
 * each statement well under SQLite's and PostgreSQL's bound-parameter limits, and a commit of
 * N keys takes N / KV_BATCH statements, never one (or several) per key.
 */
export const KV_BATCH = 400;

/** Bytes of packed KV snapshots kept per process (each installation holds at most 1 MiB). */
const CACHE_BYTES = 64 * 1024 * 1024;

interface Cached {
  revision: number;
  kv: PackedKv;
}

/**
 * Snapshots of installations' KV stores keyed by `kv_revision`, which every commit moves. A call
 * of an installation whose store has not changed reads no KV rows, and the snapshot reaches the
 * worker as shared memory: its cost no longer grows with the number of keys held.
 */
class KvSnapshots {
  private readonly entries = new Map<number, Cached>();
  private bytes = 0;

  get(installationId: number, revision: number): PackedKv | null {
    const hit = this.entries.get(installationId);
    if (!hit || hit.revision !== revision) return null;
    this.entries.delete(installationId);
    this.entries.set(installationId, hit);
    return hit.kv;
  }

  set(installationId: number, revision: number, kv: PackedKv): void {
    this.drop(installationId);
    this.entries.set(installationId, { revision, kv });
    this.bytes += kv.packed.byteLength;
    for (const [id] of this.entries) {
      if (this.bytes <= CACHE_BYTES) break;
      this.drop(id);
    }
  }

  private drop(installationId: number): void {
    const old = this.entries.get(installationId);
    if (!old) return;
    this.bytes -= old.kv.packed.byteLength;
    this.entries.delete(installationId);
  }
}

const snapshots = new WeakMap<Database, KvSnapshots>();

function snapshotsOf(db: Database): KvSnapshots {
  const found = snapshots.get(db);
  if (found) return found;
  const created = new KvSnapshots();
  snapshots.set(db, created);
  return created;
}

/** The installation's KV store at `revision` (read after it): from the cache, or read straight from the table. */
export async function loadKv(
  db: Database,
  em: SqlEntityManager,
  installationId: number,
  revision: number,
): Promise<PackedKv> {
  const cache = snapshotsOf(db);
  const hit = cache.get(installationId, revision);
  if (hit) return hit;
  const rows = await runQuery<{ key: string; value: Buffer }>(
    em,
    em.getKnex()('kv_entries').select('key', 'value').where('installation_id', installationId),
  );
  const kv = packKv(rows.map((row) => [row.key, new Uint8Array(row.value)] as const));
  cache.set(installationId, revision, kv);
  return kv;
}

/**
 * Applies a call's writes in batches: deletes by key and upserts on (installation, key). Runs in
 * the caller's transaction, after the revision check, so the writes land on exactly `before`.
 */
export async function commitKv(tx: SqlEntityManager, installationId: number, writes: KvWrite[]): Promise<void> {
  const knex = tx.getKnex();
  const now = tx.getPlatform().processDateProperty(new Date());
  const deletes = writes.filter((w) => w.value === null).map((w) => w.key);
  const upserts = writes.flatMap((w) =>
    w.value === null
      ? []
      : [
          {
            installation_id: installationId,
            key: w.key,
            value: Buffer.from(w.value),
            size_bytes: w.value.byteLength,
            updated_at: now,
          },
        ],
  );
  for (let i = 0; i < deletes.length; i += KV_BATCH) {
    await runQuery(
      tx,
      knex('kv_entries')
        .where('installation_id', installationId)
        .whereIn('key', deletes.slice(i, i + KV_BATCH))
        .delete(),
    );
  }
  for (let i = 0; i < upserts.length; i += KV_BATCH) {
    await runQuery(
      tx,
      knex('kv_entries')
        .insert(upserts.slice(i, i + KV_BATCH))
        .onConflict(['installation_id', 'key'])
        .merge(['value', 'size_bytes', 'updated_at']),
    );
  }
}

/** Caches the state a committed call left (`before` plus its writes), so the next call reads no rows. */
export function rememberCommit(
  db: Database,
  installationId: number,
  before: { revision: number; kv: PackedKv },
  writes: KvWrite[],
): void {
  const merged = new Map(packedEntries(before.kv));
  for (const w of writes) {
    if (w.value === null) merged.delete(w.key);
    else merged.set(w.key, w.value);
  }
  snapshotsOf(db).set(installationId, before.revision + 1, packKv(merged));
}
