/** A GraphQL error as the server reports it; validation problems ride in `extensions.problems`. */
export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; problems?: { code: string; message: string }[] } & Record<string, unknown>;
}

export class ServerError extends Error {
  readonly code = 'SERVER_ERROR';
}

export interface ServerOptions {
  server: string;
  token: string;
}

export interface GraphQLResponse<T> {
  data: T | null;
  errors: GraphQLErrorShape[];
}

function endpoint(server: string, pathname: string): string {
  return new URL(pathname, server.endsWith('/') ? server : `${server}/`).toString();
}

async function send<T>(url: string, init: RequestInit): Promise<GraphQLResponse<T>> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    throw new ServerError(
      `cannot reach ${url}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`,
    );
  }
  const text = await res.text();
  let body: { data?: T | null; errors?: GraphQLErrorShape[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new ServerError(`${url} answered ${res.status} with a non-GraphQL body: ${text.slice(0, 200)}`);
  }
  if (body.data === undefined && !body.errors?.length)
    throw new ServerError(`${url} answered ${res.status} without data or errors`);
  return { data: body.data ?? null, errors: body.errors ?? [] };
}

function headers({ token }: ServerOptions): Record<string, string> {
  // The CSRF header lets the request through yoga's CSRF prevention when it is enabled.
  return { authorization: `Bearer ${token}`, 'x-graphql-yoga-csrf': 'plugboard-cli' };
}

export function graphql<T>(
  opts: ServerOptions,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResponse<T>> {
  return send<T>(endpoint(opts.server, 'graphql'), {
    method: 'POST',
    headers: { ...headers(opts), 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
}

/**
 * A request following the GraphQL multipart request spec: `operations`, `map`, then one part
 * per file. `files` maps a variables path (e.g. `variables.input.wasm`) to the bytes.
 */
export function graphqlMultipart<T>(
  opts: ServerOptions,
  query: string,
  variables: Record<string, unknown>,
  files: Record<string, { bytes: Uint8Array; name: string; type: string }>,
): Promise<GraphQLResponse<T>> {
  const form = new FormData();
  form.set('operations', JSON.stringify({ query, variables }));
  const entries = Object.entries(files);
  form.set('map', JSON.stringify(Object.fromEntries(entries.map(([p], i) => [String(i), [p]]))));
  for (const [i, [, f]] of entries.entries())
    form.set(String(i), new Blob([f.bytes as Uint8Array<ArrayBuffer>], { type: f.type }), f.name);
  return send<T>(endpoint(opts.server, 'graphql'), { method: 'POST', headers: headers(opts), body: form });
}

/** Fetches raw bytes from a server path with the same credentials. */
export async function download(opts: ServerOptions, pathname: string): Promise<Uint8Array> {
  const url = endpoint(opts.server, pathname);
  let res: Response;
  try {
    res = await fetch(url, { headers: headers(opts) });
  } catch (err) {
    throw new ServerError(`cannot reach ${url}: ${(err as Error).message}`);
  }
  if (!res.ok) {
    // The server explains refusals such as PLUGIN_REVOKED or PLUGIN_INTEGRITY in a JSON body.
    const body = res.headers.get('content-type')?.includes('json')
      ? ((await res.json().catch(() => null)) as { code?: string; message?: string } | null)
      : null;
    const why = body?.code ? `: ${body.code}${body.message ? ` (${body.message})` : ''}` : '';
    throw new ServerError(`GET ${url} answered ${res.status}${why}`);
  }
  return new Uint8Array(await res.arrayBuffer());
}

/** One line per error, with every validation problem the server listed. */
export function describeErrors(errors: GraphQLErrorShape[]): string[] {
  const lines: string[] = [];
  for (const e of errors) {
    lines.push(e.extensions?.code ? `${e.extensions.code}: ${e.message}` : e.message);
    for (const p of e.extensions?.problems ?? []) lines.push(`  ✗ ${p.code}: ${p.message}`);
  }
  return lines;
}
