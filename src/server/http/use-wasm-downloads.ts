import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Database } from '../../db/orm.ts';
import { BlobIntegrityError, getBlob } from '../../services/platform/index.ts';

export interface WasmDownloadsOptions {
  db: Database;
  logger: Logger;
}

/**
 * `GET /wasm/{sha256}`: the module of a published version as uploaded (for `plugboard plugin
 * replay`). Stored bytes that no longer match their hash are a server fault, not a missing
 * module: 500 with `PLUGIN_INTEGRITY`, logged.
 */
export function useWasmDownloads({ db, logger }: WasmDownloadsOptions): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const match = /^\/wasm\/([0-9a-f]{64})$/.exec(url.pathname);
      if (!match) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return endResponse(
          new fetchAPI.Response('Method Not Allowed', { status: 405, headers: { allow: 'GET, HEAD' } }),
        );
      }
      const sha256 = match[1];
      const em = db.fork();
      const published = await em
        .getConnection()
        .execute<{ n: number | string }[]>(em.getKnex()('plugin_versions').count({ n: '*' }).where('sha256', sha256));
      let bytes: Uint8Array | null = null;
      try {
        bytes = Number(published[0]?.n ?? 0) > 0 ? await getBlob(em, sha256) : null;
      } catch (err) {
        if (!(err instanceof BlobIntegrityError)) throw err;
        logger.error({ err, sha256 }, 'a stored module failed its integrity check');
        return endResponse(fetchAPI.Response.json({ code: err.code, message: err.message }, { status: 500 }));
      }
      if (!bytes) return endResponse(new fetchAPI.Response('Not Found', { status: 404 }));
      endResponse(
        new fetchAPI.Response(bytes as Uint8Array<ArrayBuffer>, {
          headers: {
            'content-type': 'application/wasm',
            'cache-control': 'public, max-age=31536000, immutable',
            etag: `"${sha256}"`,
          },
        }),
      );
    },
  };
}
