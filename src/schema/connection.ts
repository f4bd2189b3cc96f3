import { BadInputError } from '../services/errors.ts';
import { type Page, type PageArgs, pageDirection } from '../services/read/index.ts';

/**
 * Every list pages both ways, Relay style: forwards with `first`/`after`, backwards with
 * `last`/`before` (`last` alone is the end of the list). Lists over SQL use keyset cursors
 * (services/read/pagination.ts); lists loaded whole, or by position, use offsets.
 */
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

function decodeOffset(cursor: string, field: string): number {
  const match = /^offset:(\d{1,6})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw new BadInputError([{ field, code: 'CURSOR', message: 'is not a cursor this list produced' }]);
  return Number(match[1]);
}

/** The positions [start, end) a page request selects in a list of `total` items. */
export function offsetWindow(args: PageArgs, total = Number.POSITIVE_INFINITY): { start: number; end: number } {
  const { size, backward } = pageDirection(args);
  if (!backward) {
    const start = args.after ? decodeOffset(args.after, 'after') + 1 : 0;
    return { start, end: start + size };
  }
  const end = Math.min(args.before ? decodeOffset(args.before, 'before') : total, total);
  return { start: Math.max(0, end - size), end };
}

/** The page [start, end) of a list whose items from position 0 are `items` (one past `end` when there are more). */
export function offsetConnection<T>(items: T[], { start, end }: { start: number; end: number }) {
  const nodes = items.slice(start, end);
  return toConnection({
    nodes,
    cursors: nodes.map((_, i) => encodeOffset(start + i)),
    hasNextPage: items.length > end,
    hasPreviousPage: start > 0,
  });
}

/** The last items of a list of `total`, given its first items from the end (`limit + 1` of them when there are more). */
export function tailConnection<T>(fromEnd: T[], total: number, limit: number) {
  const nodes = fromEnd.slice(0, limit).reverse();
  const start = total - nodes.length;
  return toConnection({
    nodes,
    cursors: nodes.map((_, i) => encodeOffset(start + i)),
    hasNextPage: false,
    hasPreviousPage: fromEnd.length > limit,
  });
}

/** A page of a list already in memory. */
export function arrayConnection<T>(items: T[], args: PageArgs) {
  return offsetConnection(items, offsetWindow(args, items.length));
}
