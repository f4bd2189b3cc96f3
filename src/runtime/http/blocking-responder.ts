import { receiveMessageOnPort } from 'node:worker_threads';
import type { HttpInbound, HttpOutbound, HttpPolicy, HttpResponder } from '../types.ts';
import type { HttpChannel } from './helper-thread.ts';

export interface FetchRequest {
  id: number;
  req: HttpOutbound;
  policy: Omit<HttpPolicy, 'index'>;
}
export interface FetchReply {
  id: number;
  res: HttpInbound;
}

/** Time the helper gets past the deadline to report its own timeout before the wait gives up. */
const GRACE_MS = 50;
/** Longest wait for a helper thread that is still starting (from source, tsx makes that slow). */
const STARTUP_WAIT_MS = 10_000;

/**
 * The runtime's network responder: host functions are synchronous (Node 20 has no JSPI), so the
 * request goes to the HTTP helper thread and this thread blocks in `Atomics.wait` until the
 * answer or the call's deadline. Only a plugin thread (or a tool's local runner) blocks; never
 * the server's main event loop.
 */
export function blockingResponder(channel: () => HttpChannel): HttpResponder {
  let nextId = 0;
  return (req, { index: _index, ...policy }) => {
    const { port, signal, ready } = channel();
    const flag = new Int32Array(signal);
    // A helper still starting is not the request's time: the pool starts it with the runtime,
    // a local runner with the first instance that can make requests.
    const started = new Int32Array(ready);
    if (Atomics.load(started, 0) === 0) Atomics.wait(started, 0, 0, STARTUP_WAIT_MS);
    const id = ++nextId;
    const until = performance.now() + policy.timeoutMs + GRACE_MS;
    Atomics.store(flag, 0, 0);
    port.postMessage({ id, req, policy } satisfies FetchRequest);
    for (;;) {
      // Replies to requests that timed out earlier may still arrive: skip them.
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
        const reply = m.message as FetchReply;
        if (reply.id === id) return reply.res;
      }
      const left = until - performance.now();
      if (left <= 0)
        return {
          status: 0,
          headers: {},
          body: new Uint8Array(0),
          redirects: 0,
          error: { code: 'HTTP_TIMEOUT', message: "the call's deadline passed before the response" },
        };
      Atomics.wait(flag, 0, 0, left);
      Atomics.store(flag, 0, 0);
    }
  };
}
