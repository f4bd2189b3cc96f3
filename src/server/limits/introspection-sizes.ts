import {
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  type GraphQLSchema,
} from 'graphql';

/** How many items an introspection list field returns: `${type}.${field}` → count. */
export interface IntrospectionSizes {
  /** The most one parent returns: a list reached from any one type may be the longest. */
  max: Map<string, number>;
  /**
   * The schema's total divided by the number of parents: for a list reached once per parent
   * (every type under `__schema { types }`, every field of those), these multiply to the total.
   */
  mean: Map<string, number>;
}

/**
 * Lists that contain their items: each type, field and argument is reached once by following
 * these from `__schema { types }`. `interfaces`, `possibleTypes`, `type` and `ofType` point at
 * other types instead, so below them any type, the richest included, may be reached many times.
 */
export const CONTAINMENT = new Set([
  '__Schema.types',
  '__Schema.directives',
  '__Type.fields',
  '__Type.inputFields',
  '__Type.enumValues',
  '__Field.args',
  '__Directive.args',
]);

const cache = new WeakMap<GraphQLSchema, IntrospectionSizes>();

/**
 * Introspection returns what the schema holds, so it is costed by the schema's own counts
 * rather than a guess: 350 aliases of `__schema { types { fields { … } } }` are megabytes.
 */
export function introspectionSizes(schema: GraphQLSchema): IntrospectionSizes {
  const known = cache.get(schema);
  if (known) return known;
  const counts = new Map<string, number[]>();
  const add = (key: string, n: number) => {
    const list = counts.get(key) ?? [];
    list.push(n);
    counts.set(key, list);
  };
  const types = Object.values(schema.getTypeMap());
  add('__Schema.types', types.length);
  add('__Schema.directives', schema.getDirectives().length);
  for (const directive of schema.getDirectives()) add('__Directive.args', directive.args.length);
  for (const type of types) {
    const fields = isObjectType(type) || isInterfaceType(type) ? Object.values(type.getFields()) : [];
    add('__Type.fields', fields.length);
    for (const field of fields) add('__Field.args', field.args.length);
    add('__Type.interfaces', isObjectType(type) || isInterfaceType(type) ? type.getInterfaces().length : 0);
    add('__Type.possibleTypes', isAbstractType(type) ? schema.getPossibleTypes(type).length : 0);
    add('__Type.enumValues', isEnumType(type) ? type.getValues().length : 0);
    add('__Type.inputFields', isInputObjectType(type) ? Object.keys(type.getFields()).length : 0);
  }
  const sizes: IntrospectionSizes = { max: new Map(), mean: new Map() };
  for (const [key, list] of counts) {
    sizes.max.set(key, Math.max(0, ...list));
    sizes.mean.set(key, list.length ? list.reduce((a, b) => a + b, 0) / list.length : 0);
  }
  cache.set(schema, sizes);
  return sizes;
}
