import { useTitle } from '../router.tsx';

/** One plugin: description, versions, permissions, reviews. */
export function PluginPage({ slug: _slug }: { slug: string }) {
  useTitle('Plugin');
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Plugin</h1>
      <p>Coming soon.</p>
    </section>
  );
}
