import { useTitle } from '../router.tsx';

/** Live executions of the viewer's installations and their clips (h/web-manage). */
export function ExecutionsPage() {
  useTitle('Executions');
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Executions</h1>
      <p>Coming soon.</p>
    </section>
  );
}
