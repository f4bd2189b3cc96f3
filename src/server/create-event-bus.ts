import { Repeater } from 'graphql-yoga';
import { Redis } from 'ioredis';
import { apiError } from '../schema/errors.ts';
import type { Events } from '../services/events.ts';
import { createRedisEventTarget } from './redis-event-target.ts';

export interface EventBus {
  events: Events;
  close(): Promise<void>;
}

/**
 * Where the bus publishes and listens. `addEventListener` may answer with a promise: the
 * listener hears what is published only once it has settled (on Redis, the SUBSCRIBE's reply).
 */
export interface BusTarget {
  addEventListener(topic: string, listener: (event: Event) => void): PromiseLike<unknown> | undefined;
  removeEventListener(topic: string, listener: (event: Event) => void): void;
  dispatchEvent(event: CustomEvent): void;
}

/**
 * Events one subscriber may have waiting. yoga's own pub/sub queues without limit up to 1024
 * and then throws inside the event listener, which Node turns into an uncaught exception: one
 * paused subscriber could bring the process down. Past this the subscription ends instead.
 */
export const MAX_PENDING_EVENTS = 512;

/** Where an event's publication time travels with it (over Redis too), for the bus lag metric. */
const PUBLISHED_AT = '__plugboardPublishedAt';

export interface EventBusHooks {
  /** Told how long each event took from its publication to reaching a subscriber here (ms). */
  onLag?: (ms: number) => void;
  /**
   * Told with 1 when a subscription starts listening on `routingKey`, from which moment what is
   * published reaches it (on Redis, once Redis has acknowledged the SUBSCRIBE), and with -1 when
   * one that was listening stops. Called in the async context of whoever pulled the subscription
   * first, so the request scope names the operation it belongs to.
   */
  onListening?: (routingKey: string, change: 1 | -1) => void;
}

/**
 * Pub/sub over `target` whose subscriptions end (with `SLOW_SUBSCRIBER`) when they fall behind.
 * With `onLag`, events carry their publication time and each delivery reports its delay.
 */
export function boundedPubSub(
  target: BusTarget = new EventTarget() as BusTarget,
  { onLag, onListening }: EventBusHooks = {},
): Events {
  const publish = (routingKey: string, ...args: unknown[]) => {
    const payload = args[1] ?? args[0] ?? null;
    const topic = args[1] === undefined ? routingKey : `${routingKey}:${args[0]}`;
    const detail = onLag ? { [PUBLISHED_AT]: Date.now(), payload } : payload;
    target.dispatchEvent(new CustomEvent(topic, { detail }));
  };
  const unwrap = (detail: unknown): unknown => {
    const envelope = detail as Record<string, unknown> | null;
    if (!onLag || typeof envelope?.[PUBLISHED_AT] !== 'number') return detail;
    onLag(Date.now() - (envelope[PUBLISHED_AT] as number));
    return envelope.payload;
  };
  const subscribe = (routingKey: string, id?: unknown) => {
    const topic = id === undefined ? routingKey : `${routingKey}:${id}`;
    return new Repeater<unknown>((push, stop) => {
      let pending = 0;
      const listener = (event: Event) => {
        if (pending >= MAX_PENDING_EVENTS) {
          stop(apiError('SLOW_SUBSCRIBER', `More than ${MAX_PENDING_EVENTS} events were waiting for this subscriber`));
          return;
        }
        pending++;
        // Settles once the subscriber has taken the event.
        push(unwrap((event as CustomEvent).detail)).then(
          () => pending--,
          () => {},
        );
      };
      let state: 'subscribing' | 'listening' | 'stopped' = 'subscribing';
      const listening = () => {
        if (state !== 'subscribing') return;
        state = 'listening';
        onListening?.(routingKey, 1);
      };
      const subscribed = target.addEventListener(topic, listener);
      void stop.then(() => {
        target.removeEventListener(topic, listener);
        if (state === 'listening') onListening?.(routingKey, -1);
        state = 'stopped';
      });
      // A subscription Redis refused would otherwise wait for events that never come.
      if (subscribed) subscribed.then(listening, (error: unknown) => stop(error));
      else listening();
    });
  };
  return { publish, subscribe } as Events;
}

/**
 * Puts every topic under `namespace:`. Payloads name rows of one database (user and
 * installation ids), so deployments that share a Redis must never share channels.
 */
export function namespaced(target: BusTarget, namespace: string): BusTarget {
  const name = (topic: string) => `${namespace}:${topic}`;
  return {
    addEventListener: (topic, listener) => target.addEventListener(name(topic), listener),
    removeEventListener: (topic, listener) => target.removeEventListener(name(topic), listener),
    dispatchEvent: (event) => target.dispatchEvent(new CustomEvent(name(event.type), { detail: event.detail })),
  };
}

/**
 * In-process pub/sub by default; Redis pub/sub when several instances must share events, on
 * channels under `plugboard:<deployment id>:`.
 */
export async function createEventBus(
  redisUrl: string | null,
  deploymentId: string,
  hooks: EventBusHooks = {},
): Promise<EventBus> {
  if (!redisUrl) return { events: boundedPubSub(undefined, hooks), close: async () => {} };
  const options = { lazyConnect: true, maxRetriesPerRequest: 3 };
  const publishClient = new Redis(redisUrl, options);
  const subscribeClient = new Redis(redisUrl, options);
  await Promise.all([publishClient.connect(), subscribeClient.connect()]);
  const eventTarget = namespaced(
    createRedisEventTarget({ publishClient, subscribeClient }),
    `plugboard:${deploymentId}`,
  );
  const events = boundedPubSub(eventTarget, hooks);
  return {
    events,
    close: async () => {
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    },
  };
}
