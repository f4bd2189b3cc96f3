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
        : new GraphQLError('Sign in with an API token: Authorization: Bearer <token>', {
            extensions: { code: 'UNAUTHENTICATED' },
          }),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
  },
});

builder.addScalarType('DateTime', DateTimeResolver);
/** Deepest nesting accepted in JSON inputs (configs, metadata, manifests). */
const MAX_JSON_DEPTH = 64;

/**
 * Refuses JSON nested deeper than MAX_JSON_DEPTH, without recursing itself: a 100,000-level
 * value would otherwise overflow the stack of whatever walks it next (a clone, a validator).
 */
function shallowEnough<T>(value: T, scalar: string): T {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > MAX_JSON_DEPTH)
      throw new GraphQLError(`${scalar} values may nest at most ${MAX_JSON_DEPTH} levels deep`);
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return value;
}

builder.scalarType('JSON', {
  description: 'Any JSON value',
  serialize: (value) => value,
  parseValue: (value) => shallowEnough(value, 'JSON'),
  parseLiteral: (ast) => shallowEnough(parseJsonLiteral(ast), 'JSON'),
});
builder.addScalarType(
  'JSONObject',
  new GraphQLScalarType<Record<string, unknown>, Record<string, unknown>>({
    name: 'JSONObject',
    description: 'A JSON object',
    serialize: (value) => value as Record<string, unknown>,
    parseValue: (value) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new GraphQLError('JSONObject must be an object');
      return shallowEnough(value as Record<string, unknown>, 'JSONObject');
    },
    parseLiteral: (ast) => {
      const value = parseJsonLiteral(ast);
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new GraphQLError('JSONObject must be an object');
      return shallowEnough(value as Record<string, unknown>, 'JSONObject');
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
