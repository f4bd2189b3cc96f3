import { encodeGlobalID } from '@pothos/plugin-relay';
import { AUDIT_ACTIONS, AUDIT_SUBJECT_TYPES, type AuditSubjectType } from '../../entities/index.ts';
import { listAuditEvents, type AuditEventRecord, type AuditFilter } from '../../services/audit.ts';
import { BadInputError } from '../../services/errors.ts';
import { builder } from '../builder.ts';
import { toConnection } from '../connection.ts';
import type { Context } from '../context.ts';
import { UserRef } from '../refs.ts';

const AuditActionEnum = builder.enumType('AuditAction', { values: AUDIT_ACTIONS });
const AuditSubjectTypeEnum = builder.enumType('AuditSubjectType', { values: AUDIT_SUBJECT_TYPES });

/** Global ID typenames of audited subjects. */
const TYPENAMES: Record<AuditSubjectType, string> = {
  USER: 'User',
  API_TOKEN: 'ApiToken',
  PLUGIN: 'Plugin',
  PLUGIN_VERSION: 'PluginVersion',
  INSTALLATION: 'Installation',
  REVIEW: 'Review',
};

const AuditEventRef = builder.objectRef<AuditEventRecord>('AuditEvent').implement({
  description: 'Who did what, when, with which token; kept after its actor and subject are gone',
  fields: (t) => ({
    id: t.id({ resolve: (e) => encodeGlobalID('AuditEvent', e.id) }),
    at: t.expose('at', { type: 'DateTime' }),
    action: t.expose('action', { type: AuditActionEnum }),
    actor: t.field({
      type: UserRef,
      nullable: true,
      description: 'null for the operator’s CLI, or once the user is deleted',
      resolve: (e, _args, ctx) => (e.actorId === null ? null : ctx.loaders.user.load(e.actorId)),
    }),
    actorHandle: t.exposeString('actorHandle', { nullable: true, description: 'The actor’s handle at the time' }),
    tokenId: t.id({
      nullable: true,
      description: 'The ApiToken the action was taken with; null for the CLI and the seed',
      resolve: (e) => (e.tokenId === null ? null : encodeGlobalID('ApiToken', e.tokenId)),
    }),
    subjectType: t.expose('subjectType', { type: AuditSubjectTypeEnum }),
    subjectId: t.id({
      nullable: true,
      description: 'Global ID of the subject, which may no longer exist',
      resolve: (e) => (e.subjectId === null ? null : encodeGlobalID(TYPENAMES[e.subjectType], e.subjectId)),
    }),
    subject: t.exposeString('subject', { description: 'The subject as it was named then, e.g. slug@1.2.0' }),
    details: t.expose('details', {
      type: 'JSONObject',
      nullable: true,
      description: 'Per action: granted permissions, config keys changed (never values), versions moved between…',
    }),
  }),
});

const AuditEventFilter = builder.inputType('AuditEventFilter', {
  fields: (t) => ({
    actions: t.field({ type: [AuditActionEnum] }),
    actorHandle: t.string(),
    subjectType: t.field({ type: AuditSubjectTypeEnum }),
    subjectId: t.globalID({ description: 'Global ID of a plugin, version, installation, user, token or review' }),
  }),
});

type FilterArg = {
  actions?: AuditFilter['actions'];
  actorHandle?: string | null;
  subjectType?: AuditSubjectType | null;
  subjectId?: { typename: string; id: string } | null;
};

function toFilter(arg: FilterArg | null | undefined): AuditFilter {
  const { subjectId, ...rest } = arg ?? {};
  if (!subjectId) return rest;
  const type = (Object.keys(TYPENAMES) as AuditSubjectType[]).find((k) => TYPENAMES[k] === subjectId.typename);
  if (!type) throw new BadInputError([{ field: 'filter.subjectId', code: 'ID', message: 'is not an audited kind' }]);
  return { ...rest, subjectType: type, subjectId: Number(subjectId.id) };
}

const events = (ctx: Context, filter: AuditFilter, args: { first?: number | null; after?: string | null }) =>
  listAuditEvents(ctx.em, filter, args).then(toConnection);

builder.queryField('auditEvents', (t) =>
  t.connection({
    type: AuditEventRef,
    description: 'Every audit event, newest first (admins only)',
    authScopes: { admin: true },
    args: { filter: t.arg({ type: AuditEventFilter }) },
    resolve: (_root, args, ctx) => events(ctx, toFilter(args.filter), args),
  }),
);

builder.objectField(UserRef, 'auditEvents', (t) =>
  t.connection({
    type: AuditEventRef,
    description: 'What this user did, newest first: visible to the user and to admins',
    authScopes: (user, _args, ctx) => ctx.viewer?.id === user.id || ctx.viewer?.role === 'ADMIN',
    args: { filter: t.arg({ type: AuditEventFilter }) },
    resolve: (user, args, ctx) => events(ctx, { ...toFilter(args.filter), actorId: user.id }, args),
  }),
);
