import { apiError } from './errors.ts';
import { type Page, pageSize } from '../services/read/index.ts';

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** Our lists page forwards only (keyset cursors); `last`/`before` are refused clearly. */
export function forwardArgs(args: ConnectionArgs): { first?: number | null; after?: string | null } {
  if (args.last != null || args.before != null) {
    throw apiError('BAD_USER_INPUT', 'This list pages forwards only: use first and after');
  }
  return { first: args.first, after: args.after };
}

export function toConnection<T>(page: Page<T>) {
  return {
    edges: page.nodes.map((node, i) => ({ node, cursor: page.cursors[i] })),
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.cursors[0] ?? null,
      endCursor: page.cursors.at(-1) ?? null,
    },
  };
}

const encodeOffset = (i: number) => Buffer.from(`offset:${i}`).toString('base64url');

export function decodeOffset(cursor: string): number {
  const match = /^offset:(\d{1,6})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw apiError('BAD_USER_INPUT', 'after is not a cursor this list produced');
  return Number(match[1]);
}

/** A page of `limit` items from `offset` of a list loaded with one extra item past the page. */
export function offsetConnection<T>(items: T[], offset: number, limit: number) {
  const nodes = items.slice(offset, offset + limit);
  const cursors = nodes.map((_, i) => encodeOffset(offset + i));
  return toConnection({ nodes, cursors, hasNextPage: items.length > offset + limit, hasPreviousPage: offset > 0 });
}

/** A page of a list already in memory: `first`/`after` apply as on every other connection. */
export function arrayConnection<T>(items: T[], args: ConnectionArgs) {
  const { first, after } = forwardArgs(args);
  return offsetConnection(items, after ? decodeOffset(after) + 1 : 0, pageSize(first));
}
