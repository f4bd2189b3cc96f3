import { useTitle } from '../router.tsx';

/** Install or configure plugin `slug`: the form generated from its config schema, consent, priority (h/web-manage). */
export function InstallPage({ slug }: { slug: string }) {
  useTitle(`Install ${slug}`);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Install</h1>
      <p>Coming soon.</p>
    </section>
  );
}
