import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const IMPORT = /(?:import|export)[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Relative imports of every .ts file under `dir` (tests excluded), as repo-relative paths. */
function importsUnder(dir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const entry of readdirSync(path.join(repo, dir), { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const targets = [...readFileSync(file, 'utf8').matchAll(IMPORT)]
      .map((m) => m[1] ?? m[2])
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => path.relative(repo, path.resolve(path.dirname(file), spec)).replace(/(\.ts)?$/, '.ts'));
    out.set(path.relative(repo, file), targets);
  }
  return out;
}

// The SDKs' Node sides (compilers, harness) may use each other: one buildPlugin serves every language.
const SDK_NODE_SIDE = /^sdk-(assemblyscript|c)\/(harness|compiler)\//;

it('keeps the arrows one way: contracts and the SDK harness reach src/ only through public entries', () => {
  const allowed = (from: string, to: string) =>
    to === 'src/runtime/index.ts' ||
    (SDK_NODE_SIDE.test(from) && SDK_NODE_SIDE.test(to)) ||
    to.startsWith(
      from
        .split('/')
        .slice(0, from.startsWith('src/') ? 2 : 1)
        .join('/'),
    );
  for (const dir of ['src/contracts', 'sdk-assemblyscript/harness', 'sdk-assemblyscript/compiler', 'sdk-c/compiler']) {
    for (const [file, targets] of importsUnder(dir)) {
      const outside = targets.filter((t) => !allowed(file, t) && t !== 'src/contracts/index.ts');
      expect(outside, `${file} imports`).toEqual([]);
    }
  }
});

it('has no import cycles anywhere in src/ or the SDK', () => {
  const graph = new Map([
    ...importsUnder('src'),
    ...importsUnder('sdk-assemblyscript/assembly'),
    ...importsUnder('sdk-assemblyscript/harness'),
    ...importsUnder('sdk-assemblyscript/compiler'),
    ...importsUnder('sdk-c/compiler'),
    ...importsUnder('src/contracts'),
    ...importsUnder('src/toolchain'),
  ]);
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, trail: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') return void cycles.push([...trail, file].join(' -> '));
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...trail, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  expect(cycles).toEqual([]);
});

/** Which top-level folders of src/ each may import (DESIGN.md: schema → services → entities, runtime). */
const LAYERS: Record<string, string[]> = {
  runtime: [],
  contracts: ['runtime'],
  entities: [],
  db: ['entities'],
  services: ['contracts', 'entities', 'db', 'runtime', 'config.ts', 'logger.ts'],
  schema: ['services', 'contracts', 'entities', 'runtime', 'config.ts', 'db'],
  server: ['schema', 'services', 'contracts', 'entities', 'db', 'runtime', 'config.ts', 'logger.ts'],
  seed: ['services', 'contracts', 'entities', 'db', 'runtime', 'toolchain'],
  toolchain: ['contracts', 'runtime'],
  cli: ['*'],
};

it('keeps the layers of src/ in order: nothing imports the schema but the server, the runtime imports nothing', () => {
  const wrong: string[] = [];
  for (const [file, targets] of importsUnder('src')) {
    const [, layer] = file.split('/');
    const allowedLayers = LAYERS[layer];
    if (!allowedLayers || allowedLayers.includes('*')) continue;
    for (const target of targets) {
      if (!target.startsWith('src/')) continue;
      const [, to] = target.split('/');
      if (to !== layer && !allowedLayers.includes(to)) wrong.push(`${file} -> ${target}`);
    }
  }
  expect(wrong).toEqual([]);
});
