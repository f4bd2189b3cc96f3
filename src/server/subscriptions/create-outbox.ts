/**
 * What one connection (a WebSocket, or the HTTP response of an SSE stream) has waiting to be
 * sent: results taken from its subscriptions and not yet handed on, plus what its transport holds.
 * A client that stops reading makes this grow; past the limit the connection is dropped, never
 * the server's memory.
 */
export interface Outbox {
  /** Bytes of results taken from subscriptions and not yet handed to the transport. */
  queued: number;
  readonly limit: number;
  readonly dropped: boolean;
  /** Everything waiting: `queued` plus the transport's own buffer. */
  waiting(): number;
  /** True (and the connection dropped) when more than the limit is already waiting. */
  overflows(): boolean;
  drop(): void;
  /** Called once, when the connection is dropped. */
  onDrop(listener: () => void): void;
}

/** Buffered-bytes accounting across every connection, so tests and operators can see the bound hold. */
export interface OutboxStats {
  /** The most any one connection had waiting when a message was due. */
  peakWaitingBytes: number;
  /** Connections dropped for falling behind. */
  dropped: number;
}

export function createOutboxStats(): OutboxStats {
  return { peakWaitingBytes: 0, dropped: 0 };
}

export function createOutbox({
  limit,
  transportBytes,
  drop,
  stats,
}: {
  limit: number;
  /** Bytes the transport holds that the peer has not taken yet. */
  transportBytes: () => number;
  /** Ends the connection the way its protocol documents. */
  drop: () => void;
  stats: OutboxStats;
}): Outbox {
  const listeners: (() => void)[] = [];
  let dropped = false;
  const outbox: Outbox = {
    queued: 0,
    limit,
    get dropped() {
      return dropped;
    },
    waiting: () => outbox.queued + transportBytes(),
    overflows() {
      if (dropped) return true;
      const waiting = outbox.waiting();
      stats.peakWaitingBytes = Math.max(stats.peakWaitingBytes, waiting);
      if (waiting <= limit) return false;
      outbox.drop();
      return true;
    },
    drop() {
      if (dropped) return;
      dropped = true;
      stats.dropped++;
      outbox.queued = 0;
      for (const listener of listeners.splice(0)) listener();
      drop();
    },
    onDrop(listener) {
      if (dropped) listener();
      else listeners.push(listener);
    },
  };
  return outbox;
}

/** Close code for a WebSocket dropped because it fell behind (documented in the README). */
export const SLOW_SUBSCRIBER_CLOSE_CODE = 4413;

interface WebSocketLike {
  readonly bufferedAmount: number;
  close(code: number, reason: string): void;
  terminate(): void;
}

interface ResponseLike {
  readonly writableLength: number;
  readonly writableFinished: boolean;
  destroy(): void;
}

export interface Outboxes {
  /** The outbox of a graphql-ws connection: dropped with close code 4413. */
  forSocket(socket: WebSocketLike): Outbox;
  /** The outbox of an SSE response: its stream ends with a `SLOW_SUBSCRIBER` error. */
  forResponse(response: ResponseLike): Outbox;
  /** For subscriptions without a network transport (in-process `yoga.fetch`). */
  detached(): Outbox;
  stats: OutboxStats;
}

/**
 * One outbox per connection, made on first use. A dropped peer gets `graceMs` to read what is
 * queued and the close; a peer still not reading by then is cut off, freeing its buffers.
 */
export function createOutboxes({ limit, graceMs }: { limit: number; graceMs: number }): Outboxes {
  const stats = createOutboxStats();
  const sockets = new WeakMap<WebSocketLike, Outbox>();
  const responses = new WeakMap<ResponseLike, Outbox>();
  const later = (fn: () => void) => setTimeout(fn, graceMs).unref();
  return {
    stats,
    forSocket(socket) {
      let outbox = sockets.get(socket);
      if (!outbox) {
        outbox = createOutbox({
          limit,
          stats,
          transportBytes: () => socket.bufferedAmount,
          drop: () => {
            socket.close(SLOW_SUBSCRIBER_CLOSE_CODE, 'Slow subscriber: too much waiting to be sent');
            later(() => socket.terminate());
          },
        });
        sockets.set(socket, outbox);
      }
      return outbox;
    },
    forResponse(response) {
      let outbox = responses.get(response);
      if (!outbox) {
        outbox = createOutbox({
          limit,
          stats,
          transportBytes: () => response.writableLength,
          // The stream ends with a SLOW_SUBSCRIBER event behind what the transport holds; a
          // reader that has not got there within the grace period is cut off.
          drop: () => later(() => response.writableFinished || response.destroy()),
        });
        responses.set(response, outbox);
      }
      return outbox;
    },
    detached: () => createOutbox({ limit, stats, transportBytes: () => 0, drop: () => {} }),
  };
}
