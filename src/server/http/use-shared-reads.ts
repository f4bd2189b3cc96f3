import { getOperationAST, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Context } from '../../schema/context.ts';
import { readVersion, UNVERSIONED_LOADERS, type Loaders } from '../../services/read/index.ts';

export interface SharedReadsOptions {
  /** Answers kept (least recently used dropped). @default 500 */
  maxEntries?: number;
}

interface Entry {
  version: string;
  result: ExecutionResult;
}

/** Marks a query found to depend on its viewer: later ones run as they are, with no version read. */
const VIEWER = 'viewer';

/**
 * Signed-in queries that no viewer could answer differently share one answer. A query's answer
 * is kept when its execution never read the viewer (nor a loader over rows the read version does
 * not cover: `UNVERSIONED_LOADERS`) and had no error; the same query, with the same variables,
 * from any signed-in user is answered with it while the read version (one statement per request)
 * is the one it was computed at. So the answer is as fresh as executing it would be, whoever
 * wrote (another instance, the CLI), and an answer that depended on the viewer is never reused.
 * A query found to depend on the viewer is remembered as such and then runs without the version
 * read. Anonymous requests are the anonymous read cache's.
 */
export function useSharedReads({ maxEntries = 500 }: SharedReadsOptions = {}): Plugin<Context> {
  const entries = new Map<string, Entry | typeof VIEWER>();
  const remember = (key: string, entry: Entry | typeof VIEWER) => {
    const held = entries.get(key);
    if (held && held !== VIEWER && entry !== VIEWER && Number(held.version) > Number(entry.version)) return; // a newer answer is there
    entries.delete(key);
    entries.set(key, entry);
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
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
      if (entries.get(key) === VIEWER) return remember(key, VIEWER);
      setExecuteFn(async (execution) => {
        const version = await readVersion(ctx.em);
        const held = entries.get(key);
        if (held && held !== VIEWER && held.version === version) {
          entries.delete(key);
          entries.set(key, held);
          return held.result;
        }
        const watch = watchViewer(ctx);
        const result = await executeFn({ ...execution, contextValue: watch.context });
        if (watch.used) remember(key, VIEWER);
        else if (!isAsyncIterable(result) && !result.errors?.length) remember(key, { version, result: once(result) });
        return result;
      });
    },
  };
}

/** The result with its JSON made once, when first sent (yoga serialises a result with its `stringify`). */
function once(result: ExecutionResult): ExecutionResult {
  let json: string | undefined;
  const stringify = (value: unknown) => (value === shared ? (json ??= JSON.stringify(value)) : JSON.stringify(value));
  const shared = { ...result, stringify };
  return shared;
}

/** The context with `viewer` and the unversioned loaders noting that they were read. */
function watchViewer(ctx: Context): { context: Context; readonly used: boolean } {
  let used = false;
  const note = <T>(value: T): T => {
    used = true;
    return value;
  };
  const loaders = Object.create(
    ctx.loaders,
    Object.fromEntries(UNVERSIONED_LOADERS.map((name) => [name, { get: () => note(ctx.loaders[name]) }])),
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
