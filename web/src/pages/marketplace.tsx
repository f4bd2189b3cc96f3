import { useEffect, useId, useRef, useState } from 'react';
import { useQuery } from 'urql';
import { PluginCard } from '../components/plugin-card.tsx';
import { Empty, ErrorMessage, Loading } from '../components/status.tsx';
import { useDebounced } from '../components/use-debounced.ts';
import {
  MarketplaceFilters,
  type Filters,
  filtersFromSearch,
  filtersToSearch,
} from '../components/marketplace-filters.tsx';
import {
  FeaturedPluginsDocument,
  MarketplaceSearchDocument,
  type MarketplaceSearchQueryVariables,
} from '../generated/graphql.ts';
import { navigate, useLocation, useTitle } from '../router.tsx';

const PAGE_SIZE = 9;

/** The marketplace: search as you type, facet filters, sort, featured strip, pages of cards. */
export function MarketplacePage() {
  useTitle('Marketplace');
  const { search } = useLocation();
  const filters = filtersFromSearch(search);
  const [text, setText] = useState(filters.query);
  const settled = useDebounced(text, 250);

  // Typed words reach the URL (and the query) once typing pauses; a URL changed otherwise (the
  // Marketplace link, back and forward) puts its words in the box.
  const lastSettled = useRef(settled);
  useEffect(() => {
    if (lastSettled.current === settled) return;
    lastSettled.current = settled;
    if (settled.trim() !== filters.query)
      navigate(`/${filtersToSearch({ ...filters, query: settled.trim() })}`, { replace: true });
  }, [settled, filters]);
  const urlQuery = filters.query;
  const lastUrlQuery = useRef(urlQuery);
  useEffect(() => {
    if (lastUrlQuery.current === urlQuery) return;
    lastUrlQuery.current = urlQuery;
    if (urlQuery !== text.trim()) setText(urlQuery);
  }, [urlQuery, text]);

  const change = (next: Filters) => navigate(`/${filtersToSearch(next)}`, { replace: true });
  const searching = Boolean(
    filters.query ||
      filters.category ||
      filters.tags.length ||
      filters.hook ||
      filters.permission ||
      filters.verifiedOnly,
  );
  const variables: MarketplaceSearchQueryVariables = {
    query: filters.query || undefined,
    category: filters.category || undefined,
    tags: filters.tags.length ? filters.tags : undefined,
    hook: filters.hook || undefined,
    permission: filters.permission || undefined,
    verifiedOnly: filters.verifiedOnly || undefined,
    sort: filters.sort || undefined,
    first: PAGE_SIZE,
  };

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Marketplace</h1>
      <search className="search-bar">
        <label htmlFor="search" className="visually-hidden">
          Search plugins
        </label>
        <input
          id="search"
          type="search"
          placeholder="Search plugins by name, tag, publisher…"
          value={text}
          onChange={(e) => setText(e.target.value)}
          autoComplete="off"
        />
      </search>
      {searching ? null : <FeaturedStrip />}
      <div className="market">
        <MarketplaceFilters filters={filters} onChange={change} />
        <ResultPages key={JSON.stringify(variables)} variables={variables} />
      </div>
    </section>
  );
}

function FeaturedStrip() {
  const [{ data, error }] = useQuery({ query: FeaturedPluginsDocument });
  const featured = data?.featuredPlugins.edges ?? [];
  if (error || !featured.length) return null;
  return (
    <section aria-labelledby="featured-title" className="featured">
      <h2 id="featured-title">Featured</h2>
      <ul className="featured-strip">
        {featured.map(({ node }) => (
          <li key={node.id}>
            <PluginCard plugin={node} />
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The search's pages, one query each: page n+1 starts after page n's end cursor. */
function ResultPages({ variables }: { variables: MarketplaceSearchQueryVariables }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [shown, setShown] = useState<Record<number, number>>({});
  const [next, setNext] = useState<string | null>(null);
  const total = Object.values(shown).reduce((a, b) => a + b, 0);
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className="results">
      <h2 id={headingId} className="visually-hidden">
        Results
      </h2>
      <p className="visually-hidden" role="status" aria-live="polite">
        {`${total} plugins shown`}
      </p>
      <ul className="card-grid">
        {cursors.map((after, i) => (
          <ResultPage
            key={after ?? 'first'}
            variables={{ ...variables, after }}
            first={i === 0}
            onLoaded={(count, endCursor) => {
              setShown((s) => (s[i] === count ? s : { ...s, [i]: count }));
              if (i === cursors.length - 1) setNext(endCursor);
            }}
          />
        ))}
      </ul>
      {next ? <MoreButton onMore={() => setCursors((c) => (c.includes(next) ? c : [...c, next]))} /> : null}
    </section>
  );
}

function ResultPage({
  variables,
  first,
  onLoaded,
}: {
  variables: MarketplaceSearchQueryVariables;
  first: boolean;
  onLoaded: (count: number, endCursor: string | null) => void;
}) {
  const [{ data, fetching, error }, refetch] = useQuery({ query: MarketplaceSearchDocument, variables });
  const edges = data?.plugins.edges;
  const pageInfo = data?.plugins.pageInfo;
  useEffect(() => {
    if (edges && pageInfo) onLoaded(edges.length, pageInfo.hasNextPage ? (pageInfo.endCursor ?? null) : null);
  }, [edges, pageInfo, onLoaded]);
  if (error && !data)
    return (
      <li className="wide">
        <ErrorMessage error={error} retry={() => refetch({ requestPolicy: 'network-only' })} />
      </li>
    );
  if (!edges)
    return fetching ? (
      <li className="wide">
        <Loading label="Loading plugins…" />
      </li>
    ) : null;
  if (first && edges.length === 0)
    return (
      <li className="wide">
        <Empty>No plugin matches this search. Try fewer words or filters.</Empty>
      </li>
    );
  return (
    <>
      {edges.map(({ node }) => (
        <li key={node.id}>
          <PluginCard plugin={node} />
        </li>
      ))}
    </>
  );
}

/** "Show more", pressed for you when it scrolls into view (infinite scroll that a keyboard can drive). */
function MoreButton({ onMore }: { onMore: () => void }) {
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const button = ref.current;
    if (!button || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) onMore();
    });
    observer.observe(button);
    return () => observer.disconnect();
  }, [onMore]);
  return (
    <p className="more">
      <button ref={ref} type="button" className="secondary" onClick={onMore}>
        Show more plugins
      </button>
    </p>
  );
}
