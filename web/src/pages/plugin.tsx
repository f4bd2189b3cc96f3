import { useQuery } from 'urql';
import { formatCount, formatDate } from '../components/format.ts';
import { RatingHistogram } from '../components/rating-histogram.tsx';
import { Stars, VerifiedMark } from '../components/stars.tsx';
import { ErrorMessage, Loading } from '../components/status.tsx';
import { type PluginPageQuery, PluginPageDocument } from '../generated/graphql.ts';
import { useAuth } from '../graphql/auth.tsx';
import { Link, useTitle } from '../router.tsx';
import { PluginReviews } from './plugin-reviews.tsx';
import { VersionDetails, Versions } from './plugin-versions.tsx';

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
