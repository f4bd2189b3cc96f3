import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';
import type { EventMap, Events } from '../services/events.ts';

export interface EventBus {
  events: Events;
  close(): Promise<void>;
}

/** In-process pub/sub by default; Redis pub/sub when several instances must share events. */
export async function createEventBus(redisUrl: string | null): Promise<EventBus> {
  if (!redisUrl) return { events: createPubSub<EventMap>(), close: async () => {} };
  const options = { lazyConnect: true, maxRetriesPerRequest: 3 };
  const publishClient = new Redis(redisUrl, options);
  const subscribeClient = new Redis(redisUrl, options);
  await Promise.all([publishClient.connect(), subscribeClient.connect()]);
  const events = createPubSub<EventMap>({ eventTarget: createRedisEventTarget({ publishClient, subscribeClient }) });
  return {
    events,
    close: async () => {
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    },
  };
}
