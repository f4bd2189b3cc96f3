import { Repeater } from 'graphql-yoga';
import { CLIP_STATUSES } from '../../entities/index.ts';
import { clipStats, createClip, deleteClip, listClips, updateClip } from '../../services/clips.ts';
import { CLIP_EVENT_TYPES, type ClipEventType } from '../../services/events.ts';
import type { ClipRecord } from '../../services/read/index.ts';
import { writes } from '../auth.ts';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { toConnection } from '../connection.ts';
import { parseRowId } from '../ids.ts';
import { ClipRef, UserRef } from '../refs.ts';

const ClipStatusEnum = builder.enumType('ClipStatus', { values: CLIP_STATUSES });
const ClipEventTypeEnum = builder.enumType('ClipEventType', { values: CLIP_EVENT_TYPES });

builder.node(ClipRef, {
  description: 'A captured video clip; plugins enrich it through hooks',
  id: { resolve: (c) => c.id, parse: parseRowId },
  loadMany: (ids, ctx) => ids.map(async (id) => visibleClip(ctx, await ctx.loaders.clip.load(id))),
  fields: (t) => ({
    title: t.exposeString('title'),
    description: t.exposeString('description'),
    mediaUrl: t.exposeString('mediaUrl'),
    durationMs: t.exposeInt('durationMs'),
    width: t.exposeInt('width', { nullable: true }),
    height: t.exposeInt('height', { nullable: true }),
    fps: t.exposeFloat('fps', { nullable: true }),
    codec: t.exposeString('codec', { nullable: true }),
    sizeBytes: t.exposeFloat('sizeBytes', { nullable: true }),
    game: t.exposeString('game', { nullable: true }),
    tags: t.exposeStringList('tags'),
    status: t.expose('status', { type: ClipStatusEnum }),
    metadata: t.expose('metadata', {
      type: 'JSONObject',
      description: "Free-form; each plugin's results sit under its slug",
    }),
    owner: t.field({ type: UserRef, resolve: async (c, _args, ctx) => (await ctx.loaders.user.load(c.ownerId))! }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

/** Clips are private to their owner: anyone else gets null, as for a missing clip. */
function visibleClip(ctx: Context, clip: ClipRecord | null): ClipRecord | null {
  return clip && ctx.viewer && clip.ownerId === ctx.viewer.id ? clip : null;
}

const ClipFilter = builder.inputType('ClipFilter', {
  fields: (t) => ({
    game: t.string(),
    status: t.field({ type: ClipStatusEnum }),
    tag: t.string(),
    query: t.string({ description: 'Matches title and description' }),
  }),
});

const CountByStatus = builder
  .objectRef<{ status: (typeof CLIP_STATUSES)[number]; count: number }>('ClipStatusCount')
  .implement({
    fields: (t) => ({ status: t.expose('status', { type: ClipStatusEnum }), count: t.exposeInt('count') }),
  });
const CountByGame = builder
  .objectRef<{ game: string | null; count: number; totalDurationMs: number }>('ClipGameCount')
  .implement({
    fields: (t) => ({
      game: t.exposeString('game', { nullable: true }),
      count: t.exposeInt('count'),
      totalDurationMs: t.exposeFloat('totalDurationMs'),
    }),
  });
const ClipStatsRef = builder.objectRef<Awaited<ReturnType<typeof clipStats>>>('ClipStats').implement({
  fields: (t) => ({
    total: t.exposeInt('total'),
    totalDurationMs: t.exposeFloat('totalDurationMs'),
    byStatus: t.field({ type: [CountByStatus], resolve: (s) => s.byStatus }),
    byGame: t.field({ type: [CountByGame], resolve: (s) => s.byGame }),
  }),
});

builder.queryFields((t) => ({
  clips: t.connection({
    type: ClipRef,
    description: "The viewer's clips, newest first",
    authScopes: { signedIn: true },
    args: { filter: t.arg({ type: ClipFilter }) },
    resolve: async (_root, args, ctx) => toConnection(await listClips(ctx.em, ctx.viewer!.id, args.filter ?? {}, args)),
  }),
  clip: t.field({
    type: ClipRef,
    nullable: true,
    authScopes: { signedIn: true },
    args: { id: t.arg.globalID({ required: true, for: ClipRef }) },
    resolve: async (_root, { id }, ctx) => visibleClip(ctx, await ctx.loaders.clip.load(id.id)),
  }),
  clipStats: t.field({
    type: ClipStatsRef,
    authScopes: { signedIn: true },
    resolve: (_root, _args, ctx) => clipStats(ctx.em, ctx.viewer!.id),
  }),
}));

type InputFieldsOf = NonNullable<Parameters<typeof builder.inputType>[1]['fields']>;
type InputFields = Parameters<InputFieldsOf>[0];

const clipFields = (t: InputFields, required: boolean) => ({
  title: t.string({ required }),
  description: t.string(),
  mediaUrl: t.string({ required, description: 'An http(s) URL or an absolute path' }),
  durationMs: t.int({ required }),
  width: t.int(),
  height: t.int(),
  fps: t.float(),
  codec: t.string(),
  sizeBytes: t.float(),
  game: t.string(),
  tags: t.stringList(),
  metadata: t.field({ type: 'JSONObject' }),
});

const CreateClipInput = builder.inputType('CreateClipInput', {
  fields: (t) => ({ ...clipFields(t, true), status: t.field({ type: ClipStatusEnum }) }),
});
const UpdateClipInput = builder.inputType('UpdateClipInput', {
  fields: (t) => ({
    id: t.globalID({ required: true, for: ClipRef }),
    ...clipFields(t, false),
    status: t.field({ type: ClipStatusEnum }),
  }),
});

builder.mutationFields((t) => ({
  createClip: t.field({
    type: ClipRef,
    authScopes: writes,
    args: { input: t.arg({ type: CreateClipInput, required: true }) },
    resolve: (_root, { input }, ctx) => createClip(ctx.app.platform, ctx.viewer!, input as never),
  }),
  updateClip: t.field({
    type: ClipRef,
    authScopes: writes,
    args: { input: t.arg({ type: UpdateClipInput, required: true }) },
    resolve: (_root, { input: { id, ...fields } }, ctx) =>
      updateClip(ctx.app.platform, ctx.viewer!, id.id, fields as never),
  }),
  deleteClip: t.field({
    type: ClipRef,
    description: 'Returns the clip as it was before deletion',
    authScopes: writes,
    args: { id: t.arg.globalID({ required: true, for: ClipRef }) },
    resolve: (_root, { id }, ctx) => deleteClip(ctx.app.platform, ctx.viewer!, id.id),
  }),
}));

const ClipEventRef = builder.objectRef<{ type: ClipEventType; clip: ClipRecord }>('ClipEvent').implement({
  fields: (t) => ({
    type: t.expose('type', { type: ClipEventTypeEnum }),
    clip: t.field({ type: ClipRef, resolve: (e) => e.clip }),
  }),
});

builder.subscriptionField('clipEvents', (t) =>
  t.field({
    type: ClipEventRef,
    description: "Changes to the viewer's clips",
    authScopes: { signedIn: true },
    subscribe: (_root, _args, ctx) =>
      Repeater.merge([ctx.app.platform.events.subscribe('clip-events', ctx.viewer!.id)]),
    resolve: (payload) => ({ type: payload.type, clip: reviveClip(payload.clip) }),
  }),
);

function reviveClip(json: Record<string, unknown>): ClipRecord {
  return {
    ...json,
    createdAt: new Date(json.createdAt as string),
    updatedAt: new Date(json.updatedAt as string),
  } as ClipRecord;
}
