import type { Plugin } from 'graphql-yoga';
import type { Database } from '../../db/orm.ts';
import { getBlob } from '../../services/platform/index.ts';

/** `GET /wasm/{sha256}`: the module of a published version as uploaded (for `plugboard plugin replay`). */
export function useWasmDownloads(db: Database): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const match = /^\/wasm\/([0-9a-f]{64})$/.exec(url.pathname);
      if (!match) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return endResponse(
          new fetchAPI.Response('Method Not Allowed', { status: 405, headers: { allow: 'GET, HEAD' } }),
        );
      }
      const em = db.fork();
      const published = await em
        .getConnection()
        .execute<{ n: number | string }[]>(em.getKnex()('plugin_versions').count({ n: '*' }).where('sha256', match[1]));
      const bytes = Number(published[0]?.n ?? 0) > 0 ? await getBlob(em, match[1]).catch(() => null) : null;
      if (!bytes) return endResponse(new fetchAPI.Response('Not Found', { status: 404 }));
      endResponse(
        new fetchAPI.Response(bytes as Uint8Array<ArrayBuffer>, {
          headers: {
            'content-type': 'application/wasm',
            'cache-control': 'public, max-age=31536000, immutable',
            etag: `"${match[1]}"`,
          },
        }),
      );
    },
  };
}
