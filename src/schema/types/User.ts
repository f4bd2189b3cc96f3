import { ROLES } from '../../entities/index.ts';
import { setPublisherVerified } from '../../services/users.ts';
import { adminWrites } from '../auth.ts';
import { builder } from '../builder.ts';
import { parseRowId } from '../ids.ts';
import { UserRef } from '../refs.ts';
import { reload } from '../reload.ts';

const RoleEnum = builder.enumType('Role', { values: ROLES });

builder.node(UserRef, {
  description: 'A person or organisation: a publisher, a reviewer, an installer of plugins',
  id: { resolve: (user) => user.id, parse: parseRowId },
  loadMany: (ids, ctx) => ids.map((id) => ctx.loaders.user.load(id)),
  fields: (t) => ({
    handle: t.exposeString('handle'),
    displayName: t.exposeString('displayName'),
    role: t.expose('role', { type: RoleEnum }),
    verifiedPublisher: t.exposeBoolean('verifiedPublisher', {
      description: 'Set by an admin (`setPublisherVerified`); `plugins(verifiedOnly: true)` lists only their plugins',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: UserRef,
    nullable: true,
    description: 'The user the API token belongs to; null without a token',
    // Loaded afresh: the token cache may hold the user as it was a few seconds ago.
    resolve: async (_root, _args, ctx) => (ctx.viewer ? ctx.loaders.user.load(ctx.viewer.id) : null),
  }),
);

builder.mutationField('setPublisherVerified', (t) =>
  t.field({
    type: UserRef,
    description: 'Marks a user as a verified publisher, or takes the mark away (admins only)',
    authScopes: adminWrites,
    args: { handle: t.arg.string({ required: true }), verified: t.arg.boolean({ required: true }) },
    resolve: async (_root, { handle, verified }, ctx) =>
      reload(ctx.loaders.user, await setPublisherVerified(ctx.app.platform, ctx.viewer!, handle, verified)),
  }),
);
