import type { Knex } from '@mikro-orm/knex';
import { BadInputError } from '../errors.ts';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** Relay paging: forwards with `first`/`after`, backwards with `last`/`before`. */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface Page<T> {
  nodes: T[];
  cursors: string[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** Keyset cursor: the sort value and id of a row. */
export type Keyset = [value: string | number | null, id: number];

/** One page request, checked: how many rows, from which cursor, in which direction. */
export interface PageRequest {
  limit: number;
  cursor: Keyset | null;
  backward: boolean;
}

/** A sort key of a keyset list: a trusted SQL expression, its direction and value type. The last one is unique (the id). */
export interface KeysetOrder {
  sql: string;
  direction: 'asc' | 'desc';
  type: 'number' | 'string';
}

function encodeCursor(key: Keyset): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string, field: string): Keyset {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
    if (
      Array.isArray(key) &&
      key.length === 2 &&
      Number.isInteger(key[1]) &&
      (key[0] === null || typeof key[0] === 'string' || (typeof key[0] === 'number' && Number.isFinite(key[0])))
    ) {
      return key as Keyset;
    }
  } catch {
    // fall through to the error below
  }
  throw new BadInputError([{ field, code: 'CURSOR', message: 'is not a cursor this list produced' }]);
}

export function pageSize(size: number | null | undefined, field = 'first'): number {
  if (size === null || size === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new BadInputError([{ field, code: 'RANGE', message: `must be from 0 to ${MAX_PAGE_SIZE}` }]);
  }
  return size;
}

/** Checks paging arguments; mixing directions (`first` with `before`, `last` with `after`…) is refused. */
export function pageDirection(args: PageArgs): { size: number; backward: boolean } {
  const backward = args.last != null || args.before != null;
  if (backward && (args.first != null || args.after != null)) {
    throw new BadInputError([
      {
        field: args.last != null ? 'last' : 'before',
        code: 'PAGE_DIRECTION',
        message: 'page forwards with first/after or backwards with last/before, not both',
      },
    ]);
  }
  return { size: pageSize(backward ? args.last : args.first, backward ? 'last' : 'first'), backward };
}

export function pageRequest(args: PageArgs): PageRequest {
  const { size, backward } = pageDirection(args);
  const raw = backward ? args.before : args.after;
  return { limit: size, cursor: raw ? decodeCursor(raw, backward ? 'before' : 'after') : null, backward };
}

const flip = (direction: 'asc' | 'desc') => (direction === 'asc' ? 'desc' : 'asc');

/**
 * Adds the keyset condition, order and limit (one row past the page) of a page request to a
 * query ordered by `order`: one key (the id) or two (a value, then the id). A backward page reads
 * the list in reverse from its cursor; `toPage` turns it round.
 */
export function applyKeyset(qb: Knex.QueryBuilder, order: KeysetOrder[], { cursor, backward, limit }: PageRequest) {
  const keys = order.map((o) => ({ ...o, direction: backward ? flip(o.direction) : o.direction }));
  const op = (k: { direction: 'asc' | 'desc' }) => (k.direction === 'asc' ? '>' : '<');
  if (cursor) {
    const [value, id] = cursor;
    if (keys.length === 1) qb.whereRaw(`${keys[0].sql} ${op(keys[0])} ?`, [id]);
    else {
      const [first, last] = keys;
      // A cursor of another sort would compare a number with text (an error on PostgreSQL).
      if (typeof value !== first.type)
        throw new BadInputError([
          { field: backward ? 'before' : 'after', code: 'CURSOR', message: 'is not a cursor of this list and sort' },
        ]);
      qb.andWhere((w) =>
        w
          .whereRaw(`${first.sql} ${op(first)} ?`, [value])
          .orWhere((e) => e.whereRaw(`${first.sql} = ?`, [value]).andWhereRaw(`${last.sql} ${op(last)} ?`, [id])),
      );
    }
  }
  for (const k of keys) qb.orderByRaw(`${k.sql} ${k.direction}`);
  qb.limit(limit + 1);
}

/** Builds a page from the `limit + 1` rows `applyKeyset` selected. */
export function toPage<T>(rows: T[], { limit, cursor, backward }: PageRequest, keyOf: (row: T) => Keyset): Page<T> {
  const more = rows.length > limit;
  const nodes = rows.slice(0, limit);
  if (backward) nodes.reverse();
  return {
    nodes,
    cursors: nodes.map((n) => encodeCursor(keyOf(n))),
    hasNextPage: backward ? cursor !== null : more,
    hasPreviousPage: backward ? more : cursor !== null,
  };
}
