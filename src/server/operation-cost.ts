import {
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type GraphQLType,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../services/pagination.ts';

/** Lists that are not connections (log lines, categories, version history) are short. */
const PLAIN_LIST_ESTIMATE = 10;

export interface OperationCost {
  /** Fields the operation would resolve at most: each field times the list sizes above it. */
  cost: number;
  depth: number;
}

/**
 * Estimates the work of an operation before it runs. Every field costs 1 for each time it would
 * be resolved; a connection multiplies what is under it by its page size (`first` / `last`, or
 * the default), `nodes(ids)` by the ids given, other lists by a small constant. Introspection
 * counts once: it is bounded by the schema. Branches of abstract types all count (an upper bound).
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
): OperationCost {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const operation = document.definitions.find(
    (def) => def.kind === Kind.OPERATION_DEFINITION && (!operationName || def.name?.value === operationName),
  );
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return { cost: 0, depth: 0 };
  const root = schema.getRootType(operation.operation);
  if (!root) return { cost: 0, depth: 0 };

  const argument = (node: FieldNode, name: string): unknown => {
    const arg = node.arguments?.find((a) => a.name.value === name);
    return arg ? valueOf(arg.value, variables) : undefined;
  };

  const measure = (set: SelectionSetNode, parent: GraphQLCompositeType, depth: number): OperationCost => {
    let cost = 0;
    let deepest = depth;
    for (const selection of set.selections) {
      let inner: OperationCost;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const field =
          'getFields' in parent
            ? (parent.getFields() as Record<string, GraphQLField<unknown, unknown>>)[name]
            : undefined;
        if (name.startsWith('__') || !field || !selection.selectionSet) {
          cost += 1;
          deepest = Math.max(deepest, depth + 1);
          continue;
        }
        const type = getNamedType(field.type);
        if (!isCompositeType(type)) continue;
        const below = measure(selection.selectionSet, type, depth + 1);
        cost += 1 + listSize(parent, field, selection, argument) * below.cost;
        deepest = Math.max(deepest, below.depth);
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (!type || !isCompositeType(type)) continue;
        inner = measure(selection.selectionSet, type, depth);
      } else {
        const fragment = fragments.get(selection.name.value);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        if (!fragment || !type || !isCompositeType(type)) continue;
        inner = measure(fragment.selectionSet, type, depth);
      }
      cost += inner.cost;
      deepest = Math.max(deepest, inner.depth);
    }
    return { cost, depth: deepest };
  };
  return measure(operation.selectionSet, root, 0);
}

function isConnection(type: GraphQLType): boolean {
  const named = getNamedType(type);
  return (
    (isObjectType(named) || isInterfaceType(named)) && 'edges' in named.getFields() && 'pageInfo' in named.getFields()
  );
}

function isList(type: GraphQLType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/** How many times the selection under `field` runs for one `parent`. */
function listSize(
  parent: GraphQLCompositeType,
  field: GraphQLField<unknown, unknown>,
  node: FieldNode,
  argument: (node: FieldNode, name: string) => unknown,
): number {
  if (isConnection(field.type)) {
    const requested = argument(node, 'first') ?? argument(node, 'last');
    return typeof requested === 'number' ? Math.max(0, Math.min(requested, MAX_PAGE_SIZE)) : DEFAULT_PAGE_SIZE;
  }
  if (!isList(field.type)) return 1;
  // A connection's edges are already counted by the connection's page size.
  if (isConnection(parent)) return 1;
  const ids = argument(node, 'ids');
  return Array.isArray(ids) ? ids.length : PLAIN_LIST_ESTIMATE;
}

function valueOf(value: ValueNode, variables: Record<string, unknown>): unknown {
  switch (value.kind) {
    case Kind.VARIABLE:
      return variables[value.name.value];
    case Kind.INT:
      return Number(value.value);
    case Kind.LIST:
      return value.values.map((v) => valueOf(v, variables));
    default:
      return undefined;
  }
}
