import { apiError } from './errors.ts';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Config } from '../config.ts';
import type { Platform } from '../services/platform/index.ts';
import { createLoaders, type Loaders } from '../services/read/index.ts';
import type { TokenUsage } from '../services/api-tokens.ts';
import { bearerToken, type TokenCache, type Viewer } from '../services/users.ts';

/** Long-lived parts of the server, shared by every request. */
export interface App {
  config: Config;
  /** The one dependency object every use case takes: database, events, logger, plugin runtime. */
  platform: Platform;
  /** Bearer token → viewer, per instance; `tokens.invalidate` when tokens or users change. */
  tokens: TokenCache;
  /** Records tokens' last use, batched and off the request path. */
  tokenUsage: TokenUsage;
}

/** One per operation, built by `createContext` for HTTP, SSE and WebSocket alike. */
export interface Context {
  readonly app: App;
  readonly em: SqlEntityManager;
  /** The signed-in user, with the token used (`viewer.token`: its id, scopes and expiry). */
  readonly viewer: Viewer | null;
  readonly loaders: Loaders;
}

export async function createContext(app: App, authorization: string | null | undefined): Promise<Context> {
  const em = app.platform.db.fork();
  const token = bearerToken(authorization);
  const viewer = token ? await app.tokens.authenticate(em, token) : null;
  if (token && !viewer) {
    throw apiError('UNAUTHENTICATED', 'The API token is not valid (unknown, revoked or expired)', {
      extensions: { http: { status: 401 } },
    });
  }
  if (viewer?.token) app.tokenUsage.touch(viewer.token.id);
  return { app, em, viewer, loaders: createLoaders(em) };
}
