import { type FormEvent, useState } from 'react';
import { useAuth } from '../graphql/auth.tsx';
import { navigate, useLocation, useTitle } from '../router.tsx';

/** Paste an API token (the one `npm start` prints for `demo`, or `plugboard tokens create`). */
export function SignInPage() {
  useTitle('Sign in');
  const { signIn } = useAuth();
  const { search } = useLocation();
  const [token, setToken] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!token.trim()) return;
    signIn(token);
    const next = search.get('next');
    navigate(next?.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
  };
  return (
    <section aria-labelledby="page-title" className="narrow">
      <h1 id="page-title">Sign in</h1>
      <form onSubmit={submit} className="stack">
        <label htmlFor="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-describedby="token-help"
          required
        />
        <p id="token-help" className="help">
          The token <code>npm start</code> prints for the demo user, or one from <code>plugboard tokens create</code>.
          It stays in this browser.
        </p>
        <button type="submit">Sign in</button>
      </form>
    </section>
  );
}
