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
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../services/read/index.ts';
import { CONTAINMENT, introspectionSizes } from './introspection-sizes.ts';

/** Lists that are not connections (log lines, categories, version history) are short. */
const PLAIN_LIST_ESTIMATE = 10;

export interface OperationCost {
  /** Fields the operation would resolve at most: each field times the list sizes above it. */
  cost: number;
  depth: number;
  /** Selections the estimate looked at: at most the document's own, whatever its fragments expand to. */
  visited: number;
}

type Measured = Omit<OperationCost, 'visited'>;

/**
 * Estimates the work of an operation before it runs. Every field costs 1 for each time it would
 * be resolved; a connection multiplies what is under it by its page size (`first` / `last`, or
 * the default), `nodes(ids)` by the ids given, other lists by a small constant, introspection
 * lists by what the schema holds. Branches of abstract types all count (an upper bound).
 *
 * Each named fragment is measured once and reused wherever it is spread, so the work is linear
 * in the document even when fragments fan out exponentially (`F0 { ...F1 ...F1 }`, `F1 { ...F2
 * ...F2 }`…): the cost is still the expanded one, which is what the limit compares.
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
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return { cost: 0, depth: 0, visited: 0 };
  const root = schema.getRootType(operation.operation);
  if (!root) return { cost: 0, depth: 0, visited: 0 };
  const sizes = introspectionSizes(schema);
  let visited = 0;

  const argument = (node: FieldNode, name: string): unknown => {
    const arg = node.arguments?.find((a) => a.name.value === name);
    return arg ? literalValue(arg.value, variables) : undefined;
  };
  // Following contained lists down from `__schema { types }` reaches each type, field and argument
  // once, so their mean lengths multiply to the schema's totals; anywhere else (one `__type`, or
  // below `possibleTypes`, `interfaces`, `type`) the type reached may be the richest, any number
  // of times: its lists count at their longest.
  const listLength = (
    parent: GraphQLCompositeType,
    field: GraphQLField<unknown, unknown>,
    node: FieldNode,
    allTypes: boolean,
  ) => {
    const introspected = (allTypes ? sizes.mean : sizes.max).get(`${parent.name}.${field.name}`);
    return introspected ?? listSize(parent, field, node, argument);
  };

  // A fragment's cost does not depend on where it is spread: measured relative to depth 0, once.
  const measuredFragments = new Map<string, Measured>();
  const fragmentCost = (fragment: FragmentDefinitionNode, allTypes: boolean): Measured => {
    const key = `${allTypes}:${fragment.name.value}`;
    const known = measuredFragments.get(key);
    if (known) return known;
    measuredFragments.set(key, { cost: 0, depth: 0 }); // a cycle (refused by validation) adds nothing
    const type = schema.getType(fragment.typeCondition.name.value);
    const measured =
      type && isCompositeType(type) ? measure(fragment.selectionSet, type, 0, allTypes) : { cost: 0, depth: 0 };
    measuredFragments.set(key, measured);
    return measured;
  };

  const measure = (set: SelectionSetNode, parent: GraphQLCompositeType, depth: number, allTypes: boolean): Measured => {
    let cost = 0;
    let deepest = depth;
    for (const selection of set.selections) {
      visited++;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const field = fieldOf(schema, parent, name);
        if (!field || !selection.selectionSet) {
          cost += 1;
          deepest = Math.max(deepest, depth + 1);
          continue;
        }
        const type = getNamedType(field.type);
        if (!isCompositeType(type)) continue;
        const key = `${parent.name}.${name}`;
        const fansOut = CONTAINMENT.has(key) && (allTypes || parent.name === '__Schema');
        const below = measure(selection.selectionSet, type, depth + 1, fansOut);
        cost += 1 + listLength(parent, field, selection, allTypes) * below.cost;
        deepest = Math.max(deepest, below.depth);
        continue;
      }
      let inner: Measured;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (!type || !isCompositeType(type)) continue;
        inner = measure(selection.selectionSet, type, depth, allTypes);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment) continue;
        const relative = fragmentCost(fragment, allTypes);
        inner = { cost: relative.cost, depth: depth + relative.depth };
      }
      cost += inner.cost;
      deepest = Math.max(deepest, inner.depth);
    }
    return { cost, depth: deepest };
  };
  const { cost, depth } = measure(operation.selectionSet, root, 0, false);
  // Mean list lengths are fractions; whole fields are what resolve.
  return { cost: Math.ceil(cost), depth, visited };
}

/** The field `name` of `parent`, including the meta fields every query root has. */
function fieldOf(
  schema: GraphQLSchema,
  parent: GraphQLCompositeType,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  if (parent === schema.getQueryType()) {
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  }
  return 'getFields' in parent
    ? (parent.getFields() as Record<string, GraphQLField<unknown, unknown>>)[name]
    : undefined;
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

function literalValue(value: ValueNode, variables: Record<string, unknown>): unknown {
  switch (value.kind) {
    case Kind.VARIABLE:
      return variables[value.name.value];
    case Kind.INT:
      return Number(value.value);
    case Kind.LIST:
      return value.values.map((v) => literalValue(v, variables));
    default:
      return undefined;
  }
}
