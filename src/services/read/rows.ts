import type { EntityMetadata, EntitySchema, MetadataStorage } from '@mikro-orm/core';

/**
 * Maps raw SQL rows to plain objects keyed by property name, without entity hydration.
 * Read paths use this: hydrating managed entities cost several times the SQL itself.
 * Relations become `<name>Id`.
 */
export type RowMapper<T> = (row: Record<string, unknown>) => T;

const mappers = new WeakMap<EntityMetadata, RowMapper<unknown>>();

export function rowMapper<T>(
  metadata: MetadataStorage,
  // biome-ignore lint/suspicious/noExplicitAny: any entity schema; rows are mapped by its metadata
  entity: EntitySchema<any, any>,
): RowMapper<T> {
  const meta = metadata.get(entity.meta.className) as EntityMetadata;
  const cached = mappers.get(meta);
  if (cached) return cached as RowMapper<T>;
  const fields = meta.props
    .filter((p) => p.fieldNames?.length === 1 && (p.kind === 'scalar' || p.kind === 'm:1'))
    .map((p) => {
      const type = `${p.type} ${p.runtimeType} ${p.columnTypes?.join(' ')}`.toLowerCase();
      const kind =
        p.kind === 'm:1'
          ? 'ref'
          : type.includes('json')
            ? 'json'
            : type.includes('boolean')
              ? 'bool'
              : type.includes('date')
                ? 'date'
                : /double|decimal|bigint|float|real/.test(type)
                  ? 'number'
                  : 'plain';
      const column = p.fieldNames[0];
      return { column, key: p.kind === 'm:1' ? `${p.name}Id` : p.name, kind, idLike: column.endsWith('_id') };
    });
  const mapper: RowMapper<unknown> = (row) => {
    const out: Record<string, unknown> = {};
    for (const { column, key, kind, idLike } of fields) {
      const value = row[column];
      if (value === null || value === undefined) out[key] = value ?? null;
      else if (kind === 'json') out[key] = typeof value === 'string' ? JSON.parse(value) : value;
      else if (kind === 'bool') out[key] = value === true || value === 1 || value === '1';
      else if (kind === 'date')
        out[key] = value instanceof Date ? value : new Date(typeof value === 'number' ? value : String(value));
      else if (kind === 'number') out[key] = Number(value);
      else if (kind === 'ref' || (idLike && typeof value === 'string' && /^-?\d+$/.test(value)))
        out[key] = Number(value);
      else out[key] = value;
    }
    return out;
  };
  mappers.set(meta, mapper);
  return mapper as RowMapper<T>;
}
