import { BadInputError } from '../errors.ts';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Page<T> {
  nodes: T[];
  cursors: string[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** Keyset cursor: the sort value and id of the last row seen. */
export type Keyset = [value: string | number | null, id: number];

function encodeCursor(key: Keyset): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string): Keyset {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
    if (
      Array.isArray(key) &&
      key.length === 2 &&
      Number.isInteger(key[1]) &&
      (key[0] === null || ['string', 'number'].includes(typeof key[0]))
    ) {
      return key as Keyset;
    }
  } catch {
    // fall through to the error below
  }
  throw new BadInputError([{ field: 'after', code: 'CURSOR', message: 'is not a cursor this list produced' }]);
}

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new BadInputError([{ field: 'first', code: 'RANGE', message: `must be from 0 to ${MAX_PAGE_SIZE}` }]);
  }
  return first;
}

/** Builds a page from `limit + 1` rows fetched after the cursor. */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => Keyset, hadCursor: boolean): Page<T> {
  const nodes = rows.slice(0, limit);
  return {
    nodes,
    cursors: nodes.map((n) => encodeCursor(keyOf(n))),
    hasNextPage: rows.length > limit,
    hasPreviousPage: hadCursor,
  };
}
