import type { CallContext } from '@extism/extism';
import { hostGranted, httpPatterns } from '../http/host-pattern.ts';
import {
  HTTP_RECORDED_BODY_BYTES,
  HTTP_RECORDED_BYTES_PER_CALL,
  MAX_HTTP_REQUEST_BYTES,
  MAX_HTTP_REQUESTS_PER_CALL,
  MAX_HTTP_RESPONSE_BYTES,
} from '../http/limits.ts';
import type { HttpErrorCode, HttpInbound, HttpOutbound, HttpResponder } from '../types.ts';
import { readBytes, readJsonObject, store } from './blocks.ts';
import type { CallState } from './call-state.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

class Refused extends Error {
  constructor(
    readonly code: HttpErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function parseRequest(value: Record<string, unknown>, body: Uint8Array | null): HttpOutbound {
  const invalid = (why: string) => new Refused('HTTP_INVALID_REQUEST', why);
  if (typeof value.url !== 'string') throw invalid('the request has no "url" string');
  let url: URL;
  try {
    url = new URL(value.url);
  } catch {
    throw invalid(`"${value.url.slice(0, 200)}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`${url.protocol} URLs are not supported`);
  if (url.username || url.password) throw invalid('credentials in the URL are not supported; send a header');
  const method = value.method === undefined || value.method === null ? 'GET' : value.method;
  if (typeof method !== 'string' || !METHODS.has(method.toUpperCase()))
    throw invalid(`method must be one of ${[...METHODS].join(', ')}`);
  // The Extism JS SDK also reads `header`.
  const raw = value.headers ?? value.header ?? {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalid('"headers" must be an object');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!TOKEN.test(k) || typeof v !== 'string' || !VALUE.test(v))
      throw invalid(`header "${k.slice(0, 100)}" is not valid`);
    headers[k] = v;
  }
  const upper = method.toUpperCase();
  const sent = upper === 'GET' || upper === 'HEAD' ? null : body;
  if (sent && sent.length > MAX_HTTP_REQUEST_BYTES)
    throw new Refused(
      'HTTP_REQUEST_TOO_LARGE',
      `the request body of ${sent.length} bytes passes ${MAX_HTTP_REQUEST_BYTES}`,
    );
  return { method: upper, url: url.href, headers, body: sent };
}

const encoder = new TextEncoder();

/**
 * The Extism kernel's `http_request`, `http_status_code` and `http_headers`, linked only when
 * the installation granted an `http:` permission. The request is checked here (shape, grant of
 * the first host, per-call count, body size, time left) and performed by `responder`, which
 * checks every hop's host and address; the outcome is recorded on the call.
 */
export function httpHostFunctions(grants: readonly string[], current: () => CallState, responder: () => HttpResponder) {
  const patterns = httpPatterns(grants);
  return {
    http_request: (ctx: CallContext, reqAddr: bigint, bodyAddr: bigint): bigint => {
      const state = current();
      const started = performance.now();
      let req: HttpOutbound | null = null;
      let res: HttpInbound;
      try {
        const parsed = readJsonObject(ctx, reqAddr);
        if (!parsed) throw new Refused('HTTP_INVALID_REQUEST', 'the request is not a JSON object');
        req = parseRequest(parsed.value, bodyAddr === 0n ? null : readBytes(ctx, bodyAddr));
        const host = new URL(req.url).hostname;
        if (!hostGranted(host, patterns))
          throw new Refused('HTTP_HOST_NOT_GRANTED', `no granted http: permission matches host "${host}"`);
        if (state.httpExchanges.length >= MAX_HTTP_REQUESTS_PER_CALL)
          throw new Refused('HTTP_TOO_MANY_REQUESTS', `a call may make at most ${MAX_HTTP_REQUESTS_PER_CALL} requests`);
        const left = state.limits.timeoutMs - (started - state.started);
        if (left <= 0) {
          state.deadlinePassed = true;
          throw new Refused('HTTP_TIMEOUT', "the call's deadline passed");
        }
        res = responder()(req, {
          patterns,
          timeoutMs: left,
          maxResponseBytes: MAX_HTTP_RESPONSE_BYTES,
          index: state.httpExchanges.length,
        });
        // A mocked timeout is just an answer; a real one means the call is out of time.
        if (res.error?.code === 'HTTP_TIMEOUT' && performance.now() - state.started >= state.limits.timeoutMs)
          state.deadlinePassed = true;
      } catch (err) {
        const error =
          err instanceof Refused
            ? { code: err.code, message: err.message }
            : { code: 'HTTP_FAILED' as const, message: (err as Error).message };
        res = { status: 0, headers: {}, body: new Uint8Array(0), redirects: 0, error };
      }
      const body = res.error ? encoder.encode(JSON.stringify({ error: res.error })) : res.body;
      record(state, req, res, performance.now() - started);
      state.httpStatus = res.status;
      state.httpHeaders = res.error ? null : res.headers;
      return store(ctx, state, body);
    },
    http_status_code: (): number => current().httpStatus,
    http_headers: (ctx: CallContext): bigint => {
      const state = current();
      return state.httpHeaders ? store(ctx, state, JSON.stringify(state.httpHeaders)) : 0n;
    },
  };
}

function record(state: CallState, req: HttpOutbound | null, res: HttpInbound, durationMs: number): void {
  const room = Math.max(0, Math.min(HTTP_RECORDED_BODY_BYTES, HTTP_RECORDED_BYTES_PER_CALL - state.httpRecordedBytes));
  const kept = res.error ? null : res.body.length <= room ? res.body : res.body.slice(0, room);
  state.httpRecordedBytes += kept?.length ?? 0;
  const exchange = {
    method: req?.method ?? '',
    url: req?.url ?? '',
    status: res.status,
    requestBytes: req?.body?.length ?? 0,
    responseBytes: res.body.length,
    durationMs,
    redirects: res.redirects,
    error: res.error,
    responseHeaders: res.error ? {} : res.headers,
    responseBody: kept,
    responseBodyTruncated: kept !== null && kept.length < res.body.length,
  };
  state.httpExchanges.push(exchange);
  try {
    state.onHttp?.(exchange);
  } catch {
    // Streaming the record is best effort; the call's own record is complete.
  }
}
