import { useId, useState } from 'react';
import { useQuery } from 'urql';
import { MarketplaceFacetsDocument, type PluginSort } from '../generated/graphql.ts';
import { HOOK_WORDS, permissionTitle } from './permissions.ts';

export interface Filters {
  query: string;
  category: string;
  tags: string[];
  hook: string;
  permission: string;
  verifiedOnly: boolean;
  sort: PluginSort | '';
}

const SORTS: { value: PluginSort | ''; label: string }[] = [
  { value: '', label: 'Best match' },
  { value: 'DOWNLOADS', label: 'Most downloaded' },
  { value: 'RATING', label: 'Highest rated' },
  { value: 'NEWEST', label: 'Newest' },
  { value: 'NAME', label: 'Name (A–Z)' },
];
const SORT_VALUES = new Set<string>(SORTS.map((s) => s.value));

/** The filters as the URL keeps them: `?q=…&category=…&tag=…&tag=…&hook=…&permission=…&verified=1&sort=…`. */
export function filtersFromSearch(search: URLSearchParams): Filters {
  const sort = search.get('sort') ?? '';
  return {
    query: (search.get('q') ?? '').trim(),
    category: search.get('category') ?? '',
    tags: search.getAll('tag'),
    hook: search.get('hook') ?? '',
    permission: search.get('permission') ?? '',
    verifiedOnly: search.get('verified') === '1',
    sort: SORT_VALUES.has(sort) ? (sort as PluginSort | '') : '',
  };
}

export function filtersToSearch(f: Filters): string {
  const params = new URLSearchParams();
  if (f.query) params.set('q', f.query);
  if (f.category) params.set('category', f.category);
  for (const tag of f.tags) params.append('tag', tag);
  if (f.hook) params.set('hook', f.hook);
  if (f.permission) params.set('permission', f.permission);
  if (f.verifiedOnly) params.set('verified', '1');
  if (f.sort) params.set('sort', f.sort);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Category, tags, hook, permission and verified filters, with the counts the API's facets give. */
export function MarketplaceFilters({ filters, onChange }: { filters: Filters; onChange: (next: Filters) => void }) {
  const id = useId();
  // Open beside the results on a wide screen; folded above them on a phone.
  const [open, setOpen] = useState(() => window.matchMedia('(min-width: 721px)').matches);
  const [{ data, error }] = useQuery({
    query: MarketplaceFacetsDocument,
    variables: {
      query: filters.query || undefined,
      category: filters.category || undefined,
      tags: filters.tags.length ? filters.tags : undefined,
      hook: filters.hook || undefined,
      permission: filters.permission || undefined,
      verifiedOnly: filters.verifiedOnly || undefined,
    },
  });
  const facets = data?.plugins.facets;
  const set = (patch: Partial<Filters>) => onChange({ ...filters, ...patch });
  const withSelected = (list: { name: string; count: number }[] | undefined, selected: string) =>
    list && selected && !list.some((f) => f.name === selected) ? [...list, { name: selected, count: 0 }] : (list ?? []);
  const tagList = [
    ...filters.tags.filter((t) => !facets?.tags.some((f) => f.name === t)).map((name) => ({ name, count: 0 })),
    ...(facets?.tags ?? []),
  ].slice(0, 16);
  const active = filters.category || filters.tags.length || filters.hook || filters.permission || filters.verifiedOnly;

  return (
    <aside className="filters" aria-label="Filters">
      <details open={open} onToggle={(e) => setOpen(e.currentTarget.open)} className="filters-box">
        <summary>Filters and sort</summary>
        <div className="stack">
          <label htmlFor={`${id}-sort`}>Sort by</label>
          <select
            id={`${id}-sort`}
            value={filters.sort}
            onChange={(e) => set({ sort: e.target.value as Filters['sort'] })}
          >
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>

          <label htmlFor={`${id}-category`}>Category</label>
          <select id={`${id}-category`} value={filters.category} onChange={(e) => set({ category: e.target.value })}>
            <option value="">All categories</option>
            {withSelected(facets?.categories, filters.category).map((f) => (
              <option key={f.name} value={f.name}>
                {`${f.name} (${f.count})`}
              </option>
            ))}
          </select>

          <label htmlFor={`${id}-hook`}>Runs on</label>
          <select id={`${id}-hook`} value={filters.hook} onChange={(e) => set({ hook: e.target.value })}>
            <option value="">Any hook</option>
            {withSelected(facets?.hooks, filters.hook).map((f) => (
              <option key={f.name} value={f.name}>
                {`${f.name}: ${HOOK_WORDS[f.name] ?? ''} (${f.count})`}
              </option>
            ))}
          </select>

          <label htmlFor={`${id}-permission`}>Asks for permission</label>
          <select
            id={`${id}-permission`}
            value={filters.permission}
            onChange={(e) => set({ permission: e.target.value })}
          >
            <option value="">Any permission</option>
            {withSelected(facets?.permissions, filters.permission).map((f) => (
              <option key={f.name} value={f.name}>
                {`${permissionTitle(f.name)} (${f.name}, ${f.count})`}
              </option>
            ))}
          </select>

          <div className="checkbox">
            <input
              id={`${id}-verified`}
              type="checkbox"
              checked={filters.verifiedOnly}
              onChange={(e) => set({ verifiedOnly: e.target.checked })}
            />
            <label htmlFor={`${id}-verified`}>Verified publishers only</label>
          </div>

          <fieldset className="tags">
            <legend>Tags</legend>
            {error ? <p className="muted">Tags could not be loaded.</p> : null}
            {tagList.map((f) => {
              const checked = filters.tags.includes(f.name);
              return (
                <div className="checkbox" key={f.name}>
                  <input
                    id={`${id}-tag-${f.name}`}
                    type="checkbox"
                    checked={checked}
                    onChange={() =>
                      set({ tags: checked ? filters.tags.filter((t) => t !== f.name) : [...filters.tags, f.name] })
                    }
                  />
                  <label htmlFor={`${id}-tag-${f.name}`}>{`${f.name} (${f.count})`}</label>
                </div>
              );
            })}
          </fieldset>
          {active ? (
            <button
              type="button"
              className="secondary"
              onClick={() =>
                onChange({ ...filters, category: '', tags: [], hook: '', permission: '', verifiedOnly: false })
              }
            >
              Clear filters
            </button>
          ) : null}
        </div>
      </details>
    </aside>
  );
}
