import type { CombinedError } from 'urql';

/** A polite loading line for screen readers and eyes. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="status" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

/** The message and code of a failed request, with a retry button when given one. */
export function ErrorMessage({ error, retry }: { error: CombinedError | Error; retry?: () => void }) {
  const graphQLErrors = 'graphQLErrors' in error ? error.graphQLErrors : [];
  const first = graphQLErrors[0];
  const code = first?.extensions?.code;
  const message =
    first?.message ??
    ('networkError' in error && error.networkError ? 'The server could not be reached.' : error.message);
  return (
    <div className="error" role="alert">
      <p>
        {message}
        {typeof code === 'string' ? <code className="error-code">{code}</code> : null}
      </p>
      {retry ? (
        <button type="button" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <p className="empty">{children}</p>;
}
