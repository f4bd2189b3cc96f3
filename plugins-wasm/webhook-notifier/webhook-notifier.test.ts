import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginHarness, readTestCases, runCases } from '../../sdk-assemblyscript/harness/index.ts';
import { type LoopbackServer, startLoopbackServer } from '../../src/runtime/testing/loopback-server.ts';

const dir = new URL('.', import.meta.url).pathname;
let plugin: PluginHarness;
let server: LoopbackServer;
let url: string;

beforeAll(async () => {
  server = await startLoopbackServer();
  url = `http://localhost:${server.port}/hook`;
  // A real loopback server: the deployment setting names localhost as an allowed internal host.
  plugin = await PluginHarness.load(dir, { network: { allowedInternalHosts: ['localhost'] } });
});
afterAll(async () => {
  await plugin?.close();
  await server?.close();
});

const lastReceived = async () => (await server.requests()).at(-1)!;

describe('webhook-notifier', () => {
  it('posts a message to the webhook over the network, UTF-8 intact, with the secret header', async () => {
    const r = await plugin.call('notify', 'Grüße ✓ from the plugin', { config: { url, secret: 's3' } });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.json()).toMatchObject({ delivered: true, status: 200, response: { ok: true } });
    const last = await lastReceived();
    expect(JSON.parse(last.body)).toEqual({ text: 'Grüße ✓ from the plugin' });
    expect(last.headers['x-webhook-secret']).toBe('s3');
    expect(last.headers['content-type']).toBe('application/json');
    expect(r.httpRequests).toEqual([{ method: 'POST', url, status: 200, error: null }]);
  });

  it('announces a captured clip', async () => {
    const r = await plugin.call(
      'clip_captured',
      {},
      { config: { url }, clip: { id: 7, title: 'Ace', game: 'CS2', tags: [], metadata: {} } },
    );
    expect(r.status).toBe('SUCCEEDED');
    expect(JSON.parse((await lastReceived()).body)).toMatchObject({
      event: 'clip.captured',
      id: 7,
      title: 'Ace',
      game: 'CS2',
    });
  });

  it('fails the call when the webhook answers an error or the host is not granted', async () => {
    const broken = await plugin.call('notify', 'x', { config: { url: url.replace('/hook', '/broken') } });
    expect(broken.status).toBe('FAILED');
    expect(broken.error?.message).toContain('webhook answered 500');
    const elsewhere = await plugin.call('notify', 'x', { config: { url: 'https://hooks.slack.com/x' } });
    expect(elsewhere.error?.message).toContain('HTTP_HOST_NOT_GRANTED');
  });

  it('runs with a mocked webhook, no network', async () => {
    const seen: string[] = [];
    const r = await plugin.call(
      'notify',
      { text: 'hi' },
      {
        config: { url: 'https://hooks.example.com/abc' },
        http: (req) => {
          seen.push(`${req.method} ${req.url} ${req.body}`);
          return { status: 202, body: { queued: true } };
        },
      },
    );
    expect(r.json()).toEqual({ delivered: true, status: 202, response: { queued: true } });
    expect(seen).toEqual(['POST https://hooks.example.com/abc {"text":"hi"}']);
  });

  it('passes its own test inputs', async () => {
    const outcomes = await runCases(plugin, await readTestCases(dir));
    expect(outcomes.map((o) => o.mismatch)).toEqual(outcomes.map(() => null));
  });
});
