import { useTitle } from '../router.tsx';

/** The viewer's listings: publish, deprecate, yank, revoke (h/web-manage). */
export function PublisherPage() {
  useTitle('Publisher');
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Publisher</h1>
      <p>Coming soon.</p>
    </section>
  );
}
