import type { Logger } from 'pino';
import type { Database } from '../../db/orm.ts';
import type { Events } from '../events.ts';

/** How often every instance re-reads the revoked versions, in case an announcement was lost. */
export const REVOCATION_RECHECK_MS = 1000;

/**
 * The versions revoked with the kill switch, in memory on every instance: a call asks this map,
 * never the database. The instance that revokes adds the version before its mutation answers;
 * the others hear of it on the event bus (`version-revoked`, over Redis when scaled out) and
 * re-read the table every REVOCATION_RECHECK_MS in case an announcement was lost. A revocation
 * is never undone, so entries are only added: a re-read that started before a revocation and
 * ends after it cannot take it back.
 */
export class Revocations {
  private readonly reasons = new Map<number, string>();

  /** Why the version was revoked, or undefined when it was not. One map look-up. */
  reasonFor(versionId: number): string | undefined {
    return this.reasons.get(versionId);
  }

  add(versionId: number, reason: string): void {
    this.reasons.set(versionId, reason);
  }

  get size(): number {
    return this.reasons.size;
  }

  /** Adds every version the database holds as revoked (one indexed statement). */
  async reload(db: Database): Promise<void> {
    const em = db.fork();
    // Unlogged: a once-a-second background read belongs to no request, so statement logs (and
    // the tests that count a request's statements with them) leave it out.
    const rows = await em.execute<{ id: number; revoked_reason: string | null }[]>(
      em.getKnex()('plugin_versions').select('id', 'revoked_reason').whereNotNull('revoked_at'),
      [],
      'all',
      { enabled: false },
    );
    for (const row of rows) this.add(Number(row.id), row.revoked_reason ?? '');
  }
}

/**
 * Keeps `revocations` current until `close`: listens for announcements first (so none made during
 * the first read is missed), then reads the table, then re-reads it periodically. Resolves once
 * the first read is done.
 */
export async function watchRevocations({
  db,
  events,
  logger,
  revocations,
  recheckMs = REVOCATION_RECHECK_MS,
}: {
  db: Database;
  events: Events;
  logger: Logger;
  revocations: Revocations;
  recheckMs?: number;
}): Promise<{ close(): void }> {
  let closed = false;
  let announcements = events.subscribe('version-revoked');
  // One re-read at a time: a slow database gets no pile of overlapping ones.
  let reading: Promise<void> | null = null;
  const reload = () =>
    (reading ??= revocations
      .reload(db)
      .catch((err: unknown) => logger.error({ err }, 'could not re-read revoked versions'))
      .finally(() => {
        reading = null;
      }));
  void (async () => {
    for (;;) {
      try {
        for await (const { versionId, reason } of announcements) revocations.add(versionId, reason);
        return; // closed
      } catch (err) {
        if (closed) return;
        logger.warn(
          { err },
          'revocation announcements stopped (fell behind, or the event bus refused the subscription); re-reading revoked versions',
        );
        announcements = events.subscribe('version-revoked');
        await reload();
      }
    }
  })();
  await revocations.reload(db);
  const timer = setInterval(() => void reload(), recheckMs);
  timer.unref();
  return {
    close() {
      closed = true;
      clearInterval(timer);
      void announcements.return?.();
    },
  };
}
