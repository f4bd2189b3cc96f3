import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PluginHarness } from '../../sdk-assemblyscript/harness/index.ts';
import { decodeId } from '../../src/schema/ids.ts';
import { INSTALL, listAndPublish } from '../support/plugins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * A hook plugin reads `clip.id` as the server sends it (a number), on the real server and in the
 * SDK's harness alike: highlight-detector logs `clip <id>: …` from its clip.captured hook.
 */
let server: TestServer;
const dir = 'plugins-wasm/highlight-detector';

beforeAll(async () => {
  server = await startTestServer();
  const publisher = await server.user('payload-labs', 'PUBLISHER');
  const manifest = JSON.parse(await readFile(`${dir}/plugin.json`, 'utf8'));
  await listAndPublish(server, publisher, manifest, new Uint8Array(await readFile(`${dir}/build/plugin.wasm`)));
}, 120_000);
afterAll(() => server.stop());

it('shows each clip its own id, on the server and in the harness', async () => {
  const user = await server.user('payload-user');
  await server.ok(
    INSTALL,
    { input: { slug: 'highlight-detector', grantPermissions: ['log', 'config', 'clips:read', 'clips:write'] } },
    user,
  );
  const harness = await PluginHarness.fromBuild(dir);
  try {
    for (const title of ['first', 'second', 'third']) {
      const { createClip } = await server.ok<{ createClip: { id: string } }, object>(
        'mutation ($input: CreateClipInput!) { createClip(input: $input) { id } }',
        { input: { title, mediaUrl: '/m.mp4', durationMs: 9000, game: 'valorant', fps: 60, width: 1280, height: 720 } },
        user,
      );
      const rowId = Number(decodeId(createClip.id).id);
      const { executions } = await server.ok<
        { executions: { edges: { node: { logs: { message: string }[] } }[] } },
        { clipId: string }
      >(
        'query ($clipId: ID!) { executions(first: 10, filter: { clipId: $clipId }) { edges { node { logs { message } } } } }',
        { clipId: createClip.id },
        user,
      );
      expect(executions.edges.map((e) => e.node.logs.map((l) => l.message))).toEqual([
        [`clip ${rowId}: 0 highlight(s) in 0 event(s)`],
      ]);
      // The harness builds the clip and the hook input with the server's own definition.
      const local = await harness.call('clip_captured', '', {
        clip: { id: rowId, title, durationMs: 9000, metadata: {} },
      });
      expect(local.logs.map((l) => l.message)).toEqual([`clip ${rowId}: 0 highlight(s) in 0 event(s)`]);
    }
    // A clip the server could never send is refused rather than hiding the difference.
    await expect(harness.call('clip_captured', '', { clip: { id: 'clip-1', metadata: {} } })).rejects.toThrow(
      /clip\.id must be the clip's number/,
    );
  } finally {
    await harness.close();
  }
});
