// Node test harness for Plugboard plugins: build, load into the platform's local executor with
// mocked host state, call, and inspect output, logs, events, patches, KV and usage.
export { PluginHarness, type LoadOptions } from './plugin-harness.ts';
export { readTestCases, runCases, TEST_INPUTS_FILE, type CaseOutcome, type TestCase } from './cases.ts';
export { ConfigError } from './config.ts';
export { kvSnapshot } from './kv.ts';
export type { CallOptions, HarnessResult, KvInput, Usage } from './types.ts';
/** The server's own lifecycle hook payload, for calling `plugin_installed` and the others as it does. */
export { lifecycleInput, type LifecyclePayload } from '../../src/contracts/index.ts';
export type { HttpMock, MockedRequest, MockResponse } from './http.ts';
