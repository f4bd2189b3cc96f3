import '../manage.css';
import { useMutation, useQuery } from 'urql';
import { Empty, ErrorMessage, Loading } from '../components/status.tsx';
import { MyInstallationsDocument, SetInstallationEnabledDocument } from '../generated/graphql.ts';
import { useAuth } from '../graphql/auth.tsx';
import { Link, useTitle } from '../router.tsx';
import { useInstallationChanges } from './installation-events.ts';

export function CircuitBadge({ state }: { state: string }) {
  const tone = state === 'CLOSED' ? 'ok' : state === 'OPEN' ? 'bad' : 'warn';
  const text = state === 'CLOSED' ? 'circuit closed' : state === 'OPEN' ? 'circuit open' : 'circuit half-open';
  return <span className={`badge ${tone}`}>{text}</span>;
}

/** The viewer's installations: state at a glance, enable/disable, a link to each. */
export function InstallationsPage() {
  useTitle('My installations');
  const { token } = useAuth();
  const [{ data, fetching, error }, refetch] = useQuery({ query: MyInstallationsDocument, pause: !token });
  const [toggle, setEnabled] = useMutation(SetInstallationEnabledDocument);
  useInstallationChanges(() => refetch({ requestPolicy: 'network-only' }), !token);
  const installations = data?.installations.edges.map((e) => e.node) ?? [];
  return (
    <section aria-labelledby="page-title" className="stack">
      <h1 id="page-title">My installations</h1>
      {!token ? (
        <p>
          <Link to="/sign-in">Sign in</Link> to see your installations.
        </p>
      ) : fetching && !data ? (
        <Loading />
      ) : error && !data ? (
        <ErrorMessage error={error} retry={() => refetch({ requestPolicy: 'network-only' })} />
      ) : installations.length === 0 ? (
        <Empty>
          Nothing installed yet. <Link to="/">Find a plugin in the marketplace</Link>.
        </Empty>
      ) : (
        <>
          {toggle.error ? <ErrorMessage error={toggle.error} /> : null}
          <ul className="cards installations" aria-label="Installations">
            {installations.map((i) => (
              <li key={i.id} className="panel stack">
                <h2>
                  <Link to={`/installations/${encodeURIComponent(i.id)}`}>{i.plugin.name}</Link>{' '}
                  <span className="muted">{i.version.version}</span>
                </h2>
                <p className="row">
                  <span className={`badge ${i.enabled ? 'ok' : ''}`}>{i.enabled ? 'enabled' : 'disabled'}</span>
                  <CircuitBadge state={i.circuitState} />
                  {i.revoked ? <span className="badge bad">version revoked</span> : null}
                  {i.criticality === 'CRITICAL' ? <span className="badge warn">critical</span> : null}
                  <span className="muted">priority {i.priority}</span>
                </p>
                {i.lastError ? (
                  <p className="muted">
                    Last error: <span className="last-error">{i.lastError}</span>
                  </p>
                ) : null}
                <div className="row">
                  <button
                    type="button"
                    className="button secondary"
                    disabled={toggle.fetching}
                    aria-label={`${i.enabled ? 'Disable' : 'Enable'} ${i.plugin.name}`}
                    onClick={() => void setEnabled({ id: i.id, enabled: !i.enabled })}
                  >
                    {i.enabled ? 'Disable' : 'Enable'}
                  </button>
                  <Link className="button secondary" to={`/installations/${encodeURIComponent(i.id)}`}>
                    Manage
                  </Link>
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
