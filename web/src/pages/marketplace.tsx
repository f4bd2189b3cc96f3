import { useTitle } from '../router.tsx';

/** Search and browse the marketplace. */
export function MarketplacePage() {
  useTitle('Marketplace');
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Marketplace</h1>
      <p>Coming soon.</p>
    </section>
  );
}
