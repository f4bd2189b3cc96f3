import net from 'node:net';

export interface RedisProxy {
  /** `redis://` URL of the proxy. */
  url: string;
  /**
   * Holds back the next SUBSCRIBE naming a channel that contains `channel`, and whatever its
   * connection sends after it, until released. Resolves with the release once one is held: that
   * SUBSCRIBE has not reached Redis, so Redis cannot have acknowledged it.
   */
  holdSubscribe(channel: string): Promise<() => void>;
  close(): Promise<void>;
}

/** A TCP proxy in front of Redis, to make it slow to take a subscription. */
export async function startRedisProxy(redisUrl: string): Promise<RedisProxy> {
  const target = new URL(redisUrl);
  const sockets = new Set<net.Socket>();
  const holds: { channel: string; held: (release: () => void) => void }[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 6379), target.hostname);
    sockets.add(client).add(upstream);
    for (const socket of [client, upstream]) socket.on('error', () => {});
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    upstream.pipe(client);
    let heldBack: Buffer[] | null = null;
    client.on('data', (chunk: Buffer) => {
      if (heldBack) return void heldBack.push(chunk);
      // RESP names the command in a line of its own: `\nsubscribe\r\n`, never `\nunsubscribe\r\n`.
      const text = chunk.toString().toLowerCase();
      const hold = text.includes('\nsubscribe\r\n') && holds.find((h) => text.includes(h.channel.toLowerCase()));
      if (!hold) return void upstream.write(chunk);
      holds.splice(holds.indexOf(hold), 1);
      heldBack = [chunk];
      hold.held(() => {
        for (const held of heldBack ?? []) upstream.write(held);
        heldBack = null;
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    holdSubscribe: (channel) => new Promise((held) => holds.push({ channel, held })),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
