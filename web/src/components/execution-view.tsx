/** Formatting and display of one execution's outcome: status, usage, output and logs. */

export interface ExecutionLike {
  status: string;
  output?: string | null;
  outputSize?: number | null;
  fuelUsed?: number | null;
  peakMemoryBytes?: number | null;
  durationMs?: number | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  logsTruncated?: boolean;
  logs: readonly { at: number; level: string; message: string }[];
}

const GOOD = new Set(['SUCCEEDED']);
const PENDING = new Set(['QUEUED', 'RUNNING']);

export function StatusBadge({ status }: { status: string }) {
  const tone = GOOD.has(status) ? 'ok' : PENDING.has(status) ? '' : 'bad';
  return <span className={`badge ${tone}`}>{status.replace(/_/g, ' ').toLowerCase()}</span>;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null) return '–';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms == null) return '–';
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${Math.round(ms)} ms`;
}

/** Usage figures as a definition list. */
export function Usage({ execution }: { execution: ExecutionLike }) {
  return (
    <dl className="usage">
      <div>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={execution.status} />
        </dd>
      </div>
      <div>
        <dt>Duration</dt>
        <dd>{formatMs(execution.durationMs)}</dd>
      </div>
      <div>
        <dt>Fuel</dt>
        <dd>{execution.fuelUsed == null ? '–' : execution.fuelUsed.toLocaleString('en')}</dd>
      </div>
      <div>
        <dt>Peak memory</dt>
        <dd>{formatBytes(execution.peakMemoryBytes)}</dd>
      </div>
    </dl>
  );
}

export function Logs({ execution }: { execution: ExecutionLike }) {
  if (execution.logs.length === 0) return <p className="muted">No log lines.</p>;
  return (
    <ol className="logs" aria-label="Log lines">
      {execution.logs.map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: log lines are append-only and may repeat
        <li key={i} className={`log-${line.level}`}>
          <span className="log-at">{line.at.toFixed(1)} ms</span> <span className="log-level">{line.level}</span>{' '}
          <span>{line.message}</span>
        </li>
      ))}
      {execution.logsTruncated ? <li className="muted">… more lines were left out</li> : null}
    </ol>
  );
}

/** Everything about one finished call. */
export function ExecutionOutcome({ execution }: { execution: ExecutionLike }) {
  return (
    <div className="stack outcome">
      <Usage execution={execution} />
      {execution.errorMessage ? (
        <p className="error">
          {execution.errorMessage}
          {execution.errorCode ? <code className="error-code">{execution.errorCode}</code> : null}
        </p>
      ) : null}
      <div>
        <h4>Output</h4>
        {execution.output != null ? (
          <pre className="output" data-testid="output">
            {prettyJson(execution.output)}
          </pre>
        ) : (
          <p className="muted">{execution.outputSize ? `${execution.outputSize} bytes, not text` : 'No output.'}</p>
        )}
      </div>
      <div>
        <h4>Logs</h4>
        <Logs execution={execution} />
      </div>
    </div>
  );
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
