// Delivers JSON to the installation's webhook over the platform's outbound HTTP. The host makes
// the request; only hosts the installation granted (`http:` permissions) are reachable.
import { config, fail, http, input, json, log, output } from '@plugboard/sdk';

/** POSTs `body` to the configured URL; the call fails when it is not delivered (no 2xx). */
function deliver(body: json.Value): i32 {
  const url = config.getString('url');
  if (url.length == 0) return fail('webhook-notifier: config.url is not set');
  const req = new http.Request(url).method('POST').header('user-agent', 'plugboard-webhook-notifier/1').json(body);
  const secret = config.getString('secret');
  if (secret.length > 0) req.header('x-webhook-secret', secret);
  const res = http.request(req);
  if (res.status == 0) return fail('webhook not delivered: ' + res.errorCode + ': ' + res.errorMessage);
  if (!res.ok) return fail('webhook answered ' + res.status.toString() + ': ' + res.text());
  log.info('delivered to ' + url + ' (' + res.status.toString() + ')');
  output.json(
    json.object().setBool('delivered', true).setNumber('status', res.status).set('response', responseBody(res)),
  );
  return 0;
}

/** The webhook's answer: its JSON when it sent JSON, else its text. */
function responseBody(res: http.Response): json.Value {
  const parsed = res.json();
  return parsed != null ? parsed : json.str(res.text());
}

/** Sends `{ "text": <input text> }` (or the input JSON object as it is). */
export function notify(): i32 {
  const v = input.json();
  if (v != null && v.isObject()) return deliver(v);
  return deliver(json.object().setString('text', input.text()));
}

/** Hook: announces the new clip. */
export function clip_captured(): i32 {
  const event = input.json();
  if (event == null) return fail('clip.captured: the event is not JSON');
  const clip = event.get('clip');
  if (clip == null) return fail('clip.captured: no clip in the event');
  const body = json
    .object()
    .setString('event', 'clip.captured')
    .setNumber('id', clip.getNumber('id'))
    .setString('title', clip.getString('title'))
    .setString('game', clip.getString('game'))
    .setString('text', 'New clip: ' + clip.getString('title'));
  return deliver(body);
}
