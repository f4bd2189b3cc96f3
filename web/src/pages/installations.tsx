import { useTitle } from '../router.tsx';

/** The viewer's installations: enable, upgrade, roll back, uninstall (h/web-manage). */
export function InstallationsPage() {
  useTitle('My installations');
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">My installations</h1>
      <p>Coming soon.</p>
    </section>
  );
}
