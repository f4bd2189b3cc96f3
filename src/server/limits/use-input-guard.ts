import {
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  TypeInfo,
  typeFromAST,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type ValueNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { apiError } from '../../schema/errors.ts';
import type { Problem } from '../../services/errors.ts';

/**
 * Longest string any argument takes. Above the largest field limit (a plugin's 1 MiB input, which
 * the runtime refuses itself with an Execution row), so each field's own check speaks first.
 */
export const MAX_STRING_LENGTH = 2 * 1024 * 1024;
/** Most items of a list argument (`tags`, `grantPermissions`, `nodes(ids)`…). */
export const MAX_LIST_ITEMS = 100;
/** Deepest nesting of brackets and braces in a document: deeper would only overflow a parser's stack. */
export const MAX_DOCUMENT_NESTING = 128;
/** Problems reported per request; past this the input is refused without looking further. */
const MAX_PROBLEMS = 20;

const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * One check over every input of an operation, before it runs: variables and literal arguments,
 * walked by their schema types, JSON scalars included. Strings must be storable exactly as sent
 * (no NUL, no lone surrogate, bounded length), numbers finite, lists bounded. Anything else is
 * refused with `BAD_USER_INPUT` naming each field, so no resolver, SQL statement or store sees it.
 */
export function useInputGuard(): Plugin {
  const check = (args: {
    schema: GraphQLSchema;
    document: DocumentNode;
    variableValues?: Record<string, unknown> | null;
    operationName?: string | null;
  }) => {
    const problems = inputProblems(args.schema, args.document, args.variableValues ?? {}, args.operationName);
    return problems.length === 0 ? null : refusal(problems);
  };
  return {
    onParse({ params }) {
      // Thrown before parsing: yoga answers it like a syntax error, and no recursive parser or
      // validation rule meets the nesting.
      const source = typeof params.source === 'string' ? params.source : params.source.body;
      if (nestingDepth(source) > MAX_DOCUMENT_NESTING)
        throw refusal([{ field: 'query', code: 'TOO_DEEP', message: `nests more than ${MAX_DOCUMENT_NESTING} levels` }])
          .errors[0];
    },
    onExecute({ args, setResultAndStopExecution }) {
      const refused = check(args);
      if (refused) setResultAndStopExecution(refused);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refused = check(args);
      if (refused) setResultAndStopExecution(refused);
    },
  };
}

function refusal(problems: Problem[]) {
  const message = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return { errors: [apiError('BAD_USER_INPUT', message, { extensions: { problems } })] };
}

/** Every problem in the operation's variables and literal arguments. */
export function inputProblems(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName?: string | null,
): Problem[] {
  const problems: Problem[] = [];
  const operation = document.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  if (operation?.kind === Kind.OPERATION_DEFINITION) {
    for (const def of operation.variableDefinitions ?? []) {
      const type = typeFromAST(schema, def.type) as GraphQLInputType | undefined;
      const name = def.variable.name.value;
      if (type && Object.hasOwn(variables, name)) walkValue(variables[name], type, name, problems);
    }
  }
  problems.push(...literalProblems(schema, document));
  return problems.slice(0, MAX_PROBLEMS);
}

// Literal arguments depend on the document alone, and yoga's parser cache hands the same
// DocumentNode to every request with the same text: walk each document once.
const literalCache = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Problem[]>>();

function literalProblems(schema: GraphQLSchema, document: DocumentNode): Problem[] {
  let bySchema = literalCache.get(schema);
  if (!bySchema) {
    bySchema = new WeakMap();
    literalCache.set(schema, bySchema);
  }
  const cached = bySchema.get(document);
  if (cached) return cached;
  const problems: Problem[] = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        const type = typeInfo.getArgument()?.type;
        if (type) walkLiteral(node.value, type, node.name.value, problems);
        return false;
      },
    }),
  );
  bySchema.set(document, problems);
  return problems;
}

/** A variable's value against its type, iteratively (a value may nest deeper than the stack). */
function walkValue(root: unknown, rootType: GraphQLInputType, rootPath: string, problems: Problem[]): void {
  const stack: [unknown, GraphQLInputType | 'json', string][] = [[root, rootType, rootPath]];
  while (stack.length > 0 && problems.length < MAX_PROBLEMS) {
    const [value, t, path] = stack.pop()!;
    if (value === null || value === undefined) continue;
    const type = t !== 'json' && isNonNullType(t) ? t.ofType : t;
    if (type !== 'json' && isListType(type)) {
      if (!Array.isArray(value)) stack.push([value, type.ofType, path]);
      else if (value.length > MAX_LIST_ITEMS) add(problems, path, 'TOO_MANY', `at most ${MAX_LIST_ITEMS} items`);
      else for (const [i, item] of value.entries()) stack.push([item, type.ofType, `${path}.${i}`]);
    } else if (type !== 'json' && isInputObjectType(type)) {
      if (typeof value !== 'object') continue; // GraphQL's own coercion reports it
      const fields = type.getFields();
      for (const [key, v] of Object.entries(value))
        if (fields[key]) stack.push([v, fields[key].type, `${path}.${key}`]);
    } else if (type === 'json' || isJsonScalar(type)) {
      if (typeof value === 'object') {
        for (const [key, v] of Object.entries(value)) {
          if (!Array.isArray(value)) checkString(key, `${path}.${key}`, problems, 'key ');
          stack.push([v, 'json', `${path}.${key}`]);
        }
      } else checkLeaf(value, path, problems);
    } else checkLeaf(value, path, problems);
  }
}

/** A literal argument against its type; variables inside it are checked with the variables. */
function walkLiteral(root: ValueNode, rootType: GraphQLInputType, rootPath: string, problems: Problem[]): void {
  const stack: [ValueNode, GraphQLInputType | 'json', string][] = [[root, rootType, rootPath]];
  while (stack.length > 0 && problems.length < MAX_PROBLEMS) {
    const [node, t, path] = stack.pop()!;
    const type = t !== 'json' && isNonNullType(t) ? t.ofType : t;
    const json = type === 'json' || isJsonScalar(type);
    const itemType = type !== 'json' && isListType(type) ? type.ofType : json ? 'json' : null;
    switch (node.kind) {
      case Kind.LIST:
        if (itemType === null) break;
        if (itemType !== 'json' && node.values.length > MAX_LIST_ITEMS)
          add(problems, path, 'TOO_MANY', `at most ${MAX_LIST_ITEMS} items`);
        else for (const [i, v] of node.values.entries()) stack.push([v, itemType, `${path}.${i}`]);
        break;
      case Kind.OBJECT: {
        const fields = type !== 'json' && isInputObjectType(type) ? type.getFields() : null;
        for (const f of node.fields) {
          const fieldPath = `${path}.${f.name.value}`;
          if (json) stack.push([f.value, 'json', fieldPath]);
          else if (fields?.[f.name.value]) stack.push([f.value, fields[f.name.value].type, fieldPath]);
        }
        break;
      }
      case Kind.STRING:
        checkString(node.value, path, problems);
        break;
      case Kind.FLOAT:
      case Kind.INT:
        checkLeaf(Number(node.value), path, problems);
        break;
      default:
        if (type !== 'json' && isListType(type)) stack.push([node, type.ofType, path]);
    }
  }
}

function isJsonScalar(type: GraphQLInputType): boolean {
  const named = getNamedType(type);
  return isScalarType(named) && (named.name === 'JSON' || named.name === 'JSONObject');
}

function checkLeaf(value: unknown, path: string, problems: Problem[]): void {
  if (typeof value === 'string') checkString(value, path, problems);
  else if (typeof value === 'number' && !Number.isFinite(value))
    add(problems, path, 'NOT_FINITE', 'numbers must be finite (no 1e999, NaN or Infinity)');
}

function checkString(value: string, path: string, problems: Problem[], what = ''): void {
  if (value.length > MAX_STRING_LENGTH)
    add(problems, path, 'TOO_LONG', `${what}must be at most ${MAX_STRING_LENGTH} characters`);
  else if (value.includes('\u0000')) add(problems, path, 'NUL_CHARACTER', `${what}must not contain NUL characters`);
  else if (LONE_SURROGATE.test(value))
    add(problems, path, 'INVALID_UNICODE', `${what}must be valid Unicode (it contains a lone surrogate)`);
}

function add(problems: Problem[], field: string, code: string, message: string): void {
  problems.push({ field, code, message });
}

/** Deepest nesting of `[`, `{` and `(` outside strings and comments, in one pass. */
export function nestingDepth(source: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const block = source.startsWith('"""', i);
      const end = block ? source.indexOf('"""', i + 3) : closingQuote(source, i + 1);
      if (end < 0) break;
      i = block ? end + 2 : end;
    } else if (c === 0x23 /* # */) {
      const end = source.indexOf('\n', i);
      if (end < 0) break;
      i = end;
    } else if (c === 0x5b || c === 0x7b || c === 0x28) {
      if (++depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d || c === 0x29) depth--;
  }
  return max;
}

function closingQuote(source: string, from: number): number {
  for (let i = from; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22 || c === 0x0a) return i;
  }
  return -1;
}
