import type { HttpErrorCode, HttpInbound, HttpResponder } from '../../src/runtime/index.ts';

/** A request as the harness shows it to a mock. */
export interface MockedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The body decoded as UTF-8 ('' when none). */
  body: string;
  bodyBytes: Uint8Array | null;
}

/**
 * A mocked answer: a response (status 200, no headers and an empty body unless given; an
 * object body is sent as JSON), or a host-side failure the plugin sees as status 0.
 */
export type MockResponse =
  | { status?: number; headers?: Record<string, string>; body?: string | Uint8Array | object }
  | { error: HttpErrorCode; message?: string };

/** Responses in the order the plugin asks, or a function of each request. */
export type HttpMock = MockResponse[] | ((req: MockedRequest, index: number) => MockResponse);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const noResponse = (method: string, url: string, why: string): HttpInbound => ({
  status: 0,
  headers: {},
  body: new Uint8Array(0),
  redirects: 0,
  error: { code: 'HTTP_NO_RESPONSE', message: `${method} ${url}: ${why}` },
});

/**
 * Turns a mock into the runtime's responder: the plugin's request still goes through the
 * platform's checks (shape, granted host, per-call count, sizes); only the network is replaced.
 */
export function mockResponder(mock: HttpMock | undefined): HttpResponder {
  return (req, { index }) => {
    if (!mock) return noResponse(req.method, req.url, 'the harness has no HTTP mock; pass `http` in the call options');
    const shown: MockedRequest = {
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: req.body ? decoder.decode(req.body) : '',
      bodyBytes: req.body,
    };
    const answer = Array.isArray(mock) ? mock[index] : mock(shown, index);
    if (!answer) return noResponse(req.method, req.url, `no mocked response #${index + 1}`);
    if ('error' in answer)
      return {
        status: 0,
        headers: {},
        body: new Uint8Array(0),
        redirects: 0,
        error: { code: answer.error, message: answer.message ?? `mocked ${answer.error}` },
      };
    const { status = 200, headers = {}, body = '' } = answer;
    const bytes =
      body instanceof Uint8Array ? body : encoder.encode(typeof body === 'string' ? body : JSON.stringify(body));
    return { status, headers, body: bytes, redirects: 0, error: null };
  };
}
