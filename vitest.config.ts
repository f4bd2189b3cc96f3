import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS build (it has no exports map); vite would pick its ESM build
    // for test files, and two copies of graphql cannot share a schema.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: [
      'src/**/*.test.ts',
      'test/**/*.test.ts',
      'sdk-assemblyscript/**/*.test.ts',
      'sdk-c/**/*.test.ts',
      'plugins-wasm/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/build/**'],
    pool: 'forks',
    // Two cores: more files at once only thrash, and the runtime tests spawn worker threads.
    maxWorkers: 2,
    // @extism/extism loads node:wasi, which warns once per test process; plugins never get WASI.
    execArgv: ['--disable-warning=ExperimentalWarning'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
