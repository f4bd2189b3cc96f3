// Outbound HTTP (permission `http:<host>`, e.g. `http:api.example.com` or `http:*.example.com`).
// The host performs the request through the Extism kernel's own HTTP functions, so the plugin
// never touches the network; only hosts the installation granted are reachable, and every
// redirect is checked again. Failures the host decides come back as status 0 with `error` set.
import { free } from '@extism/as-pdk/lib/env';
import { kernel_http_headers, kernel_http_request, kernel_http_status_code } from './host';
import { loadBytes, release, storeBytes, storeString } from './memory';
import { Value, object, str, stringify } from './json-value';
import { parse } from './json-read';

export namespace http {
  /** An outbound request; build one with `new http.Request(url)` and chain `method`, `header`, `body`. */
  export class Request {
    /** @default "GET" */
    methodName: string = 'GET';
    headers: Map<string, string> = new Map<string, string>();
    /** @default null (no body; GET and HEAD never send one) */
    bodyBytes: Uint8Array | null = null;

    constructor(public url: string) {}

    method(name: string): Request {
      this.methodName = name;
      return this;
    }
    header(name: string, value: string): Request {
      this.headers.set(name, value);
      return this;
    }
    body(bytes: Uint8Array): Request {
      this.bodyBytes = bytes;
      return this;
    }
    /** The body as UTF-8 text. */
    text(body: string): Request {
      return this.body(Uint8Array.wrap(String.UTF8.encode(body)));
    }
    /** The body as JSON, with `content-type: application/json` unless a content type is set. */
    json(body: Value): Request {
      if (!this.headers.has('content-type')) this.headers.set('content-type', 'application/json');
      return this.text(stringify(body));
    }
  }

  export class Response {
    constructor(
      /** The HTTP status; 0 when the host refused or failed the request (see `errorCode`). */
      public status: i32,
      /** Response headers, names in lower case. */
      public headers: Map<string, string>,
      public bytes: Uint8Array,
      /** HTTP_HOST_NOT_GRANTED, HTTP_ADDRESS_REFUSED, HTTP_TIMEOUT, ... ('' when the request was performed). */
      public errorCode: string,
      public errorMessage: string,
    ) {}

    /** A 2xx status. */
    get ok(): bool {
      return this.status >= 200 && this.status < 300;
    }
    /** The body decoded as UTF-8. */
    text(): string {
      return String.UTF8.decode(this.bytes.buffer);
    }
    /** The body parsed as JSON; null when it is not JSON. */
    json(): Value | null {
      return parse(this.text());
    }
    /** A header by name (any case), or null. */
    header(name: string): string | null {
      const key = name.toLowerCase();
      return this.headers.has(key) ? this.headers.get(key) : null;
    }
  }

  /** Performs `req` and returns the response (never aborts: check `status` or `ok`). */
  export function request(req: Request): Response {
    const spec = object();
    spec.set('url', str(req.url));
    spec.set('method', str(req.methodName));
    const headers = object();
    const names = req.headers.keys();
    for (let i = 0; i < names.length; i++) headers.set(names[i], str(req.headers.get(names[i])));
    spec.set('headers', headers);
    const r = storeString(stringify(spec));
    const sent = req.bodyBytes;
    const b = sent == null ? <u64>0 : storeBytes(sent);
    const offset = kernel_http_request(r, b);
    release(r);
    if (b != 0) release(b);
    const status = kernel_http_status_code();
    const body = loadBytes(offset);
    if (offset != 0) free(offset);
    const bytes = body == null ? new Uint8Array(0) : body;
    const map = new Map<string, string>();
    const h = kernel_http_headers();
    if (h != 0) {
      const raw = loadBytes(h);
      free(h);
      let parsed: Value | null = null;
      if (raw != null) parsed = parse(String.UTF8.decode(raw.buffer));
      if (parsed != null) {
        const names = parsed.keys;
        for (let i = 0; i < names.length; i++) map.set(names[i], parsed.getString(names[i]));
      }
    }
    let code = '';
    let message = '';
    if (status == 0) {
      const err = parse(String.UTF8.decode(bytes.buffer));
      let e: Value | null = null;
      if (err != null) e = err.get('error');
      code = 'HTTP_FAILED';
      message = 'the request failed';
      if (e != null) {
        code = e.getString('code', 'HTTP_FAILED');
        message = e.getString('message');
      }
    }
    return new Response(status, map, bytes, code, message);
  }

  /** `GET url`. */
  export function get(url: string): Response {
    return request(new Request(url));
  }

  /** `POST url` with a UTF-8 text body (`content-type` as given). */
  export function post(url: string, body: string, contentType: string = 'text/plain; charset=utf-8'): Response {
    return request(new Request(url).method('POST').header('content-type', contentType).text(body));
  }

  /** `POST url` with a JSON body. */
  export function postJson(url: string, body: Value): Response {
    return request(new Request(url).method('POST').json(body));
  }
}
