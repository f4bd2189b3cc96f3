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
 * module: 500 with `PLUGIN_INTEGRITY`, logged. A module whose every version was revoked with the
 * kill switch is no longer handed out: 410 with `PLUGIN_REVOKED` (the same bytes published again
 * as a live version are served again).
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
      const knex = em.getKnex();
      const [counts] = await em
        .getConnection()
        .execute<{ n: number | string; live: number | string | null }[]>(
          knex('plugin_versions')
            .count({ n: '*' })
            .select(knex.raw('sum(case when revoked_at is null then 1 else 0 end) as live'))
            .where('sha256', sha256),
        );
      const published = Number(counts?.n ?? 0);
      if (published > 0 && Number(counts?.live ?? 0) === 0) {
        return endResponse(
          fetchAPI.Response.json(
            { code: 'PLUGIN_REVOKED', message: 'every version with this module was revoked' },
            { status: 410 },
          ),
        );
      }
      let bytes: Uint8Array | null = null;
      try {
        bytes = published > 0 ? await getBlob(em, sha256) : null;
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
