import type { SqlEntityManager } from '@mikro-orm/knex';
import { Blob } from '../../entities/index.ts';
import { sha256Hex } from '../../runtime/index.ts';
import { DomainError } from '../errors.ts';

export class BlobIntegrityError extends DomainError {
  constructor(sha256: string, actual: string) {
    super(
      'PLUGIN_INTEGRITY',
      `Stored module ${sha256.slice(0, 12)}… does not match its sha256 (got ${actual.slice(0, 12)}…); it was altered after publishing`,
    );
  }
}

/** Stores bytes under their sha256 inside the caller's transaction; identical bytes are stored once. */
export async function putBlob(tx: SqlEntityManager, bytes: Uint8Array): Promise<string> {
  const key = sha256Hex(bytes);
  const exists = await tx
    .getConnection()
    .execute<{ n: number }[]>(
      tx.getKnex()('blobs').count({ n: '*' }).where('sha256', key),
      [],
      'all',
      tx.getTransactionContext(),
    );
  if (Number(exists[0]?.n ?? 0) === 0)
    tx.create(Blob, { sha256: key, bytes: Buffer.from(bytes), sizeBytes: bytes.byteLength });
  return key;
}

/**
 * Loads bytes by sha256 and verifies them; null when absent. `verify: false` is for callers that
 * verify themselves (the runtime checks every module it loads and reports PLUGIN_INTEGRITY).
 */
export async function getBlob(em: SqlEntityManager, key: string, { verify = true } = {}): Promise<Uint8Array | null> {
  const rows = await em
    .getConnection()
    .execute<{ bytes: Buffer | Uint8Array }[]>(em.getKnex()('blobs').select('bytes').where('sha256', key));
  if (!rows[0]) return null;
  const bytes = new Uint8Array(rows[0].bytes);
  if (!verify) return bytes;
  const actual = sha256Hex(bytes);
  if (actual !== key) throw new BlobIntegrityError(key, actual);
  return bytes;
}
