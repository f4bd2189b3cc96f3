import http from 'node:http';
import WebSocket from 'ws';

/** A subscriber whose reading the test controls: graphql-ws over a raw socket, or SSE over HTTP. */
export interface RawSubscriber {
  /** Resolves with the next `next` payload's text. */
  nextEvent(): Promise<string>;
  pause(): void;
  /** graphql-ws only: starts another operation on the same connection. */
  send?(id: string, query: string): void;
  /** Resumes reading and resolves with how the connection ended: a close code or the body's tail. */
  resumeToEnd(): Promise<{ closeCode?: number; text: string }>;
}

/** `id` is the subscription's operation id (`TestServer.listening` waits for it by that name). */
export async function wsSubscriber(
  url: string,
  token: string,
  query: string,
  { id = '1' }: { id?: string } = {},
): Promise<RawSubscriber> {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
  const messages: string[] = [];
  let waiting: (() => void) | null = null;
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  socket.on('message', (data) => {
    messages.push(String(data));
    waiting?.();
  });
  const next = async (type: string) => {
    for (;;) {
      const index = messages.findIndex((m) => JSON.parse(m).type === type);
      if (index >= 0) return messages.splice(index, 1)[0];
      await new Promise<void>((resolve) => (waiting = resolve));
    }
  };
  await new Promise((resolve) => socket.on('open', resolve));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${token}` } }));
  await next('connection_ack');
  socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query } }));
  return {
    nextEvent: () => next('next'),
    pause: () => socket.pause(),
    send: (id, query) => socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query } })),
    async resumeToEnd() {
      socket.resume();
      const closeCode = await closed;
      return { closeCode, text: messages.join('\n').slice(-2000) };
    },
  };
}

/** `id` is sent as the request's `x-request-id` (`TestServer.listening` waits for it by that name). */
export async function sseSubscriber(
  url: string,
  token: string,
  query: string,
  { id }: { id?: string } = {},
): Promise<RawSubscriber> {
  const target = new URL(`${url}/graphql`);
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          authorization: `Bearer ${token}`,
          ...(id ? { 'x-request-id': id } : {}),
        },
      },
      resolve,
    );
    request.on('error', reject);
    request.end(JSON.stringify({ query }));
  });
  let text = '';
  let waiting: (() => void) | null = null;
  const ended = new Promise<void>((resolve) => {
    response.on('end', resolve);
    response.on('close', resolve);
  });
  // Chunks arrive a few hundred bytes at a time once a backlog is read: keep a bounded tail
  // without copying the whole text per chunk.
  let chunks: string[] = [];
  let held = 0;
  response.on('data', (chunk: Buffer) => {
    chunks.push(chunk.toString());
    held += chunk.length;
    while (held > 200_000 && chunks.length > 1) held -= chunks.shift()!.length;
    waiting?.();
  });
  const collected = () => {
    text += chunks.join('');
    chunks = [];
    held = text.length;
    return text;
  };
  return {
    async nextEvent() {
      for (;;) {
        const match = /event: next\ndata: (.*)\n\n/.exec(collected());
        if (match) {
          text = text.slice(match.index + match[0].length);
          return match[1];
        }
        await new Promise<void>((resolve) => (waiting = resolve));
      }
    },
    pause: () => response.pause(),
    async resumeToEnd() {
      response.resume();
      await ended;
      return { text: collected().slice(-2000) };
    },
  };
}
