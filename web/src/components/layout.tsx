import type { ReactNode } from 'react';
import { useAuth } from '../graphql/auth.tsx';
import { useViewer } from '../graphql/viewer.ts';
import { Link, useLocation } from '../router.tsx';

const NAV = [
  { to: '/', label: 'Marketplace', signedIn: false },
  { to: '/installations', label: 'My installations', signedIn: true },
  { to: '/executions', label: 'Executions', signedIn: true },
  { to: '/publisher', label: 'Publisher', signedIn: true },
];

function isCurrent(to: string, path: string) {
  return to === '/' ? path === '/' || path.startsWith('/plugins/') : path === to || path.startsWith(`${to}/`);
}

/** Header with navigation and the sign-in state, then the page. */
export function Layout({ children }: { children: ReactNode }) {
  const { token, signOut } = useAuth();
  const { viewer, error } = useViewer();
  const refused = error?.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
  const { path } = useLocation();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link to="/" className="brand">
          Plugboard
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((item) => !item.signedIn || token).map((item) => (
              <li key={item.to}>
                <Link to={item.to} aria-current={isCurrent(item.to, path) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          {token ? (
            <>
              <span className="who">{viewer ? `@${viewer.handle}` : ''}</span>
              <button type="button" onClick={signOut}>
                Sign out
              </button>
            </>
          ) : (
            <Link to="/sign-in" className="button">
              Sign in
            </Link>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {refused ? (
          <div className="notice warn" role="alert">
            Your token is no longer accepted (revoked or expired).{' '}
            <button type="button" className="secondary" onClick={signOut}>
              Sign out
            </button>
          </div>
        ) : null}
        {children}
      </main>
      <footer className="site-footer">
        <a href="/graphql">GraphiQL</a>
      </footer>
    </>
  );
}
