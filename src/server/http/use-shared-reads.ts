import { getOperationAST, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Context } from '../../schema/context.ts';
import { readVersion, VERSIONED_LOADERS, type Loaders } from '../../services/read/index.ts';

export interface SharedReadsOptions {
  /** Answers kept (least recently used dropped). @default 500 */
  maxEntries?: number;
}

interface Entry {
  version: string;
  result: ExecutionResult;
}

/** What is known of a query: it read the viewer; it did not (nothing kept yet); or its kept answer. */
type Known = 'viewer' | 'shareable' | Entry;

/**
 * Signed-in queries that no viewer could answer differently share one answer. A query whose
 * execution never read the viewer (nor a loader over rows the read version does not cover: any
 * but `VERSIONED_LOADERS`) is shareable: from its next run on, its answer is kept, with the read
 * version found before it ran (one statement), and the same query with the same variables, from
 * any signed-in user, is answered with it while the read version is unchanged. So an answer is as
 * fresh as executing it would be, whoever wrote (another instance, the CLI). A query's first run,
 * and every run of one found to read the viewer, executes as it would without this plugin, with
 * no extra statement. Anonymous requests are the anonymous read cache's.
 */
export function useSharedReads({ maxEntries = 500 }: SharedReadsOptions = {}): Plugin<Context> {
  const known = new Map<string, Known>();
  const remember = (key: string, what: Known) => {
    const held = known.get(key);
    // Never replace a kept answer with less, nor with an older one.
    if (
      typeof held === 'object' &&
      (what === 'shareable' || (typeof what === 'object' && +held.version > +what.version))
    )
      return;
    known.delete(key); // re-inserted last: the map's order is least recently used first
    known.set(key, what);
    if (known.size > maxEntries) known.delete(known.keys().next().value as string);
  };
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const ctx = args.contextValue;
      const query = (ctx as { params?: { query?: unknown } }).params?.query;
      if (!ctx.viewer || typeof query !== 'string') return;
      if (getOperationAST(args.document, args.operationName)?.operation !== 'query') return;
      let key: string;
      try {
        key = `${args.operationName ?? ''}\0${JSON.stringify(args.variableValues ?? {})}\0${query}`;
      } catch {
        return; // variables too deep to serialise: the scalars refuse them
      }
      const held = known.get(key);
      if (held === 'viewer') return remember(key, held);
      if (held === undefined) {
        setExecuteFn(async (execution) => {
          const watch = watchViewer(ctx);
          const result = await executeFn({ ...execution, contextValue: watch.context });
          remember(key, watch.used ? 'viewer' : 'shareable');
          return result;
        });
        return;
      }
      setExecuteFn(async (execution) => {
        const version = await readVersion(ctx.em);
        const now = known.get(key);
        if (typeof now === 'object' && now.version === version) {
          remember(key, now);
          return now.result;
        }
        const watch = watchViewer(ctx);
        const result = await executeFn({ ...execution, contextValue: watch.context });
        if (watch.used) remember(key, 'viewer');
        else if (!isAsyncIterable(result) && !result.errors?.length) remember(key, { version, result: once(result) });
        return result;
      });
    },
  };
}

/** The result with its JSON made once, when first sent (yoga serialises a result with its `stringify`). */
function once(result: ExecutionResult): ExecutionResult {
  let json: string | undefined;
  const stringify = (value: unknown) => {
    if (value !== shared) return JSON.stringify(value);
    json ??= JSON.stringify(value);
    return json;
  };
  const shared = { ...result, stringify };
  return shared;
}

/**
 * The context with `viewer` and the loaders over unversioned rows noting that they were read.
 * Resolvers reach unversioned tables only through those loaders or after reading the viewer.
 */
function watchViewer(ctx: Context): { context: Context; readonly used: boolean } {
  let used = false;
  const note = <T>(value: T): T => {
    used = true;
    return value;
  };
  const unversioned = (Object.keys(ctx.loaders) as (keyof Loaders)[]).filter((name) => !VERSIONED_LOADERS.has(name));
  const loaders = Object.create(
    ctx.loaders,
    Object.fromEntries(unversioned.map((name) => [name, { get: () => note(ctx.loaders[name]) }])),
  ) as Loaders;
  const context = Object.create(ctx, {
    viewer: { get: () => note(ctx.viewer), enumerable: true },
    loaders: { value: loaders, enumerable: true },
  }) as Context;
  return {
    context,
    get used() {
      return used;
    },
  };
}
