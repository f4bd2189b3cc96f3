import { TOKEN_SCOPES } from '../../entities/index.ts';
import { createApiToken, findApiToken, listApiTokens, revokeApiToken } from '../../services/api-tokens.ts';
import { fullToken } from '../auth.ts';
import { builder } from '../builder.ts';
import { toConnection } from '../connection.ts';
import { parseRowId } from '../ids.ts';
import { ApiTokenRef } from '../refs.ts';

const ApiTokenScopeEnum = builder.enumType('ApiTokenScope', {
  values: {
    READ: { description: 'Queries and subscriptions; every token has it' },
    WRITE: { description: 'Every mutation except the publishing ones' },
    PUBLISH: { description: 'Publish, yank, deprecate and revoke versions; create and edit listings' },
  },
});

builder.node(ApiTokenRef, {
  description: 'An API token of the viewer; its secret is shown once, by createApiToken, and never again',
  id: { resolve: (t) => t.id, parse: parseRowId },
  loadMany: (ids, ctx) => ids.map((id) => (ctx.viewer ? findApiToken(ctx.em, ctx.viewer.id, id) : null)),
  fields: (t) => ({
    name: t.exposeString('name'),
    scopes: t.field({ type: [ApiTokenScopeEnum], resolve: (token) => token.scopes }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'null: never expires' }),
    lastUsedAt: t.expose('lastUsedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Accurate to about a minute (recorded at most once a minute per server instance)',
    }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    current: t.boolean({
      description: 'This request was made with this token',
      resolve: (token, _args, ctx) => ctx.viewer?.token?.id === token.id,
    }),
  }),
});

builder.queryField('apiTokens', (t) =>
  t.connection({
    type: ApiTokenRef,
    description: "The viewer's API tokens, newest first",
    authScopes: { signedIn: true },
    args: { includeRevoked: t.arg.boolean({ defaultValue: false }) },
    resolve: async (_root, args, ctx) => toConnection(await listApiTokens(ctx.em, ctx.viewer!.id, args, args)),
  }),
);

const CreateApiTokenInput = builder.inputType('CreateApiTokenInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: '1 to 100 characters, for you to tell tokens apart' }),
    scopes: t.field({
      type: [ApiTokenScopeEnum],
      description: `READ is always included; default: READ only. A full token has ${TOKEN_SCOPES.join(', ')}`,
    }),
    expiresAt: t.field({ type: 'DateTime', description: 'In the future; default: never expires' }),
  }),
});

const CreateApiTokenPayload = builder.objectRef<{ token: string; id: number }>('CreateApiTokenPayload').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'The secret: shown this once, store it now' }),
    apiToken: t.field({
      type: ApiTokenRef,
      resolve: async (p, _args, ctx) => (await findApiToken(ctx.em, ctx.viewer!.id, p.id))!,
    }),
  }),
});

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: CreateApiTokenPayload,
    description: 'Creates an API token for the viewer (takes a full-scope token)',
    authScopes: fullToken,
    args: { input: t.arg({ type: CreateApiTokenInput, required: true }) },
    resolve: (_root, { input }, ctx) => createApiToken(ctx.app.platform, ctx.viewer!, input),
  }),
  revokeApiToken: t.field({
    type: ApiTokenRef,
    description: 'Revokes one of the viewer’s tokens at once on every instance, ending what was opened with it',
    authScopes: fullToken,
    args: { id: t.arg.globalID({ required: true, for: ApiTokenRef }) },
    resolve: async (_root, { id }, ctx) => {
      await revokeApiToken(ctx.app.platform, ctx.viewer!, id.id);
      return (await findApiToken(ctx.em, ctx.viewer!.id, id.id))!;
    },
  }),
}));
