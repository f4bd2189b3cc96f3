import { ROLES } from '../../entities/index.ts';
import { builder } from '../builder.ts';
import { parseRowId } from '../ids.ts';
import { UserRef } from '../refs.ts';

const RoleEnum = builder.enumType('Role', { values: ROLES });

builder.node(UserRef, {
  description: 'A person or organisation: a publisher, a reviewer, an installer of plugins',
  id: { resolve: (user) => user.id, parse: parseRowId },
  loadMany: (ids, ctx) => ids.map((id) => ctx.loaders.user.load(id)),
  fields: (t) => ({
    handle: t.exposeString('handle'),
    displayName: t.exposeString('displayName'),
    role: t.expose('role', { type: RoleEnum }),
    verifiedPublisher: t.exposeBoolean('verifiedPublisher'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: UserRef,
    nullable: true,
    description: 'The user the API token belongs to; null without a token',
    resolve: (_root, _args, ctx) => ctx.viewer,
  }),
);
