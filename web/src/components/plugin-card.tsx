import type { PluginCardFragment } from '../generated/graphql.ts';
import { Link } from '../router.tsx';
import { formatCount } from './format.ts';
import { Stars, VerifiedMark } from './stars.tsx';

/** A marketplace card: name, publisher (verified mark), rating, downloads and latest version. */
export function PluginCard({ plugin }: { plugin: PluginCardFragment }) {
  return (
    <article className="card" aria-labelledby={`card-${plugin.id}`}>
      <h3 id={`card-${plugin.id}`} className="card-title">
        <Link className="card-link" to={`/plugins/${encodeURIComponent(plugin.slug)}`}>
          {plugin.name}
        </Link>
      </h3>
      <p className="card-publisher">
        by {plugin.publisher.displayName}
        {plugin.publisher.verifiedPublisher ? <VerifiedMark /> : null}
      </p>
      <p className="card-summary">{plugin.summary}</p>
      <div className="card-meta">
        <Stars value={plugin.rating.average} count={plugin.rating.count} />
        <span title={`${plugin.downloadCount} installs`}>
          <span aria-hidden="true">⬇ </span>
          {formatCount(plugin.downloadCount)}
          <span className="visually-hidden"> downloads</span>
        </span>
        <span>{plugin.latestVersion ? `v${plugin.latestVersion.version}` : 'no release yet'}</span>
      </div>
      <p className="card-category">
        <span className="badge">{plugin.category}</span>
      </p>
    </article>
  );
}
