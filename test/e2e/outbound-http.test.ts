// Outbound HTTP through the real server: a module calling the Extism kernel's HTTP ABI directly
// (as any Extism PDK does), published, installed with http: grants, and run against a loopback
// server; each refusal and limit ends up on the Execution.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture } from '../../src/runtime/testing/fixtures.ts';
import { type LoopbackServer, startLoopbackServer } from '../../src/runtime/testing/loopback-server.ts';
import { listAndPublish } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let web: LoopbackServer;
let token: string;
let installationId: string;

const manifest = {
  slug: 'http-probe',
  version: '1.0.0',
  hostApi: '^1.0.0',
  functions: ['fetch', 'many'],
  hooks: [],
  permissions: ['http:127.0.0.1', 'http:localhost'],
  limits: { timeoutMs: 1500 },
};

beforeAll(async () => {
  // 127.0.0.1 is this deployment's named internal host; localhost is not, although it is granted.
  server = await startTestServer({ env: { PLUGBOARD_HTTP_ALLOWED_INTERNAL_HOSTS: '127.0.0.1' } });
  web = await startLoopbackServer();
  token = await server.user('caller', 'PUBLISHER');
  await listAndPublish(server, token, manifest, await buildFixture('http-client'));
  const installed = (await server.ok(
    'mutation ($input: InstallPluginInput!) { installPlugin(input: $input) { id } }',
    { input: { slug: 'http-probe', grantPermissions: manifest.permissions } },
    token,
  )) as { installPlugin: { id: string } };
  installationId = installed.installPlugin.id;
}, 120_000);
afterAll(async () => {
  await web?.close();
  await server?.stop();
});

interface Run {
  status: string;
  output: string | null;
  errorCode: string | null;
  httpRequests:
    | { method: string; url: string; status: number; errorCode: string | null; responseBytes: number }[]
    | null;
}

async function run(fn: string, url: string): Promise<Run> {
  const data = (await server.ok(
    `mutation ($input: ExecutePluginInput!) { executePlugin(input: $input) {
      status output errorCode httpRequests { method url status errorCode responseBytes } } }`,
    { input: { installationId, function: fn, input: JSON.stringify({ url }) } },
    token,
  )) as { executePlugin: Run };
  return data.executePlugin;
}

const answer = (r: Run) => {
  const [status, , ...body] = (r.output ?? '').split('\n');
  return { status: Number(status), body: body.join('\n') };
};
const refusal = (r: Run) => JSON.parse(answer(r).body).error.code as string;

describe('outbound HTTP through the server', { timeout: 60_000 }, () => {
  it('refuses an install that does not grant the http: permissions the version asks for', async () => {
    const res = await server.gql(
      'mutation ($input: InstallPluginInput!) { installPlugin(input: $input) { id } }',
      { input: { slug: 'http-probe', grantPermissions: ['http:127.0.0.1'] } },
      await server.user('other'),
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('performs a granted request and records it on the Execution', async () => {
    const r = await run('fetch', `${web.origin}/hook`);
    expect(r.status).toBe('SUCCEEDED');
    expect(answer(r)).toEqual({ status: 200, body: '{"ok":true,"seen":1}' });
    expect(r.httpRequests).toEqual([
      { method: 'GET', url: `${web.origin}/hook`, status: 200, errorCode: null, responseBytes: 20 },
    ]);
  });

  it('refuses a granted name that resolves to an internal address the deployment did not name', async () => {
    const r = await run('fetch', `http://localhost:${web.port}/hook`);
    expect(r.status).toBe('SUCCEEDED');
    expect(refusal(r)).toBe('HTTP_ADDRESS_REFUSED');
    expect(r.httpRequests?.[0]).toMatchObject({ status: 0, errorCode: 'HTTP_ADDRESS_REFUSED' });
  });

  it('refuses hosts not granted, and caps requests per call and response size', async () => {
    expect(refusal(await run('fetch', 'http://169.254.169.254/latest/meta-data/'))).toBe('HTTP_HOST_NOT_GRANTED');
    const many = await run('many', `${web.origin}/hook`);
    expect(many.output!.split(',').filter((s) => s === '200')).toHaveLength(16);
    expect(many.httpRequests).toHaveLength(20);
    expect(many.httpRequests!.slice(16).map((x) => x.errorCode)).toEqual(Array(4).fill('HTTP_TOO_MANY_REQUESTS'));
    expect(refusal(await run('fetch', `${web.origin}/big`))).toBe('HTTP_RESPONSE_TOO_LARGE');
  });

  it('ends a call whose deadline passes while waiting on a response TIMED_OUT', async () => {
    const r = await run('fetch', `${web.origin}/hang`);
    expect(r).toMatchObject({ status: 'TIMED_OUT', errorCode: 'PLUGIN_TIMEOUT' });
  });
});
