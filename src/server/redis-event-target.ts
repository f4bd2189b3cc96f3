import type { Redis } from 'ioredis';

type Listener = (event: Event) => void;

/**
 * Events over Redis pub/sub, one SUBSCRIBE per topic however many listen to it here. Adding a
 * listener answers with its topic's SUBSCRIBE, settled once Redis has acknowledged it: only from
 * then on does the listener hear what is published (yoga's own Redis target does not say when).
 * Payloads are JSON, as yoga's target writes them, so instances running either share channels.
 */
export function createRedisEventTarget({
  publishClient,
  subscribeClient,
}: {
  publishClient: Redis;
  subscribeClient: Redis;
}) {
  const topics = new Map<string, { listeners: Set<Listener>; subscribed: Promise<unknown> }>();
  subscribeClient.on('message', (channel: string, message: string) => {
    const topic = topics.get(channel);
    if (!topic) return;
    let detail: unknown = null;
    try {
      if (message !== '') detail = JSON.parse(message);
    } catch {
      return; // not ours: whatever else shares the Redis may publish on any channel
    }
    const event = new CustomEvent(channel, { detail });
    for (const listener of topic.listeners) listener(event);
  });
  return {
    addEventListener(name: string, listener: Listener): Promise<unknown> {
      let topic = topics.get(name);
      if (!topic) {
        topic = { listeners: new Set(), subscribed: subscribeClient.subscribe(name) };
        topics.set(name, topic);
      }
      topic.listeners.add(listener);
      return topic.subscribed;
    },
    removeEventListener(name: string, listener: Listener): void {
      const topic = topics.get(name);
      if (!topic?.listeners.delete(listener) || topic.listeners.size > 0) return;
      topics.delete(name);
      // Refused only when the connection is gone, and its subscriptions with it.
      subscribeClient.unsubscribe(name).catch(() => {});
    },
    dispatchEvent(event: CustomEvent): void {
      void publishClient.publish(event.type, event.detail === undefined ? '' : JSON.stringify(event.detail));
    },
  };
}
