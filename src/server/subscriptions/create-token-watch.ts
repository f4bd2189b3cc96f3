import type { Logger } from 'pino';
import type { Database } from '../../db/orm.ts';
import type { Events } from '../../services/events.ts';
import { validTokenHashes } from '../../services/users.ts';

export interface TokenWatch {
  /**
   * Calls `onRevoked` once when the token with this hash stops being valid: revoked, deleted, or
   * at `expiresAt` (a timer of its own). Returns an unwatch.
   */
  watch(tokenHash: string, onRevoked: () => void, expiresAt?: Date | null): () => void;
  /** Checks every watched token against the database now. */
  recheck(): Promise<void>;
  close(): void;
}

/**
 * Ends what was opened with a token once the token is no longer valid. Revocations through the
 * API are announced on the event bus (`token-revoked`), which reaches every instance; a periodic
 * re-check against the database catches the rest (rows deleted by SQL or another tool, expiry).
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function createTokenWatch({
  db,
  events,
  logger,
  recheckMs,
  onRevoked = () => {},
}: {
  db: Database;
  events: Events;
  logger: Logger;
  /** 0 turns the periodic re-check off. */
  recheckMs: number;
  /** Told of every token found revoked, watched or not (the server drops it from its token cache). */
  onRevoked?: (tokenHash: string) => void;
}): TokenWatch {
  const watchers = new Map<string, Set<() => void>>();
  const revoke = (hash: string) => {
    onRevoked(hash);
    const callbacks = watchers.get(hash);
    watchers.delete(hash);
    for (const callback of callbacks ?? []) callback();
  };
  const recheck = async () => {
    if (watchers.size === 0) return;
    const hashes = [...watchers.keys()];
    const valid = await validTokenHashes(db.fork(), hashes);
    for (const hash of hashes) if (!valid.has(hash)) revoke(hash);
  };

  let closed = false;
  let revocations = events.subscribe('token-revoked');
  void (async () => {
    for (;;) {
      try {
        for await (const hash of revocations) revoke(hash);
        return; // closed
      } catch (err) {
        if (closed) return;
        // Fell behind on announcements: some may be lost, so ask the database.
        logger.warn(
          { err },
          'token revocation announcements stopped (fell behind, or the event bus refused the subscription); re-checking tokens',
        );
        revocations = events.subscribe('token-revoked');
        await recheck().catch((error) => logger.error({ err: error }, 'token re-check failed'));
      }
    }
  })();
  const timer =
    recheckMs > 0
      ? setInterval(() => void recheck().catch((err) => logger.error({ err }, 'token re-check failed')), recheckMs)
      : null;
  timer?.unref();

  return {
    watch(tokenHash, onRevoked, expiresAt = null) {
      const callbacks = watchers.get(tokenHash) ?? new Set<() => void>();
      watchers.set(tokenHash, callbacks);
      let expiry: NodeJS.Timeout | null = null;
      const unwatch = () => {
        if (expiry) clearTimeout(expiry);
        callbacks.delete(callback);
        if (callbacks.size === 0 && watchers.get(tokenHash) === callbacks) watchers.delete(tokenHash);
      };
      const callback = () => {
        unwatch();
        onRevoked();
      };
      callbacks.add(callback);
      const untilExpiry = () => {
        const wait = expiresAt ? expiresAt.getTime() - Date.now() : Number.POSITIVE_INFINITY;
        if (wait <= 0) return callback();
        // setTimeout holds at most ~24.8 days: a later expiry re-arms when that passes.
        if (!Number.isFinite(wait)) return;
        expiry = setTimeout(untilExpiry, Math.min(wait, MAX_TIMER_MS));
        expiry.unref();
      };
      untilExpiry();
      return unwatch;
    },
    recheck,
    close() {
      closed = true;
      if (timer) clearInterval(timer);
      void revocations.return?.();
    },
  };
}
