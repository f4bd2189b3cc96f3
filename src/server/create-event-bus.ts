import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';
import type { EventMap, Events } from '../services/events.ts';

export interface EventBus {
  events: Events;
  close(): Promise<void>;
}

type EventTargetLike = ReturnType<typeof createRedisEventTarget>;

/**
 * Puts every topic under `namespace:`. Payloads name rows of one database (user and
 * installation ids), so deployments that share a Redis must never share channels.
 */
export function namespaced(target: EventTargetLike, namespace: string): EventTargetLike {
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
export async function createEventBus(redisUrl: string | null, deploymentId: string): Promise<EventBus> {
  if (!redisUrl) return { events: createPubSub<EventMap>(), close: async () => {} };
  const options = { lazyConnect: true, maxRetriesPerRequest: 3 };
  const publishClient = new Redis(redisUrl, options);
  const subscribeClient = new Redis(redisUrl, options);
  await Promise.all([publishClient.connect(), subscribeClient.connect()]);
  const eventTarget = namespaced(
    createRedisEventTarget({ publishClient, subscribeClient }),
    `plugboard:${deploymentId}`,
  );
  const events = createPubSub<EventMap>({ eventTarget });
  return {
    events,
    close: async () => {
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    },
  };
}
