import '../manage.css';
import { useId, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { ConfigForm } from '../components/config-form.tsx';
import { ExecutionOutcome } from '../components/execution-view.tsx';
import { PermissionList } from '../components/permission-list.tsx';
import { Empty, ErrorMessage, Loading } from '../components/status.tsx';
import {
  type InstallationDetailQuery,
  InstallationDetailDocument,
  InstallationUpgradeDocument,
  RollbackInstallationDocument,
  RunFunctionDocument,
  UninstallPluginDocument,
  UpdateInstallationSettingsDocument,
  UpgradeInstallationDocument,
} from '../generated/graphql.ts';
import { useAuth } from '../graphql/auth.tsx';
import { problemList } from '../graphql/problem-list.ts';
import { Link, navigate, useTitle } from '../router.tsx';
import { useInstallationChanges } from './installation-events.ts';
import { CircuitBadge } from './installations.tsx';

type Installation = NonNullable<InstallationDetailQuery['installation']>;

/** One installation: state, running its functions, upgrade and rollback, settings, uninstall. */
export function InstallationPage({ id }: { id: string }) {
  const { token } = useAuth();
  const [{ data, fetching, error }, refetch] = useQuery({
    query: InstallationDetailDocument,
    variables: { id },
    pause: !token,
  });
  const installation = data?.installation;
  useInstallationChanges((changed) => {
    if (changed === id) refetch({ requestPolicy: 'network-only' });
  }, !token);
  useTitle(installation ? installation.plugin.name : 'Installation');
  if (!token)
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">Installation</h1>
        <p>
          <Link to="/sign-in">Sign in</Link> to manage your installations.
        </p>
      </section>
    );
  if (fetching && !data) return <Loading />;
  if (error && !data) return <ErrorMessage error={error} retry={() => refetch({ requestPolicy: 'network-only' })} />;
  if (!installation)
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">No such installation</h1>
        <p>
          It may have been uninstalled. <Link to="/installations">Back to my installations</Link>
        </p>
      </section>
    );
  return (
    <section aria-labelledby="page-title" className="stack">
      <p>
        <Link to="/installations">← My installations</Link>
      </p>
      <h1 id="page-title">
        {installation.plugin.name} <span className="muted">{installation.version.version}</span>
      </h1>
      <Overview installation={installation} />
      <div className="columns">
        <RunFunction installation={installation} />
        <Versions installation={installation} />
      </div>
      <Settings installation={installation} />
      <Uninstall installation={installation} />
    </section>
  );
}

function Overview({ installation }: { installation: Installation }) {
  const [toggle, update] = useMutation(UpdateInstallationSettingsDocument);
  return (
    <section className="panel stack" aria-label="State">
      <p className="row">
        <span className={`badge ${installation.enabled ? 'ok' : ''}`}>
          {installation.enabled ? 'enabled' : 'disabled'}
        </span>
        <CircuitBadge state={installation.circuitState} />
        {installation.revoked ? <span className="badge bad">version revoked</span> : null}
        <span className="muted">
          {installation.consecutiveFailures} consecutive failure{installation.consecutiveFailures === 1 ? '' : 's'}
        </span>
        <button
          type="button"
          className="button secondary"
          disabled={toggle.fetching}
          onClick={() => void update({ input: { id: installation.id, enabled: !installation.enabled } })}
        >
          {installation.enabled ? 'Disable' : 'Enable'}
        </button>
      </p>
      {toggle.error ? <ErrorMessage error={toggle.error} /> : null}
      {installation.revoked ? (
        <p className="error">
          This version was revoked: {installation.version.revocationReason}. Upgrade or uninstall it.
        </p>
      ) : null}
      {installation.lastError ? (
        <p>
          Last error: <span className="last-error">{installation.lastError}</span>
        </p>
      ) : null}
      <p className="muted">
        Range <code>{installation.versionRange}</code>
        {installation.version.hooks.length > 0 ? <> · hooks {installation.version.hooks.join(', ')}</> : null}
      </p>
      <details>
        <summary>Granted permissions ({installation.grantedPermissions.length})</summary>
        <PermissionList permissions={installation.grantedPermissions} />
      </details>
    </section>
  );
}

function RunFunction({ installation }: { installation: Installation }) {
  const id = useId();
  const functions = installation.version.functions;
  const [fn, setFn] = useState(functions[0] ?? '');
  const [input, setInput] = useState('');
  const [run, execute] = useMutation(RunFunctionDocument);
  const execution = run.data?.executePlugin;
  return (
    <form
      className="panel stack"
      aria-labelledby={`${id}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        void execute({ input: { installationId: installation.id, function: fn, input } });
      }}
    >
      <h2 id={`${id}-title`}>Run a function</h2>
      {functions.length === 0 ? (
        <Empty>This version has hooks only: it runs when clips change.</Empty>
      ) : (
        <>
          <div className="field">
            <label htmlFor={`${id}-fn`}>Function</label>
            <select id={`${id}-fn`} value={fn} onChange={(e) => setFn(e.target.value)}>
              {functions.map((f) => (
                <option key={f}>{f}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-input`}>Input</label>
            <textarea
              id={`${id}-input`}
              rows={5}
              spellCheck={false}
              className="code"
              value={input}
              placeholder='{"values": [1, 2, 3]}'
              onChange={(e) => setInput(e.target.value)}
            />
          </div>
          <div className="row">
            <button type="submit" className="button" disabled={run.fetching || !fn}>
              {run.fetching ? 'Running…' : 'Run'}
            </button>
          </div>
          {run.fetching ? <Loading label="Running…" /> : null}
          {run.error ? <ErrorMessage error={run.error} /> : null}
          {execution && !run.fetching ? (
            <section aria-label="Result" className="result">
              <ExecutionOutcome execution={execution} />
            </section>
          ) : null}
        </>
      )}
    </form>
  );
}

function Versions({ installation }: { installation: Installation }) {
  const id = useId();
  const [range, setRange] = useState('');
  const [{ data, fetching, error }, refetch] = useQuery({
    query: InstallationUpgradeDocument,
    variables: { id: installation.id, versionRange: range || null },
    requestPolicy: 'network-only',
  });
  const [upgrade, sendUpgrade] = useMutation(UpgradeInstallationDocument);
  const [rollback, sendRollback] = useMutation(RollbackInstallationDocument);
  const [consent, setConsent] = useState(false);
  const preview = data?.installation?.upgradePreview;
  const history = [...installation.history].reverse();
  const canRollBack = installation.history.length > 1;
  return (
    <section className="panel stack" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Versions</h2>
      <div className="field">
        <label htmlFor={`${id}-range`}>Upgrade to (semver range)</label>
        <input
          id={`${id}-range`}
          value={range}
          placeholder={installation.versionRange}
          onChange={(e) => {
            setRange(e.target.value);
            setConsent(false);
          }}
        />
      </div>
      {fetching && !data ? <Loading label="Looking for upgrades…" /> : null}
      {error ? <ErrorMessage error={error} retry={() => refetch({ requestPolicy: 'network-only' })} /> : null}
      {data && !preview ? <p className="muted">No upgrade: this is the highest version in range.</p> : null}
      {preview ? (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void sendUpgrade({
              id: installation.id,
              versionRange: range || null,
              grantPermissions: preview.permissionsAdded,
            }).then(() => refetch({ requestPolicy: 'network-only' }));
          }}
        >
          <p>
            <strong>
              {preview.from.version} → {preview.to.version}
            </strong>
            {preview.to.prerelease ? <span className="badge warn">prerelease</span> : null}
          </p>
          {preview.to.changelog ? <p className="changelog">{preview.to.changelog}</p> : null}
          {!preview.hostApiCompatible ? (
            <p className="error">It needs a host API this server does not provide.</p>
          ) : null}
          {preview.permissionsAdded.length > 0 ? (
            <>
              <h3>New permissions it asks for</h3>
              <PermissionList permissions={preview.permissionsAdded} label="Permissions added" />
            </>
          ) : (
            <p className="muted">No new permissions.</p>
          )}
          {preview.permissionsRemoved.length > 0 ? (
            <>
              <h3>Permissions it no longer needs (dropped)</h3>
              <PermissionList permissions={preview.permissionsRemoved} label="Permissions removed" />
            </>
          ) : null}
          {preview.configProblems.length > 0 && preview.upgradedHookRuns ? (
            <p className="muted">
              Your config does not fit {preview.to.version}; its upgrade hook may migrate it, and the upgrade checks the
              result:
            </p>
          ) : null}
          {[...preview.configProblems, ...preview.dependencyProblems].map((p) => (
            <p key={`${p.field}:${p.message}`} className="error">
              {p.field ? <code>{p.field}</code> : null} {p.message}
            </p>
          ))}
          {preview.brokenDependents.length > 0 ? (
            <p className="error">It would break: {preview.brokenDependents.join(', ')}</p>
          ) : null}
          {preview.permissionsAdded.length > 0 ? (
            <label className="check">
              <input type="checkbox" checked={consent} onChange={(e) => setConsent(e.target.checked)} /> I grant the new
              permissions
            </label>
          ) : null}
          {upgrade.error ? <ErrorMessage error={upgrade.error} /> : null}
          <div className="row">
            <button
              type="submit"
              className="button"
              disabled={upgrade.fetching || !preview.ready || (preview.permissionsAdded.length > 0 && !consent)}
            >
              {upgrade.fetching ? 'Upgrading…' : `Upgrade to ${preview.to.version}`}
            </button>
          </div>
        </form>
      ) : null}
      <h3>History</h3>
      <ol className="history">
        {history.map((h) => (
          <li key={`${h.at}:${h.to}`}>
            <span className="badge">{h.reason.toLowerCase()}</span> {h.from ? `${h.from} → ` : ''}
            {h.to} <time dateTime={h.at}>{new Date(h.at).toLocaleString()}</time>
          </li>
        ))}
      </ol>
      {rollback.error ? <ErrorMessage error={rollback.error} /> : null}
      {canRollBack ? (
        <div className="row">
          <button
            type="button"
            className="button secondary"
            disabled={rollback.fetching}
            onClick={() =>
              void sendRollback({ id: installation.id }).then(() => refetch({ requestPolicy: 'network-only' }))
            }
          >
            {rollback.fetching ? 'Rolling back…' : 'Roll back to the previous version'}
          </button>
        </div>
      ) : null}
    </section>
  );
}

function Settings({ installation }: { installation: Installation }) {
  const [result, update] = useMutation(UpdateInstallationSettingsDocument);
  const [saved, setSaved] = useState(false);
  const problems = problemList(result.error);
  return (
    <section className="panel stack" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <ConfigForm
        key={installation.version.id}
        schema={installation.version.configSchema}
        initial={{
          config: installation.config,
          priority: installation.priority,
          criticality: installation.criticality,
        }}
        problems={problems}
        busy={result.fetching}
        submitLabel={result.fetching ? 'Saving…' : 'Save settings'}
        onSubmit={(values) => {
          setSaved(false);
          void update({ input: { id: installation.id, ...values } }).then((r) => setSaved(!r.error));
        }}
      />
      {result.error && problems.length === 0 ? <ErrorMessage error={result.error} /> : null}
      {saved ? (
        <p role="status" className="ok">
          Saved.
        </p>
      ) : null}
    </section>
  );
}

function Uninstall({ installation }: { installation: Installation }) {
  const [confirming, setConfirming] = useState(false);
  const [result, uninstall] = useMutation(UninstallPluginDocument);
  return (
    <section className="panel stack danger" aria-labelledby="uninstall-title">
      <h2 id="uninstall-title">Uninstall</h2>
      <p>Removes the installation and its stored data; its executions stay in your history.</p>
      {result.error ? <ErrorMessage error={result.error} /> : null}
      {confirming ? (
        <div className="row">
          <button
            type="button"
            className="button danger"
            disabled={result.fetching}
            onClick={() =>
              void uninstall({ id: installation.id }).then((r) => {
                if (!r.error) navigate('/installations');
              })
            }
          >
            Yes, uninstall {installation.plugin.name}
          </button>
          <button type="button" className="button secondary" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      ) : (
        <div className="row">
          <button type="button" className="button secondary" onClick={() => setConfirming(true)}>
            Uninstall…
          </button>
        </div>
      )}
    </section>
  );
}
