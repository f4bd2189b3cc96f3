// Events published when the call succeeds (permission `events`).
import { host_emit } from './host';
import { release, storeString } from './memory';
import { Value, object, str, stringify } from './json-value';

export namespace events {
  /** Publishes `{ type, data }`. Aborts if the host rejects it as invalid. */
  export function emit(type: string, data: Value): void {
    const event = object().set('type', str(type)).set('data', data);
    const offset = storeString(stringify(event));
    const status = host_emit(offset);
    release(offset);
    if (status != 0) abort("events: the host rejected event '" + type + "'");
  }
}
