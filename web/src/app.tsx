import { lazy, type ReactNode, Suspense, useEffect, useRef } from 'react';
import { Layout } from './components/layout.tsx';
import { Loading } from './components/status.tsx';
import { MarketplacePage } from './pages/marketplace.tsx';
import { NotFoundPage } from './pages/not-found.tsx';
import { PluginPage } from './pages/plugin.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { matchPath, useLocation } from './router.tsx';

type Params = Record<string, string>;

// Pages for signed-in work load on first visit: the config form (rjsf) and the chart (uPlot) stay
// out of the marketplace's first download.
const InstallPage = lazy(() => import('./pages/install.tsx').then((m) => ({ default: m.InstallPage })));
const InstallationsPage = lazy(() =>
  import('./pages/installations.tsx').then((m) => ({ default: m.InstallationsPage })),
);
const InstallationPage = lazy(() => import('./pages/installation.tsx').then((m) => ({ default: m.InstallationPage })));
const ExecutionsPage = lazy(() => import('./pages/executions.tsx').then((m) => ({ default: m.ExecutionsPage })));
const PublisherPage = lazy(() => import('./pages/publisher.tsx').then((m) => ({ default: m.PublisherPage })));

/** Every client route; the server answers each with index.html. */
const ROUTES: { path: string; render: (params: Params) => ReactNode }[] = [
  { path: '/', render: () => <MarketplacePage /> },
  { path: '/sign-in', render: () => <SignInPage /> },
  { path: '/plugins/:slug', render: (p) => <PluginPage key={p.slug} slug={p.slug} /> },
  { path: '/plugins/:slug/install', render: (p) => <InstallPage key={p.slug} slug={p.slug} /> },
  { path: '/installations', render: () => <InstallationsPage /> },
  { path: '/installations/:id', render: (p) => <InstallationPage key={p.id} id={p.id} /> },
  { path: '/executions', render: () => <ExecutionsPage /> },
  { path: '/publisher', render: () => <PublisherPage /> },
];

export function App() {
  const { path } = useLocation();
  // A new page (not a new query string) moves focus and scroll to its content, as a page load would,
  // so keyboard and screen reader users start at the top of what changed.
  const shown = useRef(path);
  useEffect(() => {
    if (shown.current === path) return;
    shown.current = path;
    window.scrollTo(0, 0);
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [path]);
  let page: ReactNode = <NotFoundPage />;
  for (const route of ROUTES) {
    const params = matchPath(route.path, path);
    if (params) {
      page = route.render(params);
      break;
    }
  }
  return (
    <Layout>
      <Suspense fallback={<Loading />}>{page}</Suspense>
    </Layout>
  );
}
