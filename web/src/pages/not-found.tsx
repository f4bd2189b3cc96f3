import { Link, useTitle } from '../router.tsx';

export function NotFoundPage() {
  useTitle('Not found');
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Page not found</h1>
      <p>
        Nothing lives at this address. <Link to="/">Back to the marketplace</Link>
      </p>
    </section>
  );
}
