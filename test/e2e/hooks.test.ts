import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClipsDocument,
  CreateClipDocument,
  HookExecutionsDocument,
  UpdateClipDocument,
  UpdateInstallationDocument,
} from '../generated/graphql.ts';
import { buildTestPlugin, INSTALL, listAndPublish } from '../support/plugins.ts';
import { startTestServer, type TestServer, expectCode } from '../support/server.ts';

let server: TestServer;
let user: string;
let publisher: string;
let tagger: Awaited<ReturnType<typeof buildTestPlugin>>;
const ids: Record<string, string> = {};
const GRANTS = ['log', 'config', 'kv', 'clips:read', 'clips:write', 'events'];

const clip = (title: string) => ({ input: { title, mediaUrl: '/media/clip.mp4', durationMs: 5000, tags: ['raw'] } });

beforeAll(async () => {
  server = await startTestServer();
  publisher = await server.user('hookmaker', 'PUBLISHER');
  user = await server.user('streamer');
  tagger = await buildTestPlugin('tagger');
  const { manifest, wasm } = tagger;
  // The same module listed twice: two installations whose order can be observed.
  for (const [slug, tag, priority] of [
    ['tagger-a', 'first', 10],
    ['tagger-b', 'second', 5],
  ] as const) {
    await listAndPublish(server, publisher, { ...manifest, slug }, wasm);
    const { installPlugin } = await server.ok(
      INSTALL,
      { input: { slug, config: { tag }, grantPermissions: GRANTS, priority } },
      user,
    );
    ids[slug] = installPlugin.id;
  }
}, 120_000);
afterAll(() => server.stop());

describe('clip hooks', () => {
  it('run in priority order on createClip, each seeing the patches before it', async () => {
    const { createClip } = await server.ok(CreateClipDocument, clip('First clip'), user);
    expect(createClip.tags).toEqual(['raw', 'first', 'second']);
    expect(createClip.metadata).toEqual({
      'tagger-a': { hook: 'clip.captured', order: ['raw'] },
      'tagger-b': { hook: 'clip.captured', order: ['raw', 'first'] },
    });
    const { executions } = await server.ok(HookExecutionsDocument, {}, user);
    expect(
      executions.edges.map((e) => [e.node.installation?.plugin.slug, e.node.hook, e.node.status, e.node.clip?.id]),
    ).toEqual([
      ['tagger-b', 'clip.captured', 'SUCCEEDED', createClip.id],
      ['tagger-a', 'clip.captured', 'SUCCEEDED', createClip.id],
    ]);
  });

  it('fires clip.updated, and clip.processed when the status becomes PROCESSED', async () => {
    const { createClip } = await server.ok(CreateClipDocument, clip('Second clip'), user);
    const { updateClip } = await server.ok(
      UpdateClipDocument,
      { input: { id: createClip.id, status: 'PROCESSED' } },
      user,
    );
    expect((updateClip.metadata as Record<string, { hook: string }>)['tagger-a'].hook).toBe('clip.processed');
    const { executions } = await server.ok(HookExecutionsDocument, {}, user);
    const hooks = executions.edges.filter((e) => e.node.clip?.id === createClip.id).map((e) => e.node.hook);
    expect(hooks.sort()).toEqual([
      'clip.captured',
      'clip.captured',
      'clip.processed',
      'clip.processed',
      'clip.updated',
      'clip.updated',
    ]);
  });

  it('records and skips a failing OPTIONAL plugin, discarding its patch', async () => {
    await server.ok(
      UpdateInstallationDocument,
      { input: { id: ids['tagger-b'], config: { tag: 'second', fail: true } } },
      user,
    );
    const { createClip } = await server.ok(CreateClipDocument, clip('Optional failure'), user);
    expect(createClip.tags).toEqual(['raw', 'first']);
    expect(Object.keys(createClip.metadata)).toEqual(['tagger-a']);
    const { executions } = await server.ok(HookExecutionsDocument, {}, user);
    expect(executions.edges[0].node).toMatchObject({
      status: 'FAILED',
      installation: { plugin: { slug: 'tagger-b' } },
      clip: { id: createClip.id },
    });
  });

  it('fails createClip when a CRITICAL plugin fails, naming it, and leaves no clip behind', async () => {
    await server.ok(UpdateInstallationDocument, { input: { id: ids['tagger-b'], criticality: 'CRITICAL' } }, user);
    const before = (await server.ok(ClipsDocument, { first: 100 }, user)).clips.edges.length;
    const result = await server.gql(CreateClipDocument, clip('Critical failure'), user);
    expectCode(result, 'PLUGIN_HOOK_FAILED');
    expect(result.errors?.[0].message).toContain('"tagger-b"');
    expect(result.errors?.[0].message).toContain('configured to fail on clip.captured');
    expect((await server.ok(ClipsDocument, { first: 100 }, user)).clips.edges.length).toBe(before);
    // The failed call is still on record, detached from the clip that was rolled back.
    const { executions } = await server.ok(HookExecutionsDocument, {}, user);
    expect(executions.edges[0].node).toMatchObject({ status: 'FAILED', clip: null });
  });

  it('restores the clip when a CRITICAL plugin fails an update', async () => {
    await server.ok(UpdateInstallationDocument, { input: { id: ids['tagger-b'], config: { tag: 'second' } } }, user);
    const { createClip } = await server.ok(CreateClipDocument, clip('Keep me'), user);
    await server.ok(
      UpdateInstallationDocument,
      { input: { id: ids['tagger-b'], config: { tag: 'second', fail: true } } },
      user,
    );
    const result = await server.gql(
      UpdateClipDocument,
      { input: { id: createClip.id, title: 'Renamed', status: 'FAILED' } },
      user,
    );
    expectCode(result, 'PLUGIN_HOOK_FAILED');
    const { clips } = await server.ok(ClipsDocument, { filter: { query: 'Keep me' } }, user);
    expect(clips.edges[0].node).toMatchObject({
      title: 'Keep me',
      status: 'CAPTURED',
      tags: ['raw', 'first', 'second'],
    });
  });

  it('shows no clip while its clip.captured hooks run, then the clip with their patches', async () => {
    const owner = await server.user('deleter');
    // A fuel budget big enough for a hook that works for a while.
    const limits = { memoryMiB: 8, timeoutMs: 10_000, fuel: 10_000_000_000 };
    await listAndPublish(server, publisher, { ...tagger.manifest, slug: 'slow-tagger', limits }, tagger.wasm);
    await server.ok(
      INSTALL,
      { input: { slug: 'slow-tagger', config: { tag: 'slow', spin: 300_000_000 }, grantPermissions: GRANTS } },
      owner,
    );
    let settled = false;
    const creating = server.gql(CreateClipDocument, clip('Pending'), owner).finally(() => {
      settled = true;
    });
    // The clip is stored pending before its hooks run: no read shows it until they have passed,
    // so whenever a read shows it, it carries their patches.
    let polls = 0;
    while (!settled) {
      for (const { node } of (await server.ok(ClipsDocument, { first: 1 }, owner)).clips.edges)
        expect(node.tags).toContain('slow');
      polls++;
    }
    expect(polls).toBeGreaterThan(0);
    const { data } = await creating;
    expect(data?.createClip.tags).toContain('slow');
    expect((await server.ok(ClipsDocument, { first: 1 }, owner)).clips.edges).toHaveLength(1);
  }, 60_000);

  it('skips disabled installations', async () => {
    await server.ok(UpdateInstallationDocument, { input: { id: ids['tagger-b'], enabled: false } }, user);
    const { createClip } = await server.ok(CreateClipDocument, clip('Only A'), user);
    expect(createClip.tags).toEqual(['raw', 'first']);
  });
});
