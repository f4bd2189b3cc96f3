import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { apiError } from './errors.ts';
import { decodeId } from './ids.ts';
import { DateTimeScalar, FileScalar, JSONObjectScalar, JSONScalar } from './scalars.ts';
import type { Context } from './context.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: { signedIn: boolean; publisher: boolean; admin: boolean };
  Scalars: {
    ID: { Input: string; Output: string | number };
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
    File: { Input: File; Output: never };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  plugins: [ScopeAuthPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      signedIn: ctx.viewer !== null,
      publisher: ctx.viewer?.role === 'PUBLISHER' || ctx.viewer?.role === 'ADMIN',
      admin: ctx.viewer?.role === 'ADMIN',
    }),
    unauthorizedError: (_parent, ctx) =>
      ctx.viewer
        ? apiError('FORBIDDEN', 'You do not have permission to do this')
        : apiError('UNAUTHENTICATED', 'Sign in with an API token: Authorization: Bearer <token>'),
  },
  relay: {
    decodeGlobalID: decodeId,
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
  },
});

builder.addScalarType('DateTime', DateTimeScalar);
builder.addScalarType('JSON', JSONScalar);
builder.addScalarType('JSONObject', JSONObjectScalar);
builder.addScalarType('File', FileScalar);

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
