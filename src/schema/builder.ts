import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin, { type AuthFailure } from '@pothos/plugin-scope-auth';
import { missingScopes, type TokenRequirement } from '../services/api-tokens.ts';
import { apiError } from './errors.ts';
import { decodeId } from './ids.ts';
import { DateTimeScalar, FileScalar, JSONObjectScalar, JSONScalar } from './scalars.ts';
import type { Context } from './context.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: { signedIn: boolean; publisher: boolean; admin: boolean; token: TokenRequirement };
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
      token: (needed: TokenRequirement) => missingScopes(ctx.viewer?.token, needed).length === 0,
    }),
    unauthorizedError: (_parent, ctx, _info, { failure }) => {
      if (!ctx.viewer) return apiError('UNAUTHENTICATED', 'Sign in with an API token: Authorization: Bearer <token>');
      const needed = tokenFailure(failure);
      if (needed) {
        const missing = missingScopes(ctx.viewer.token, needed);
        return apiError(
          'FORBIDDEN',
          `This API token lacks the ${missing.join(' and ')} scope${missing.length > 1 ? 's' : ''}`,
          {
            extensions: { missingScopes: missing },
          },
        );
      }
      return apiError('FORBIDDEN', 'You do not have permission to do this');
    },
  },
  relay: {
    decodeGlobalID: decodeId,
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
  },
});

/** The token scope a failed check asked for, when a token scope is what failed. */
function tokenFailure(failure: AuthFailure): TokenRequirement | null {
  if (failure.kind === 'AuthScope') return failure.scope === 'token' ? (failure.parameter as TokenRequirement) : null;
  if (failure.kind === 'AllAuthScopes' || failure.kind === 'AnyAuthScopes')
    for (const inner of failure.failures) {
      const found = tokenFailure(inner);
      if (found) return found;
    }
  return null;
}

builder.addScalarType('DateTime', DateTimeScalar);
builder.addScalarType('JSON', JSONScalar);
builder.addScalarType('JSONObject', JSONObjectScalar);
builder.addScalarType('File', FileScalar);

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
