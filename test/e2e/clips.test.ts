import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClipDocument,
  ClipsDocument,
  ClipStatsDocument,
  CreateClipDocument,
  DeleteClipDocument,
  UpdateClipDocument,
} from '../generated/graphql.ts';
import { collect, startTestServer, type TestServer, expectCode } from '../support/server.ts';

let server: TestServer;
let owner: string;
let stranger: string;

const clip = (title: string, extra: Record<string, unknown> = {}) => ({
  input: { title, mediaUrl: 'https://cdn.example.com/clips/1.mp4', durationMs: 30_000, ...extra },
});

beforeAll(async () => {
  server = await startTestServer();
  owner = await server.user('streamer');
  stranger = await server.user('stranger');
});
afterAll(() => server.stop());

const CLIP_EVENTS = 'subscription { clipEvents { type clip { id title status } } }';

describe('clips', () => {
  let clipId: string;

  it('creates a clip for the signed-in user', async () => {
    const { createClip } = await server.ok(
      CreateClipDocument,
      clip('Triple kill', {
        game: 'Valorant',
        tags: ['Clutch', 'ranked'],
        width: 1920,
        height: 1080,
        fps: 60,
        metadata: { events: [] },
      }),
      owner,
    );
    clipId = createClip.id;
    expect(createClip).toMatchObject({
      title: 'Triple kill',
      status: 'CAPTURED',
      tags: ['clutch', 'ranked'],
      owner: { handle: 'streamer' },
      metadata: { events: [] },
    });
    expect(await server.code(CreateClipDocument, clip('anon'))).toBe('UNAUTHENTICATED');
  });

  it('validates every field and writes nothing on failure', async () => {
    const result = await server.gql(
      CreateClipDocument,
      {
        input: {
          title: '',
          mediaUrl: 'javascript:alert(1)',
          durationMs: -5,
          fps: 0,
          width: 0,
          codec: 'h 264',
          tags: ['ok', '!!'],
        },
      },
      owner,
    );
    expectCode(result, 'BAD_USER_INPUT');
    expect(result.errors?.[0].extensions?.problems?.map((p) => p.field).sort()).toEqual([
      'codec',
      'durationMs',
      'fps',
      'mediaUrl',
      'tags.1',
      'title',
      'width',
    ]);
    expect((await server.ok(ClipsDocument, {}, owner)).clips.edges).toHaveLength(1);
  });

  it('keeps clips private to their owner', async () => {
    expect((await server.ok(ClipDocument, { id: clipId }, stranger)).clip).toBeNull();
    expect((await server.ok(ClipsDocument, {}, stranger)).clips.edges).toEqual([]);
    expect(await server.code(UpdateClipDocument, { input: { id: clipId, title: 'mine now' } }, stranger)).toBe(
      'NOT_FOUND',
    );
    expect(await server.code(DeleteClipDocument, { id: clipId }, stranger)).toBe('NOT_FOUND');
    expect(await server.code(ClipDocument, { id: clipId })).toBe('UNAUTHENTICATED');
  });

  it('filters by game, status, tag and text, and pages', async () => {
    await server.ok(
      CreateClipDocument,
      clip('Ace round', { game: 'Valorant', tags: ['ace'], status: 'PROCESSED', durationMs: 10_000 }),
      owner,
    );
    await server.ok(CreateClipDocument, clip('Boss fight', { game: 'Elden Ring', durationMs: 60_000 }), owner);
    const titles = async (filter: Record<string, unknown>) =>
      (await server.ok(ClipsDocument, { filter }, owner)).clips.edges.map((e) => e.node.title);
    expect(await titles({ game: 'Valorant' })).toEqual(['Ace round', 'Triple kill']);
    expect(await titles({ status: 'PROCESSED' })).toEqual(['Ace round']);
    expect(await titles({ tag: 'CLUTCH' })).toEqual(['Triple kill']);
    expect(await titles({ query: 'boss' })).toEqual(['Boss fight']);
    const page1 = await server.ok(ClipsDocument, { first: 2 }, owner);
    const page2 = await server.ok(ClipsDocument, { first: 2, after: page1.clips.pageInfo.endCursor }, owner);
    expect([...page1.clips.edges, ...page2.clips.edges].map((e) => e.node.title)).toEqual([
      'Boss fight',
      'Ace round',
      'Triple kill',
    ]);
    expect(page2.clips.pageInfo.hasNextPage).toBe(false);
  });

  it('sums stats by status and game', async () => {
    const { clipStats } = await server.ok(ClipStatsDocument, {}, owner);
    expect(clipStats.total).toBe(3);
    expect(clipStats.totalDurationMs).toBe(100_000);
    expect(clipStats.byStatus).toEqual(
      expect.arrayContaining([
        { status: 'CAPTURED', count: 2 },
        { status: 'PROCESSED', count: 1 },
        { status: 'FAILED', count: 0 },
      ]),
    );
    expect(clipStats.byGame[0]).toEqual({ game: 'Valorant', count: 2, totalDurationMs: 40_000 });
  });

  it('streams CREATED, UPDATED and DELETED to the owner over graphql-ws, and nothing to others', async () => {
    const mine = collect<{ clipEvents: { type: string; clip: { title: string } } }>(server.ws(owner), CLIP_EVENTS, 3);
    const theirs = collect(server.ws(stranger), CLIP_EVENTS, 1, 1_500);
    await Promise.all([mine.ready, theirs.ready]);
    const { createClip } = await server.ok(CreateClipDocument, clip('Live one'), owner);
    await server.ok(UpdateClipDocument, { input: { id: createClip.id, status: 'PROCESSING' } }, owner);
    await server.ok(DeleteClipDocument, { id: createClip.id }, owner);
    expect((await mine.events).map((e) => [e.clipEvents.type, e.clipEvents.clip.title])).toEqual([
      ['CREATED', 'Live one'],
      ['UPDATED', 'Live one'],
      ['DELETED', 'Live one'],
    ]);
    await expect(theirs.events).rejects.toThrow(/timed out with 0\/1/);
  });

  it('refuses an unauthenticated subscription', async () => {
    await expect(collect(server.ws(), CLIP_EVENTS, 1).events).rejects.toThrow(/UNAUTHENTICATED/);
  });

  it.each(['GET', 'POST'])('streams over SSE too (%s, as GraphiQL subscribes)', async (method) => {
    const controller = new AbortController();
    const requestId = randomUUID();
    const headers = { accept: 'text/event-stream', authorization: `Bearer ${owner}`, 'x-request-id': requestId };
    const live = server.listening(requestId);
    const response =
      method === 'GET'
        ? await fetch(`${server.url}/graphql?query=${encodeURIComponent(CLIP_EVENTS)}`, {
            headers,
            signal: controller.signal,
          })
        : await fetch(`${server.url}/graphql`, {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json' },
            body: JSON.stringify({ query: CLIP_EVENTS }),
            signal: controller.signal,
          });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    await live;
    await server.ok(CreateClipDocument, clip(`Over SSE ${method}`), owner);
    let text = '';
    while (!text.includes(`Over SSE ${method}`)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    controller.abort();
    expect(text).toContain('"type":"CREATED"');
  });
});
