import { formatBytes, formatCount, formatDate, plural } from '../components/format.ts';
import { HOOK_WORDS, PERMISSION_WORDS } from '../components/permissions.ts';
import type { PluginPageQuery } from '../generated/graphql.ts';
import { Link } from '../router.tsx';

type PluginData = NonNullable<PluginPageQuery['plugin']>;

/** What the latest version asks for (permissions in plain words), runs, and needs. */
export function VersionDetails({ version }: { version: NonNullable<PluginData['latestVersion']> }) {
  const dependencies = Object.entries(version.dependencies ?? {});
  const limits = version.limits as { memoryMiB?: number; timeoutMs?: number; fuel?: number };
  return (
    <>
      <section aria-labelledby="permissions-title">
        <h2 id="permissions-title">Permissions</h2>
        {version.permissions.length ? (
          <>
            <p className="muted">{`Version ${version.version} asks you to let it:`}</p>
            <ul className="permissions">
              {version.permissions.map((p) => (
                <li key={p}>
                  <strong>{PERMISSION_WORDS[p]?.title ?? p}</strong> <code>{p}</code>
                  <br />
                  <span className="muted">
                    {PERMISSION_WORDS[p]?.detail ?? 'A permission this app does not describe.'}
                  </span>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p>It asks for no permissions: it can only compute on the input it is given.</p>
        )}
      </section>
      <section aria-labelledby="runs-title">
        <h2 id="runs-title">What it runs</h2>
        <dl className="facts">
          <dt>Hooks</dt>
          <dd>
            {version.hooks.length ? (
              <ul className="plain">
                {version.hooks.map((h) => (
                  <li key={h}>
                    <code>{h}</code> — runs {HOOK_WORDS[h] ?? h}
                  </li>
                ))}
              </ul>
            ) : (
              'none: it runs only when called'
            )}
          </dd>
          <dt>Functions</dt>
          <dd>
            {version.functions.length ? (
              <ul className="plain">
                {version.functions.map((f) => (
                  <li key={f}>
                    <code>{f}</code>
                  </li>
                ))}
              </ul>
            ) : (
              'none'
            )}
          </dd>
          <dt>Limits</dt>
          <dd>
            {[
              limits.memoryMiB != null ? `${limits.memoryMiB} MiB memory` : null,
              limits.timeoutMs != null ? `${limits.timeoutMs} ms per call` : null,
              limits.fuel != null ? `${formatCount(limits.fuel)} fuel` : null,
            ]
              .filter(Boolean)
              .join(', ') || 'server defaults'}
          </dd>
        </dl>
      </section>
      <section aria-labelledby="compat-title">
        <h2 id="compat-title">Compatibility</h2>
        <dl className="facts">
          <dt>Host API</dt>
          <dd>
            <code>{version.hostApi}</code>
          </dd>
          <dt>Dependencies</dt>
          <dd>
            {dependencies.length ? (
              <ul className="plain">
                {dependencies.map(([dep, range]) => (
                  <li key={dep}>
                    <Link to={`/plugins/${encodeURIComponent(dep)}`}>{dep}</Link> <code>{String(range)}</code>
                  </li>
                ))}
              </ul>
            ) : (
              'none'
            )}
          </dd>
        </dl>
      </section>
    </>
  );
}

/** Every version, newest first, with its marks, reasons, signature and changelog. */
export function Versions({ plugin }: { plugin: PluginData }) {
  const versions = plugin.versions.edges.map((e) => e.node);
  return (
    <section aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      {versions.length === 0 ? (
        <p className="muted">No versions yet.</p>
      ) : (
        <ul className="versions">
          {versions.map((v) => (
            <li key={v.id}>
              <details>
                <summary>
                  <span className="version-number">{`v${v.version}`}</span>
                  {v.version === plugin.latestVersion?.version ? <span className="badge ok">latest</span> : null}
                  {v.prerelease ? <span className="badge">prerelease</span> : null}
                  {v.deprecated ? <span className="badge warn">deprecated</span> : null}
                  {v.yanked ? <span className="badge warn">yanked</span> : null}
                  {v.revoked ? <span className="badge bad">revoked</span> : null}
                  <span className="muted">{formatDate(v.publishedAt)}</span>
                </summary>
                <div className="version-body">
                  {v.revoked && v.revocationReason ? (
                    <p className="notice bad">{`Revoked: ${v.revocationReason}`}</p>
                  ) : null}
                  {v.deprecated && v.deprecationReason ? (
                    <p className="notice warn">{`Deprecated: ${v.deprecationReason}`}</p>
                  ) : null}
                  <p className="muted">
                    {`Host API ${v.hostApi} · ${formatBytes(v.sizeBytes)} · `}
                    {v.signature
                      ? `signed (${v.signature.fingerprint.slice(0, 16)}…)${v.signature.verified ? '' : ', key revoked'}`
                      : 'unsigned'}
                  </p>
                  {v.changelog ? (
                    <pre className="changelog">{v.changelog}</pre>
                  ) : (
                    <p className="muted">No changelog.</p>
                  )}
                </div>
              </details>
            </li>
          ))}
        </ul>
      )}
      <p className="muted">{plural(versions.length, 'version')} published.</p>
    </section>
  );
}
