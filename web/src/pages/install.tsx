import '../manage.css';
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { ConfigForm, type ConfigValues } from '../components/config-form.tsx';
import { PermissionList } from '../components/permission-list.tsx';
import { ErrorMessage, Loading } from '../components/status.tsx';
import { InstallConsentPlanDocument, InstallPluginDocument, InstallTargetDocument } from '../generated/graphql.ts';
import { useAuth } from '../graphql/auth.tsx';
import { type Problem, problemList } from '../graphql/problem-list.ts';
import { Link, navigate, useTitle } from '../router.tsx';

const INITIAL: ConfigValues = { config: {}, priority: 0, criticality: 'OPTIONAL' };

/** Install plugin `slug`: choose a version, fill the form generated from its config schema, consent. */
export function InstallPage({ slug }: { slug: string }) {
  const { token } = useAuth();
  const [{ data, fetching, error }, refetch] = useQuery({ query: InstallTargetDocument, variables: { slug } });
  const plugin = data?.plugin;
  useTitle(plugin ? `Install ${plugin.name}` : `Install ${slug}`);
  const [chosen, setChosen] = useState<string | null>(null);
  const [draft, setDraft] = useState<ConfigValues>(INITIAL);
  const [consenting, setConsenting] = useState(false);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [formKey, setFormKey] = useState(0);

  if (!token)
    return (
      <section aria-labelledby="page-title" className="stack">
        <h1 id="page-title">Install {slug}</h1>
        <p>
          <Link to="/sign-in">Sign in</Link> to install plugins.
        </p>
      </section>
    );
  if (fetching && !data) return <Loading />;
  if (error && !data) return <ErrorMessage error={error} retry={() => refetch({ requestPolicy: 'network-only' })} />;
  if (!plugin)
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">No such plugin</h1>
        <p>
          There is no plugin <code>{slug}</code>. <Link to="/">Back to the marketplace</Link>
        </p>
      </section>
    );

  const installable = plugin.versions.edges.map((e) => e.node).filter((v) => !v.revoked && !v.yanked);
  const versionId = chosen ?? plugin.latestVersion?.id ?? installable[0]?.id;
  const version = installable.find((v) => v.id === versionId);

  return (
    <section aria-labelledby="page-title" className="stack narrow">
      <p>
        <Link to={`/plugins/${plugin.slug}`}>← {plugin.name}</Link>
      </p>
      <h1 id="page-title">Install {plugin.name}</h1>
      <ol className="steps" aria-label="Steps">
        <li aria-current={consenting ? undefined : 'step'}>1. Settings</li>
        <li aria-current={consenting ? 'step' : undefined}>2. Permissions</li>
      </ol>
      {installable.length === 0 || !version ? (
        <p className="error" role="alert">
          Every version of this plugin is yanked or revoked: there is nothing to install.
        </p>
      ) : consenting ? (
        <Consent
          slug={plugin.slug}
          name={plugin.name}
          version={version.version}
          // The latest stable version installs with a caret range so later upgrades can move it;
          // any other choice is pinned to exactly that version.
          versionRange={
            version.id === plugin.latestVersion?.id && !version.prerelease ? `^${version.version}` : version.version
          }
          permissions={version.permissions}
          values={draft}
          onBack={() => setConsenting(false)}
          onRefused={(found) => {
            setProblems(found);
            setFormKey((k) => k + 1);
            setConsenting(false);
          }}
        />
      ) : (
        <>
          <div className="field">
            <label htmlFor="install-version">Version</label>
            <select
              id="install-version"
              value={version.id}
              onChange={(e) => {
                setChosen(e.target.value);
                setDraft(INITIAL);
                setProblems([]);
                setFormKey((k) => k + 1);
              }}
            >
              {installable.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.version}
                  {v.prerelease ? ' (prerelease)' : ''}
                  {v.deprecated ? ' (deprecated)' : ''}
                  {v.id === plugin.latestVersion?.id ? ' (latest)' : ''}
                </option>
              ))}
            </select>
          </div>
          <ConfigForm
            key={`${version.id}:${formKey}`}
            schema={version.configSchema}
            initial={draft}
            problems={problems}
            busy={false}
            submitLabel="Continue to permissions"
            onSubmit={(next) => {
              setProblems([]);
              setDraft(next);
              setConsenting(true);
            }}
          />
        </>
      )}
    </section>
  );
}

/** Step 2: what the install grants (the plugin and any dependency it adds), then the mutation. */
function Consent({
  slug,
  name,
  version,
  versionRange,
  permissions,
  values,
  onBack,
  onRefused,
}: {
  slug: string;
  name: string;
  version: string;
  versionRange: string;
  permissions: readonly string[];
  values: ConfigValues;
  onBack: () => void;
  onRefused: (problems: Problem[]) => void;
}) {
  const [{ data, fetching, error }] = useQuery({
    query: InstallConsentPlanDocument,
    variables: { slug, versionRange },
    requestPolicy: 'network-only',
  });
  const [install, send] = useMutation(InstallPluginDocument);
  const [agreed, setAgreed] = useState(false);
  const dependencies = data?.plugin?.installPlan.installs.filter((i) => i.dependency) ?? [];
  const planProblems = data?.plugin?.installPlan.problems ?? [];

  const submit = async () => {
    const result = await send({
      input: {
        slug,
        versionRange,
        config: values.config,
        priority: values.priority,
        criticality: values.criticality,
        grantPermissions: [...permissions],
        ...(dependencies.length > 0
          ? {
              installDependencies: true,
              dependencies: dependencies.map((d) => ({ slug: d.slug, grantPermissions: [...d.permissions] })),
            }
          : {}),
      },
    });
    if (result.data?.installPlugin) {
      navigate(`/installations/${encodeURIComponent(result.data.installPlugin.id)}`);
      return;
    }
    const found = problemList(result.error);
    if (found.length > 0) onRefused(found);
  };

  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>
        {name} {version} asks for
      </h2>
      <PermissionList permissions={permissions} label={`Permissions ${name} asks for`} />
      {fetching && !data ? <Loading label="Checking dependencies…" /> : null}
      {error ? <ErrorMessage error={error} /> : null}
      {dependencies.length > 0 ? (
        <div className="panel stack">
          <h3>It also installs</h3>
          {dependencies.map((d) => (
            <div key={d.slug}>
              <p>
                <strong>
                  {d.slug} {d.version.version}
                </strong>{' '}
                <span className="muted">(needed by {d.requiredBy.join(', ')})</span>
              </p>
              <PermissionList permissions={d.permissions} label={`Permissions ${d.slug} asks for`} />
            </div>
          ))}
        </div>
      ) : null}
      {planProblems.length > 0 ? (
        <ul className="error" role="alert">
          {planProblems.map((p) => (
            <li key={`${p.field}:${p.message}`}>{p.message}</li>
          ))}
        </ul>
      ) : null}
      <p className="muted">
        Priority {values.priority}, {values.criticality === 'CRITICAL' ? 'critical' : 'optional'}.
      </p>
      <label className="check">
        <input type="checkbox" checked={agreed} onChange={(e) => setAgreed(e.target.checked)} /> I grant these
        permissions
      </label>
      {install.error && problemList(install.error).length === 0 ? <ErrorMessage error={install.error} /> : null}
      <div className="row">
        <button type="button" className="button secondary" onClick={onBack} disabled={install.fetching}>
          Back to settings
        </button>
        <button type="submit" className="button" disabled={!agreed || install.fetching}>
          {install.fetching ? 'Installing…' : 'Grant and install'}
        </button>
      </div>
    </form>
  );
}
