import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PluginHarness } from './plugin-harness.ts';
import type { MockResponse } from './http.ts';
import type { HarnessResult, KvInput } from './types.ts';

/**
 * One entry of a plugin's `test-inputs.json`: the inputs `plugin build` measures fuel and memory
 * with, and that tests can reuse. Each case starts from its own config, clip and KV.
 */
export interface TestCase {
  name: string;
  /** Export to call: a function name, or a hook's export (`clip_captured`). */
  function: string;
  /** JSON input (sent serialised); a string is sent as-is. @default {} */
  input?: unknown;
  config?: Record<string, unknown>;
  clip?: Record<string, unknown> | null;
  kv?: Record<string, KvInput>;
  /** Mocked answers to the case's outbound HTTP requests, in order (the network is never used). */
  http?: MockResponse[];
  /** Expected outcome, checked by `runCases`. @default { status: "SUCCEEDED" } */
  expect?: { status?: string; output?: unknown };
}

export const TEST_INPUTS_FILE = 'test-inputs.json';

export async function readTestCases(dir: string): Promise<TestCase[]> {
  const file = path.join(dir, TEST_INPUTS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  const cases = JSON.parse(text) as unknown;
  if (!Array.isArray(cases) || cases.some((c) => typeof c?.name !== 'string' || typeof c?.function !== 'string')) {
    throw new Error(`${file}: expected an array of { name, function, input?, config?, clip?, kv?, http?, expect? }`);
  }
  return cases as TestCase[];
}

export interface CaseOutcome {
  case: TestCase;
  result: HarnessResult;
  /** Why the result does not match `expect`, or null when it does. */
  mismatch: string | null;
}

function mismatch(c: TestCase, r: HarnessResult): string | null {
  const status = c.expect?.status ?? 'SUCCEEDED';
  if (r.status !== status) return `expected status ${status}, got ${r.status}${r.error ? ` (${r.error.message})` : ''}`;
  if (c.expect && 'output' in c.expect) {
    const want = JSON.stringify(c.expect.output);
    let got: string;
    try {
      got = JSON.stringify(r.json());
    } catch {
      got = String(r.output);
    }
    if (got !== want) return `expected output ${want}, got ${got}`;
  }
  return null;
}

/** Runs every case with its own host state, in order. */
export async function runCases(harness: PluginHarness, cases: TestCase[]): Promise<CaseOutcome[]> {
  const out: CaseOutcome[] = [];
  for (const c of cases) {
    const input = c.input === undefined ? {} : c.input;
    const result = await harness.call(c.function, input, {
      config: c.config ?? {},
      clip: c.clip ?? null,
      kv: c.kv ?? {},
      http: c.http ?? [],
    });
    out.push({ case: c, result, mismatch: mismatch(c, result) });
  }
  return out;
}
