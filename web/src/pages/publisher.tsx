import '../manage.css';
import { type DragEvent, useId, useState } from 'react';
import { type CombinedError, useMutation, useQuery } from 'urql';
import { ErrorMessage, Loading } from '../components/status.tsx';
import {
  CreateListingDocument,
  DeprecateVersionDocument,
  type PublishedVersionFragment,
  PublisherListingsDocument,
  PublishVersionDocument,
  RevokeVersionDocument,
  YankVersionDocument,
} from '../generated/graphql.ts';
import { useAuth } from '../graphql/auth.tsx';
import { codeOf, type Problem, problemList } from '../graphql/problem-list.ts';
import { Link, useTitle } from '../router.tsx';

/** plugin.json fields that describe the listing, not the version: the CLI leaves them out too. */
const LISTING_FIELDS = ['name', 'summary', 'description', 'category', 'tags', 'license', 'examples'];

interface Dropped {
  manifest: { file: string; json: Record<string, unknown> } | null;
  wasm: File | null;
  signature: { fingerprint: string; signature: string } | null;
  /** Files that are none of the three, or unreadable JSON. */
  rejected: string[];
}
const NOTHING: Dropped = { manifest: null, wasm: null, signature: null, rejected: [] };

/** Sorts dropped or chosen files into manifest, module and signature by name and content. */
async function sortFiles(files: readonly File[], into: Dropped): Promise<Dropped> {
  const next = { ...into, rejected: [] as string[] };
  for (const file of files) {
    if (file.name.endsWith('.wasm')) {
      next.wasm = file;
      continue;
    }
    if (!file.name.endsWith('.json')) {
      next.rejected.push(`${file.name}: not plugin.json, a .wasm module or a signature (.json)`);
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(await file.text());
    } catch (err) {
      next.rejected.push(`${file.name}: not valid JSON (${(err as Error).message})`);
      continue;
    }
    const record = (json ?? {}) as Record<string, unknown>;
    if (typeof record.fingerprint === 'string' && typeof record.signature === 'string')
      next.signature = { fingerprint: record.fingerprint, signature: record.signature };
    else if (typeof json === 'object' && json && !Array.isArray(json))
      next.manifest = { file: file.name, json: record };
    else next.rejected.push(`${file.name}: a JSON object was expected`);
  }
  return next;
}

/** The viewer's listings with their versions, and publishing a new version by upload. */
export function PublisherPage() {
  useTitle('Publisher');
  const { token } = useAuth();
  const [{ data, fetching, error }, refetch] = useQuery({ query: PublisherListingsDocument, pause: !token });
  if (!token)
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">Publisher</h1>
        <p>
          <Link to="/sign-in">Sign in</Link> with a publisher's token to publish plugins.
        </p>
      </section>
    );
  const listings = data?.viewer?.plugins.edges.map((e) => e.node) ?? [];
  return (
    <section aria-labelledby="page-title" className="stack">
      <h1 id="page-title">Publisher</h1>
      {fetching && !data ? <Loading /> : null}
      {error && !data ? <ErrorMessage error={error} retry={() => refetch({ requestPolicy: 'network-only' })} /> : null}
      {data?.viewer && data.viewer.role === 'MEMBER' ? (
        <p className="error" role="alert">
          Publishing needs a publisher account: ask an admin to make <code>@{data.viewer.handle}</code> a publisher.
        </p>
      ) : null}
      {data ? (
        <div className="columns">
          <PublishForm
            signaturesRequired={data.signaturesRequired}
            listings={listings.map((l) => l.slug)}
            onChanged={() => refetch({ requestPolicy: 'network-only' })}
          />
          <section className="stack" aria-labelledby="listings-title">
            <h2 id="listings-title">My listings</h2>
            {listings.length === 0 ? <p className="empty">No listings yet: publish a first version.</p> : null}
            {listings.map((listing) => (
              <article key={listing.id} className="panel stack listing" aria-labelledby={`listing-${listing.slug}`}>
                <h3 id={`listing-${listing.slug}`}>
                  <Link to={`/plugins/${listing.slug}`}>{listing.name}</Link>{' '}
                  <span className="muted">
                    {listing.slug}
                    {listing.latestVersion ? ` · latest ${listing.latestVersion.version}` : ''}
                  </span>
                </h3>
                <ul className="version-list" aria-label={`Versions of ${listing.slug}`}>
                  {listing.versions.edges.map(({ node }) => (
                    <VersionRow key={node.id} slug={listing.slug} version={node} />
                  ))}
                </ul>
              </article>
            ))}
          </section>
        </div>
      ) : null}
    </section>
  );
}

function PublishForm({
  signaturesRequired,
  listings,
  onChanged,
}: {
  signaturesRequired: boolean;
  listings: string[];
  onChanged: () => void;
}) {
  const id = useId();
  const [dropped, setDropped] = useState<Dropped>(NOTHING);
  const [over, setOver] = useState(false);
  const [fingerprint, setFingerprint] = useState('');
  const [signature, setSignature] = useState('');
  const [created, createListing] = useMutation(CreateListingDocument);
  const [published, publish] = useMutation(PublishVersionDocument);
  const [report, setReport] = useState<{ problems: Problem[]; error: CombinedError } | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const take = async (files: readonly File[]) => {
    const next = await sortFiles(files, dropped);
    setDropped(next);
    if (next.signature) {
      setFingerprint(next.signature.fingerprint);
      setSignature(next.signature.signature);
    }
    setReport(null);
    setDone(null);
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    void take([...event.dataTransfer.files]);
  };

  const manifest = dropped.manifest?.json;
  const slug = typeof manifest?.slug === 'string' ? manifest.slug : '';
  const version = typeof manifest?.version === 'string' ? manifest.version : '';
  const busy = created.fetching || published.fetching;

  const submit = async () => {
    if (!manifest || !dropped.wasm) return;
    setReport(null);
    setDone(null);
    if (slug && !listings.includes(slug)) {
      // A first version: make the listing from plugin.json as `plugboard plugin publish` does.
      const listing = await createListing({
        input: {
          slug,
          name: String(manifest.name ?? slug),
          summary: String(manifest.summary ?? ''),
          category: String(manifest.category ?? 'other'),
          ...(typeof manifest.description === 'string' ? { description: manifest.description } : {}),
          ...(Array.isArray(manifest.tags) ? { tags: manifest.tags.map(String) } : {}),
          ...(typeof manifest.license === 'string' ? { license: manifest.license } : {}),
        },
      });
      if (listing.error) {
        setReport({ problems: problemList(listing.error), error: listing.error });
        return;
      }
      onChanged();
    }
    const contract = Object.fromEntries(Object.entries(manifest).filter(([k]) => !LISTING_FIELDS.includes(k)));
    const result = await publish({
      input: {
        slug,
        manifest: contract,
        wasm: dropped.wasm,
        ...(fingerprint || signature
          ? { signature: { fingerprint: fingerprint.trim(), signature: signature.trim() } }
          : {}),
      },
    });
    if (result.error) setReport({ problems: problemList(result.error), error: result.error });
    else {
      setDone(`${slug} ${result.data?.publishPluginVersion.version.version ?? version}`);
      setDropped(NOTHING);
      onChanged();
    }
  };

  return (
    <form
      className="panel stack publish-form"
      aria-labelledby={`${id}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2 id={`${id}-title`}>Publish a version</h2>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: dropping is a pointer shortcut; the file input inside is the keyboard way */}
      <div
        className={`dropzone${over ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <p>
          Drop <code>plugin.json</code> and the <code>.wasm</code> module here
          {signaturesRequired ? ', with the signature file' : ''}, or
        </p>
        <label htmlFor={`${id}-files`} className="button secondary">
          Choose files
        </label>
        <input
          id={`${id}-files`}
          className="visually-hidden"
          type="file"
          multiple
          accept=".json,.wasm,application/json,application/wasm"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            void take(files);
          }}
        />
      </div>
      <ul className="files" aria-label="Files to upload">
        <li>
          Manifest:{' '}
          {dropped.manifest ? (
            <strong>
              {dropped.manifest.file} ({slug || 'no slug'} {version})
            </strong>
          ) : (
            <span className="muted">none yet</span>
          )}
        </li>
        <li>
          Module:{' '}
          {dropped.wasm ? (
            <strong>
              {dropped.wasm.name} ({dropped.wasm.size.toLocaleString('en')} bytes)
            </strong>
          ) : (
            <span className="muted">none yet</span>
          )}
        </li>
      </ul>
      {dropped.rejected.length > 0 ? (
        <ul className="error" role="alert">
          {dropped.rejected.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      ) : null}
      <fieldset className="stack">
        <legend>Signature {signaturesRequired ? '(this server requires one)' : '(optional)'}</legend>
        <p className="help">
          A JSON file <code>{'{"fingerprint": …, "signature": …}'}</code> dropped above fills these in.
        </p>
        <div className="field">
          <label htmlFor={`${id}-fingerprint`}>Key fingerprint</label>
          <input
            id={`${id}-fingerprint`}
            value={fingerprint}
            spellCheck={false}
            onChange={(e) => setFingerprint(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-signature`}>Signature (base64)</label>
          <input
            id={`${id}-signature`}
            value={signature}
            spellCheck={false}
            onChange={(e) => setSignature(e.target.value)}
          />
        </div>
      </fieldset>
      <div className="row">
        <button type="submit" className="button" disabled={busy || !dropped.manifest || !dropped.wasm}>
          {busy ? 'Publishing…' : slug ? `Publish ${slug} ${version}` : 'Publish'}
        </button>
      </div>
      {busy ? <Loading label="Uploading and validating…" /> : null}
      {done ? (
        <p role="status" className="ok">
          Published {done}.
        </p>
      ) : null}
      {report ? <ValidationReport {...report} /> : null}
    </form>
  );
}

/** The refusal, problem by problem, each with where it is and its stable code. */
function ValidationReport({ problems, error }: { problems: Problem[]; error: CombinedError }) {
  if (problems.length === 0) return <ErrorMessage error={error} />;
  return (
    <section className="error stack" role="alert" aria-labelledby="report-title">
      <h3 id="report-title">
        Refused: {problems.length} problem{problems.length === 1 ? '' : 's'}{' '}
        <code className="error-code">{codeOf(error)}</code>
      </h3>
      <table className="report">
        <thead>
          <tr>
            <th scope="col">Where</th>
            <th scope="col">Problem</th>
            <th scope="col">Code</th>
          </tr>
        </thead>
        <tbody>
          {problems.map((p, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the report is replaced whole, never reordered
            <tr key={i}>
              <td>
                <code>{p.field ?? '–'}</code>
              </td>
              <td>{p.message}</td>
              <td>
                <code>{p.code}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function VersionRow({ slug, version }: { slug: string; version: PublishedVersionFragment }) {
  const id = useId();
  const [deprecation, deprecate] = useMutation(DeprecateVersionDocument);
  const [yank, setYanked] = useMutation(YankVersionDocument);
  const [revocation, revoke] = useMutation(RevokeVersionDocument);
  const [asking, setAsking] = useState<'deprecate' | 'revoke' | null>(null);
  const [reason, setReason] = useState('');
  const error = deprecation.error ?? yank.error ?? revocation.error;
  const busy = deprecation.fetching || yank.fetching || revocation.fetching;
  const vars = { slug, version: version.version };
  return (
    <li className="stack version-row">
      <div className="row">
        <strong>{version.version}</strong>
        {version.prerelease ? <span className="badge warn">prerelease</span> : null}
        {version.deprecated ? <span className="badge warn">deprecated</span> : null}
        {version.yanked ? <span className="badge warn">yanked</span> : null}
        {version.revoked ? <span className="badge bad">revoked</span> : null}
        {version.signature ? (
          <span className={`badge ${version.signature.verified ? 'ok' : 'bad'}`}>
            {version.signature.verified ? 'signed' : 'signature not verified'}
          </span>
        ) : null}
        <span className="muted">
          <time dateTime={version.publishedAt}>{new Date(version.publishedAt).toLocaleDateString()}</time>
        </span>
      </div>
      {version.deprecationReason ? <p className="muted">Deprecated: {version.deprecationReason}</p> : null}
      {version.revocationReason ? <p className="muted">Revoked: {version.revocationReason}</p> : null}
      {version.revoked ? null : (
        <div className="row actions">
          {version.deprecated ? (
            <button
              type="button"
              className="button secondary"
              disabled={busy}
              onClick={() => void deprecate({ ...vars, reason: null })}
            >
              Undeprecate
            </button>
          ) : (
            <button type="button" className="button secondary" disabled={busy} onClick={() => setAsking('deprecate')}>
              Deprecate…
            </button>
          )}
          <button
            type="button"
            className="button secondary"
            disabled={busy}
            onClick={() => void setYanked({ ...vars, yanked: !version.yanked })}
          >
            {version.yanked ? 'Unyank' : 'Yank'}
          </button>
          <button type="button" className="button danger" disabled={busy} onClick={() => setAsking('revoke')}>
            Revoke…
          </button>
        </div>
      )}
      {asking ? (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            const done = asking === 'deprecate' ? deprecate({ ...vars, reason }) : revoke({ ...vars, reason });
            void done.then((r) => {
              if (!r.error) {
                setAsking(null);
                setReason('');
              }
            });
          }}
        >
          <div className="field">
            <label htmlFor={`${id}-reason`}>
              {asking === 'deprecate'
                ? `Why is ${version.version} deprecated?`
                : `Why revoke ${version.version}? Every installation of it stops running, for good.`}
            </label>
            <input
              id={`${id}-reason`}
              required
              maxLength={500}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
          </div>
          <div className="row">
            <button type="submit" className={`button ${asking === 'revoke' ? 'danger' : ''}`} disabled={busy}>
              {asking === 'deprecate' ? 'Deprecate' : 'Revoke for good'}
            </button>
            <button type="button" className="button secondary" onClick={() => setAsking(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {error ? <ErrorMessage error={error} /> : null}
    </li>
  );
}
