/**
 * The raw-row read path: plain records mapped straight from SQL (no entity hydration), the
 * per-request DataLoaders, keyset pagination and the owner-scoped lists.
 */
export * from './active-installs.ts';
export * from './loaders.ts';
export * from './owner-lists.ts';
export * from './pagination.ts';
export type * from './records.ts';
export * from './select.ts';
export * from './sql.ts';
export * from './read-version.ts';
