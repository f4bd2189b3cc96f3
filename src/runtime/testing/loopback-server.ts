import { Worker } from 'node:worker_threads';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  /** Requests received so far (`/_requests` itself excluded). */
  requests(): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

// In a thread of its own: a plugin's HTTP request blocks the calling thread (the harness runs
// plugins in the test's thread), so a server on that thread could never answer.
const SERVER = `
const { createServer } = require('node:http');
const { parentPort } = require('node:worker_threads');
const seen = [];
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/_requests') { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(seen)); return; }
    if (req.url === '/big') { res.end(Buffer.alloc(2 * 1024 * 1024, 97)); return; }
    if (req.url === '/hang') return;
    seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.statusCode = req.url.startsWith('/broken') ? 500 : 200;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ok: res.statusCode === 200, seen: seen.length }));
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

/**
 * A webhook-like HTTP server on loopback, in its own thread: answers `{ ok, seen }` (status 500
 * under `/broken`) and records every request, listed at `/_requests`; `/big` sends 2 MiB and
 * `/hang` never answers.
 */
export async function startLoopbackServer(): Promise<LoopbackServer> {
  const worker = new Worker(SERVER, { eval: true });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    requests: async () => (await (await fetch(`${origin}/_requests`)).json()) as RecordedRequest[],
    close: async () => void (await worker.terminate()),
  };
}
