/**
 * Imports a node_modules package past tsx's loader. Under `bin/plugboard.js`, tsx re-processes
 * every ES module it loads, and assemblyscript pulls in binaryen's 13.5 MB index.js: ~7 s per
 * CLI run instead of ~0.5 s. tsx leaves alone any URL carrying a `tsx-namespace` other than its
 * own, and the imports of such a module inherit that namespace, so the package and its
 * dependencies load through Node's default loader. Without tsx (vitest, plain node) the query
 * is inert.
 */
export async function importNative<T>(specifier: string): Promise<T> {
  const url = new URL(import.meta.resolve(specifier));
  url.searchParams.set('tsx-namespace', 'plugboard-native');
  return (await import(url.href)) as T;
}
