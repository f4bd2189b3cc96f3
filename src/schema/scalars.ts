import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An ISO-8601 timestamp in UTC',
  serialize: (value) => {
    const date = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(date.getTime())) throw new GraphQLError('Invalid DateTime');
    return date.toISOString();
  },
  parseValue: (value) => parseDate(value),
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? parseDate(ast.value) : invalid()),
});

function parseDate(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : null;
  return date && !Number.isNaN(date.getTime()) ? date : invalid();
}

function invalid(): never {
  throw new GraphQLError('DateTime must be an ISO-8601 string');
}

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

export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value',
  serialize: (value) => value,
  parseValue: (value) => shallowEnough(value, 'JSON'),
  parseLiteral: (ast) => shallowEnough(parseJsonLiteral(ast), 'JSON'),
});

export const JSONObjectScalar = new GraphQLScalarType<Record<string, unknown>, Record<string, unknown>>({
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
});

export const FileScalar = new GraphQLScalarType<File, never>({
  name: 'File',
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
