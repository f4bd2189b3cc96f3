import { type FormEvent, useState } from 'react';
import { useClient } from 'urql';
import { FieldProblems } from '../components/problem-list.tsx';
import { ViewerDocument } from '../generated/graphql.ts';
import { useAuth } from '../graphql/auth.tsx';
import { navigate, useLocation, useTitle } from '../router.tsx';

/**
 * Paste an API token (the one `npm start` prints for `demo`, or `plugboard tokens create`). It is
 * tried once before it is kept, so a mistyped token is refused here, not on every page after.
 */
export function SignInPage() {
  useTitle('Sign in');
  const { signIn } = useAuth();
  const client = useClient();
  const { search } = useLocation();
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = token.trim().replace(/^Bearer\s+/i, '');
    if (!value) {
      setProblem('Paste a token first.');
      return;
    }
    setChecking(true);
    const result = await client
      .query(
        ViewerDocument,
        {},
        { requestPolicy: 'network-only', fetchOptions: { headers: { authorization: `Bearer ${value}` } } },
      )
      .toPromise();
    setChecking(false);
    if (!result.data?.viewer) {
      setProblem(
        result.error?.graphQLErrors[0]?.message ??
          (result.error ? 'The server could not be reached.' : 'This token was not accepted.'),
      );
      return;
    }
    signIn(value);
    const next = search.get('next');
    navigate(next?.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
  };
  return (
    <section aria-labelledby="page-title" className="narrow">
      <h1 id="page-title">Sign in</h1>
      <form onSubmit={submit} className="stack" noValidate>
        <label htmlFor="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? 'token-problem token-help' : 'token-help'}
        />
        <FieldProblems id="token-problem" messages={problem ? [problem] : undefined} />
        <p id="token-help" className="help">
          The token <code>npm start</code> prints for the demo user, or one from <code>plugboard tokens create</code>.
          It stays in this browser until you sign out.
        </p>
        <button type="submit" disabled={checking}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
