import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { FetchReply, FetchRequest } from './blocking-responder.ts';
import { performRequest } from './perform.ts';

/**
 * Body of the HTTP helper thread: each plugin thread connects with a port and a shared flag,
 * hands over requests and blocks; this thread performs them (concurrently across plugin threads),
 * posts each reply and wakes its thread.
 */
const { allowedInternalHosts, ready } = workerData as { allowedInternalHosts: string[]; ready: SharedArrayBuffer };
const allowed = new Set(allowedInternalHosts.map((h) => h.toLowerCase()));

parentPort!.on('message', ({ port, signal }: { port: MessagePort; signal: SharedArrayBuffer }) => {
  const flag = new Int32Array(signal);
  port.on('message', async ({ id, req, policy }: FetchRequest) => {
    const res = await performRequest(req, { ...policy, allowedInternalHosts: allowed }).catch((err: Error) => ({
      status: 0,
      headers: {},
      body: new Uint8Array(0),
      redirects: 0,
      error: { code: 'HTTP_FAILED' as const, message: err.message },
    }));
    port.postMessage({ id, res } satisfies FetchReply);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  });
});

const started = new Int32Array(ready);
Atomics.store(started, 0, 1);
Atomics.notify(started, 0);
