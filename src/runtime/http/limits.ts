/** Outbound requests one call may make; past it the host answers HTTP_TOO_MANY_REQUESTS. */
export const MAX_HTTP_REQUESTS_PER_CALL = 16;
/** Largest response body a request may receive (HTTP_RESPONSE_TOO_LARGE past it). */
export const MAX_HTTP_RESPONSE_BYTES = 1024 * 1024;
/** Largest request body a plugin may send (HTTP_REQUEST_TOO_LARGE past it). */
export const MAX_HTTP_REQUEST_BYTES = 1024 * 1024;
/** Redirects followed per request (HTTP_TOO_MANY_REDIRECTS past it). */
export const MAX_HTTP_REDIRECTS = 5;
/** Bytes of one response body kept on the Execution for replay. */
export const HTTP_RECORDED_BODY_BYTES = 64 * 1024;
/** Bytes of response bodies kept on the Execution for replay, across one call's requests. */
export const HTTP_RECORDED_BYTES_PER_CALL = 256 * 1024;
