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

/**
 * The runtime's network responder: host functions are synchronous (Node 20 has no JSPI), so the
 * request goes to the HTTP helper thread and this thread blocks in `Atomics.wait` until the
 * answer or the call's deadline. Only a plugin thread (or a tool's local runner) blocks; never
 * the server's main event loop.
 */
export function blockingResponder(channel: () => HttpChannel): HttpResponder {
  let nextId = 0;
  return (req, { index: _index, ...policy }) => {
    const { port, signal } = channel();
    const flag = new Int32Array(signal);
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
