import type { GraphQLError, ExecutionResult } from 'graphql';
import { apiError } from '../../schema/errors.ts';
import type { Outbox } from './create-outbox.ts';

export interface BufferedSubscription extends AsyncIterableIterator<ExecutionResult> {
  /** Ends the subscription now: what is queued is discarded and `last`, if any, is its final result. */
  end(last?: ExecutionResult): void;
}

const tooSlow = (limit: number): ExecutionResult => ({
  errors: [
    apiError('SLOW_SUBSCRIBER', `This subscriber fell behind: more than ${limit} bytes were waiting to be sent to it`),
  ],
});

const sizeOf = (result: ExecutionResult): number => {
  try {
    return Buffer.byteLength(JSON.stringify(result));
  } catch {
    return 0;
  }
};

/**
 * Takes a subscription's results as soon as they are produced, so nothing queues unseen in the
 * event bus, and holds them for the transport in `outbox`, where their bytes are counted with
 * the connection's. When that connection is dropped the subscription ends at once, its queue
 * discarded, with a `SLOW_SUBSCRIBER` error as the last result (which SSE delivers; a dropped
 * WebSocket is already closing).
 */
export function bufferSubscription(
  source: AsyncIterable<ExecutionResult>,
  outbox: Outbox,
  onEnd: () => void = () => {},
): BufferedSubscription {
  const iterator = source[Symbol.asyncIterator]();
  const queue: { value: ExecutionResult; bytes: number }[] = [];
  let ended = false;
  let sourceDone = false;
  let finished = false;
  let last: ExecutionResult | null = null;
  let failure: { error: unknown } | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  const release = (bytes: number) => {
    if (!outbox.dropped) outbox.queued -= bytes;
  };

  const end = (final?: ExecutionResult) => {
    if (ended) return;
    ended = true;
    for (const item of queue.splice(0)) release(item.bytes);
    last = final ?? null;
    void Promise.resolve(iterator.return?.()).catch(() => {});
    notify();
  };
  outbox.onDrop(() => end(tooSlow(outbox.limit)));

  void (async () => {
    try {
      while (!ended) {
        const next = await iterator.next();
        if (next.done || ended) break;
        // Checked before this result joins the queue: a connection is dropped for what was
        // already waiting, so one result larger than the limit still reaches a reader that keeps up.
        if (outbox.overflows()) break;
        const bytes = sizeOf(next.value);
        queue.push({ value: next.value, bytes });
        outbox.queued += bytes;
        notify();
      }
    } catch (error) {
      if ((error as GraphQLError | null)?.extensions?.code === 'SLOW_SUBSCRIBER') outbox.drop();
      else failure = { error };
    }
    sourceDone = true;
    notify();
  })();

  const subscription: BufferedSubscription = {
    end,
    async next() {
      for (;;) {
        const item = queue.shift();
        if (item) {
          release(item.bytes);
          return { value: item.value, done: false };
        }
        if (last) {
          const value = last;
          last = null;
          return { value, done: false };
        }
        if (ended || sourceDone) {
          if (!finished) {
            finished = true;
            onEnd();
          }
          if (failure && !ended) {
            const { error } = failure;
            failure = null;
            throw error;
          }
          return { value: undefined, done: true };
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
    async return() {
      end();
      if (!finished) {
        finished = true;
        onEnd();
      }
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return subscription;
    },
  };
  return subscription;
}
