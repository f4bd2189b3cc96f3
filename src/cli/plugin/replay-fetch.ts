import { createHash } from 'node:crypto';
import { describeErrors, download, graphql, ServerError, type ServerOptions } from './graphql-client.ts';

/** An execution as `plugin replay` needs it. Fields past the contract are optional. */
export interface RecordedExecution {
  id: string;
  status: string;
  function: string;
  input: string | null;
  /** The server keeps at most 64 KiB of input. */
  inputTruncated?: boolean;
  output: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  fuelUsed: number | null;
  peakMemoryBytes: number | null;
  durationMs: number | null;
  logs: { level: string; message: string }[];
  installation: { config: Record<string, unknown> | null; grantedPermissions?: string[] } | null;
  version: { version: string; sha256: string; manifest?: Record<string, unknown> | null };
  clip?: Record<string, unknown> | null;
  /** What the call read from KV (base64 values; null: absent); null or missing when not recorded. */
  kvReads?: { key: string; base64: string | null }[] | null;
  kvReadsTruncated?: boolean;
  /** Outbound HTTP requests with the responses the call got; null or missing when none or not recorded. */
  httpRequests?: RecordedHttpRequest[] | null;
}

export interface RecordedHttpRequest {
  method: string;
  url: string;
  status: number;
  errorCode: string | null;
  errorMessage: string | null;
  responseHeaders: Record<string, string>;
  responseBase64: string | null;
  responseTruncated: boolean;
}

const CONTRACT_FIELDS = `id status function input output errorCode errorMessage fuelUsed peakMemoryBytes durationMs
  logs { level message } installation { config } version { version sha256 }`;

// Asked for first: the manifest gives the exact limits, the clip lets hook calls replay with it,
// the KV reads give the call the store as it found it.
const EXTENDED_FIELDS = `id status function input inputTruncated output errorCode errorMessage fuelUsed peakMemoryBytes durationMs
  logs { level message } kvReads { key base64 } kvReadsTruncated
  httpRequests { method url status errorCode errorMessage responseHeaders responseBase64 responseTruncated }
  installation { config grantedPermissions } version { version sha256 manifest }
  clip { id title description mediaUrl durationMs width height fps codec sizeBytes game tags status metadata }`;

const query = (fields: string) => `query Execution($id: ID!) { execution(id: $id) { ${fields} } }`;

/** Fetches the execution, falling back to the contract's fields if the server lacks the extras. */
export async function fetchExecution(opts: ServerOptions, id: string): Promise<RecordedExecution> {
  let res = await graphql<{ execution: RecordedExecution | null }>(opts, query(EXTENDED_FIELDS), { id });
  if (res.errors.some((e) => /Cannot query field/i.test(e.message))) {
    res = await graphql<{ execution: RecordedExecution | null }>(opts, query(CONTRACT_FIELDS), { id });
  }
  if (res.errors.length > 0)
    throw new ServerError(['cannot load the execution:', ...describeErrors(res.errors)].join('\n'));
  if (!res.data?.execution) throw new ServerError(`execution ${id} not found`);
  return res.data.execution;
}

/** The module as published (original bytes), verified against the recorded sha256. */
export async function fetchModule(opts: ServerOptions, sha256: string): Promise<Uint8Array> {
  const bytes = await download(opts, `wasm/${sha256}`);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== sha256) throw new ServerError(`downloaded module hashes to ${actual}, expected ${sha256}`);
  return bytes;
}
