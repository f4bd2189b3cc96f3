import '../manage.css';
import { useMemo } from 'react';
import { useQuery, useSubscription } from 'urql';
import { type ChartPoint, DurationChart } from '../components/duration-chart.tsx';
import { ExecutionOutcome, formatMs, StatusBadge } from '../components/execution-view.tsx';
import { Empty, ErrorMessage, Loading } from '../components/status.tsx';
import {
  type ClipCardFragment,
  ClipStreamDocument,
  type ClipStreamSubscription,
  type ExecutionStreamSubscription,
  ExecutionStreamDocument,
  RecentClipsDocument,
  RecentExecutionsDocument,
  type StreamedExecutionFragment,
} from '../generated/graphql.ts';
import { useAuth } from '../graphql/auth.tsx';
import { Link, useTitle } from '../router.tsx';

const KEEP = 200;
const NONE: never[] = [];
const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'FUEL_EXHAUSTED', 'MEMORY_EXCEEDED', 'REJECTED']);
type Event = ExecutionStreamSubscription['executionEvents'];

/** Folds one stream event into the list: newest first, the latest state of each execution kept. */
function applyEvent(list: StreamedExecutionFragment[], event: Event): StreamedExecutionFragment[] {
  const incoming = event.execution;
  const index = list.findIndex((e) => e.id === event.executionId);
  const known = index >= 0 ? list[index] : undefined;
  let next = incoming;
  // A LOG event may be delivered after the terminal one was folded in: never go back in state.
  if (known && TERMINAL.has(known.status) && !TERMINAL.has(incoming.status)) next = known;
  if (event.log && !next.logs.some((l) => l.at === event.log?.at && l.message === event.log?.message))
    next = { ...next, logs: [...next.logs, event.log] };
  if (index >= 0) return list.map((e, i) => (i === index ? next : e));
  return [next, ...list].slice(0, KEEP);
}

/** Live executions of the viewer's installations, a chart of their durations, and their clips. */
export function ExecutionsPage() {
  useTitle('Executions');
  const { token } = useAuth();
  if (!token)
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">Executions</h1>
        <p>
          <Link to="/sign-in">Sign in</Link> to watch your plugins run.
        </p>
      </section>
    );
  return <LiveExecutions />;
}

function LiveExecutions() {
  const clips = useLiveClips();
  // A clip.captured hook runs before its clip is readable: its title comes from the clip stream.
  const titles = useMemo(() => new Map(clips.clips.map((c) => [c.id, c.title])), [clips.clips]);
  return (
    <section aria-labelledby="page-title" className="stack">
      <h1 id="page-title">Executions</h1>
      <div className="columns wide-first">
        <ExecutionStream titles={titles} />
        <ClipPanel {...clips} />
      </div>
    </section>
  );
}

function ExecutionStream({ titles }: { titles: Map<string, string> }) {
  const [{ data, fetching, error }, refetch] = useQuery({ query: RecentExecutionsDocument });
  // The handler is a pure reducer (urql calls it inside a state update): the list is its result.
  const [{ data: streamed = NONE, error: streamError }] = useSubscription<
    ExecutionStreamSubscription,
    StreamedExecutionFragment[]
  >({ query: ExecutionStreamDocument }, (list = [], event) => applyEvent(list, event.executionEvents));
  const executions = useMemo(() => {
    const fromQuery = data?.executions.edges.map((e) => e.node) ?? [];
    const seen = new Set(streamed.map((e) => e.id));
    return [...streamed, ...fromQuery.filter((e) => !seen.has(e.id))];
  }, [data, streamed]);
  const points: ChartPoint[] = useMemo(
    () =>
      executions
        .filter((e) => e.durationMs != null && TERMINAL.has(e.status))
        .map((e) => ({
          at: Date.parse(e.finishedAt ?? e.createdAt),
          durationMs: e.durationMs ?? 0,
          ok: e.status === 'SUCCEEDED',
        })),
    [executions],
  );

  return (
    <section className="stack" aria-labelledby="stream-title">
      <h2 id="stream-title">
        Live calls{' '}
        {streamError ? (
          <span className="badge bad">stream lost</span>
        ) : (
          <span className="badge ok" title="Updates arrive as they happen">
            live
          </span>
        )}
      </h2>
      <DurationChart points={points} />
      {streamError ? <ErrorMessage error={streamError} /> : null}
      {fetching && !data ? <Loading /> : null}
      {error && !data ? <ErrorMessage error={error} retry={() => refetch({ requestPolicy: 'network-only' })} /> : null}
      {data && executions.length === 0 ? <Empty>No calls yet: run a function or create a clip.</Empty> : null}
      <ul className="executions" aria-label="Executions" aria-live="polite">
        {executions.map((e) => (
          <ExecutionRow
            key={e.id}
            execution={e}
            clipTitle={e.clip?.title ?? (e.clipId ? titles.get(e.clipId) : undefined)}
          />
        ))}
      </ul>
    </section>
  );
}

function ExecutionRow({ execution, clipTitle }: { execution: StreamedExecutionFragment; clipTitle?: string }) {
  const plugin = execution.installation?.plugin ?? execution.version.plugin;
  return (
    <li className="execution">
      <details>
        <summary>
          <StatusBadge status={execution.status} /> <strong>{plugin.name}</strong>{' '}
          <code>{execution.hook ?? execution.function}</code>
          {clipTitle ? <span className="muted"> on “{clipTitle}”</span> : null}{' '}
          <span className="muted">
            {formatMs(execution.durationMs)} · <time dateTime={execution.createdAt}>{time(execution.createdAt)}</time>
          </span>
        </summary>
        <ExecutionOutcome execution={execution} />
      </details>
    </li>
  );
}

function time(iso: string) {
  return new Date(iso).toLocaleTimeString();
}

interface ClipChanges {
  /** Clips as their last event left them, most recently changed first. */
  clips: ClipCardFragment[];
  deleted: Set<string>;
}
const NO_CHANGES: ClipChanges = { clips: [], deleted: new Set() };

/** The viewer's recent clips, kept current by `clipEvents`. */
function useLiveClips() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: RecentClipsDocument });
  const [{ data: changes = NO_CHANGES }] = useSubscription<ClipStreamSubscription, ClipChanges>(
    { query: ClipStreamDocument },
    (c = NO_CHANGES, event) => {
      const { type, clip } = event.clipEvents;
      return {
        clips: [clip, ...c.clips.filter((x) => x.id !== clip.id)],
        deleted: type === 'DELETED' ? new Set([...c.deleted, clip.id]) : c.deleted,
      };
    },
  );
  const clips = useMemo(() => {
    const fromQuery = data?.clips.edges.map((e) => e.node) ?? [];
    const changed = new Set(changes.clips.map((c) => c.id));
    return [...changes.clips, ...fromQuery.filter((c) => !changed.has(c.id))].filter((c) => !changes.deleted.has(c.id));
  }, [data, changes]);
  return { clips, loaded: !!data, fetching, error, retry: () => refetch({ requestPolicy: 'network-only' }) };
}

function ClipPanel({ clips, loaded, fetching, error, retry }: ReturnType<typeof useLiveClips>) {
  return (
    <section className="stack" aria-labelledby="clips-title">
      <h2 id="clips-title">Clips</h2>
      {fetching && !loaded ? <Loading /> : null}
      {error && !loaded ? <ErrorMessage error={error} retry={retry} /> : null}
      {loaded && clips.length === 0 ? <Empty>No clips yet.</Empty> : null}
      <ul className="clips" aria-label="Clips">
        {clips.map((clip) => (
          <li key={clip.id} className="panel stack clip">
            <h3>{clip.title}</h3>
            <p className="muted">
              {clip.game ?? 'no game'} · {Math.round(clip.durationMs / 1000)} s · {clip.status.toLowerCase()}
            </p>
            <ul className="clip-tags" aria-label={`Tags of ${clip.title}`}>
              {clip.tags.map((t) => (
                <li key={t} className="badge">
                  {t}
                </li>
              ))}
            </ul>
            <ClipMetadata metadata={clip.metadata} />
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Metadata, each plugin's results under its slug. */
function ClipMetadata({ metadata }: { metadata: Record<string, unknown> }) {
  const entries = Object.entries(metadata);
  if (entries.length === 0) return null;
  return (
    <details>
      <summary>Metadata from {entries.map(([k]) => k).join(', ')}</summary>
      <dl className="metadata">
        {entries.map(([key, value]) => (
          <div key={key}>
            <dt>{key}</dt>
            <dd>
              <pre>{JSON.stringify(value, null, 2)}</pre>
            </dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
