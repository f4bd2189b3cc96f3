import { useTitle } from '../router.tsx';

/** One installation: its history, circuit, config, and running its functions (h/web-manage). */
export function InstallationPage({ id: _id }: { id: string }) {
  useTitle('Installation');
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Installation</h1>
      <p>Coming soon.</p>
    </section>
  );
}
