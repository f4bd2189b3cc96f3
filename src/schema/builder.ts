import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { DateTimeResolver } from './scalars.ts';
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
        ? new GraphQLError('You do not have permission to do this', { extensions: { code: 'FORBIDDEN' } })
        : new GraphQLError('Sign in with an API token: Authorization: Bearer <token>', { extensions: { code: 'UNAUTHENTICATED' } }),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
  },
});

builder.addScalarType('DateTime', DateTimeResolver);
builder.scalarType('JSON', {
  description: 'Any JSON value',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: parseJsonLiteral,
});
builder.addScalarType(
  'JSONObject',
  new GraphQLScalarType<Record<string, unknown>, Record<string, unknown>>({
    name: 'JSONObject',
    description: 'A JSON object',
    serialize: (value) => value as Record<string, unknown>,
    parseValue: (value) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new GraphQLError('JSONObject must be an object');
      return value as Record<string, unknown>;
    },
    parseLiteral: (ast) => {
      const value = parseJsonLiteral(ast);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new GraphQLError('JSONObject must be an object');
      return value as Record<string, unknown>;
    },
  }),
);
builder.scalarType('File', {
  description: 'A file part of a GraphQL multipart request',
  serialize: () => {
    throw new GraphQLError('File is an input-only scalar');
  },
  parseValue: (value) => {
    // Duck-typed: yoga hands over its fetch implementation's File, not necessarily the global one.
    const file = value as File | null;
    if (!file || typeof file !== 'object' || typeof file.arrayBuffer !== 'function') {
      throw new GraphQLError('Expected a file upload (GraphQL multipart request)');
    }
    return file;
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

function parseJsonLiteral(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map(parseJsonLiteral);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, parseJsonLiteral(f.value)]));
    default:
      throw new GraphQLError('Variables are not allowed inside JSON literals');
  }
}
