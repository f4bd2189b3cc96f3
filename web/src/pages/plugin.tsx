import { useQuery } from 'urql';
import { formatBytes, formatCount, formatDate, plural } from '../components/format.ts';
import { HOOK_WORDS, PERMISSION_WORDS } from '../components/permissions.ts';
import { RatingHistogram } from '../components/rating-histogram.tsx';
import { Stars, VerifiedMark } from '../components/stars.tsx';
import { ErrorMessage, Loading } from '../components/status.tsx';
import { type PluginPageQuery, PluginPageDocument } from '../generated/graphql.ts';
import { useAuth } from '../graphql/auth.tsx';
import { Link, useTitle } from '../router.tsx';
import { PluginReviews } from './plugin-reviews.tsx';

type PluginData = NonNullable<PluginPageQuery['plugin']>;

/** One plugin: what it does and asks for, its versions, ratings and reviews, and the install button. */
export function PluginPage({ slug }: { slug: string }) {
  const [{ data, fetching, error }, refetch] = useQuery({ query: PluginPageDocument, variables: { slug } });
  const plugin = data?.plugin;
  useTitle(plugin?.name ?? slug);
  if (error && !data) return <ErrorMessage error={error} retry={() => refetch({ requestPolicy: 'network-only' })} />;
  if (!data) return fetching ? <Loading label="Loading plugin…" /> : null;
  if (!plugin)
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">Plugin not found</h1>
        <p>
          No plugin is listed as “{slug}”. <Link to="/">Back to the marketplace</Link>
        </p>
      </section>
    );
  return (
    <article aria-labelledby="page-title" className="plugin-page">
      <PluginHeader plugin={plugin} />
      <div className="plugin-layout">
        <div className="plugin-main">
          <section aria-labelledby="about-title">
            <h2 id="about-title">About</h2>
            <Description text={plugin.description || plugin.summary} />
          </section>
          {plugin.latestVersion ? (
            <VersionDetails version={plugin.latestVersion} />
          ) : (
            <p className="muted">No version is published yet.</p>
          )}
          <Versions plugin={plugin} />
          <PluginReviews plugin={plugin} />
        </div>
        <aside className="plugin-side" aria-label="Facts">
          <section aria-labelledby="ratings-title" className="panel">
            <h2 id="ratings-title">Ratings</h2>
            <p>
              <Stars value={plugin.rating.average} count={plugin.rating.count} />
            </p>
            <RatingHistogram histogram={plugin.rating.histogram} count={plugin.rating.count} />
          </section>
          <section aria-labelledby="facts-title" className="panel">
            <h2 id="facts-title">Details</h2>
            <dl className="facts">
              <dt>Category</dt>
              <dd>{plugin.category}</dd>
              <dt>Tags</dt>
              <dd>{plugin.tags.length ? plugin.tags.join(', ') : 'none'}</dd>
              <dt>Downloads</dt>
              <dd>{formatCount(plugin.downloadCount)}</dd>
              <dt>Active installs</dt>
              <dd>{formatCount(plugin.activeInstalls)}</dd>
              <dt>License</dt>
              <dd>{plugin.license ?? 'not stated'}</dd>
              <dt>Updated</dt>
              <dd>{formatDate(plugin.updatedAt)}</dd>
              {plugin.homepageUrl ? (
                <>
                  <dt>Homepage</dt>
                  <dd>
                    <ExternalLink href={plugin.homepageUrl} />
                  </dd>
                </>
              ) : null}
              {plugin.repositoryUrl ? (
                <>
                  <dt>Source</dt>
                  <dd>
                    <ExternalLink href={plugin.repositoryUrl} />
                  </dd>
                </>
              ) : null}
            </dl>
          </section>
        </aside>
      </div>
    </article>
  );
}

function PluginHeader({ plugin }: { plugin: PluginData }) {
  const { token } = useAuth();
  const installPath = `/plugins/${encodeURIComponent(plugin.slug)}/install`;
  return (
    <header className="plugin-header">
      <div>
        <h1 id="page-title">{plugin.name}</h1>
        <p className="muted">
          by {plugin.publisher.displayName} (@{plugin.publisher.handle})
          {plugin.publisher.verifiedPublisher ? <VerifiedMark /> : null}
        </p>
        <p className="lead">{plugin.summary}</p>
        <p className="row">
          <Stars value={plugin.rating.average} count={plugin.rating.count} />
          <span>{`${formatCount(plugin.downloadCount)} downloads`}</span>
          <span>{plugin.latestVersion ? `Latest v${plugin.latestVersion.version}` : 'No release yet'}</span>
        </p>
      </div>
      <div className="plugin-actions">
        {!plugin.latestVersion ? (
          <button type="button" disabled>
            Install
          </button>
        ) : token ? (
          <Link to={installPath} className="button">
            Install
          </Link>
        ) : (
          <Link to={`/sign-in?next=${encodeURIComponent(installPath)}`} className="button">
            Sign in to install
          </Link>
        )}
      </div>
      {plugin.deprecationNotice ? (
        <p className="notice warn" role="note">
          <strong>Deprecated:</strong> {plugin.deprecationNotice}
        </p>
      ) : null}
    </header>
  );
}

/** The description as paragraphs of plain text (never HTML). */
function Description({ text }: { text: string }) {
  const paragraphs = text.split(/\n\s*\n/).filter((p) => p.trim());
  return (
    <div className="description">
      {paragraphs.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: paragraphs of one text never reorder
        <p key={i}>{p}</p>
      ))}
    </div>
  );
}

function ExternalLink({ href }: { href: string }) {
  const safe = /^https?:\/\//i.test(href);
  if (!safe) return <span>{href}</span>;
  return (
    <a href={href} rel="noopener noreferrer nofollow" target="_blank">
      {href.replace(/^https?:\/\//i, '')}
    </a>
  );
}

function VersionDetails({ version }: { version: NonNullable<PluginData['latestVersion']> }) {
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

function Versions({ plugin }: { plugin: PluginData }) {
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
