import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { NAMED_NETWORKS, parseCidr } from '../../config.ts';

/** The proxies whose `X-Forwarded-For` is believed; null trusts none (the default). */
export function trustedProxies(entries: readonly string[]): BlockList | null {
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const entry of entries.flatMap((e) => NAMED_NETWORKS[e] ?? [e])) {
    const parsed = parseCidr(entry);
    if (parsed) list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return list;
}

/** `::ffff:10.0.0.1` → `10.0.0.1`; `[::1]:80` → `::1`; `1.2.3.4:80` → `1.2.3.4`. */
function normalize(raw: string): string {
  const text = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  const address = bracketed ? bracketed[1] : /^[\d.]+:\d+$/.test(text) ? text.slice(0, text.indexOf(':')) : text;
  return address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

const isTrusted = (list: BlockList, address: string): boolean => {
  const version = isIP(address);
  return version !== 0 && list.check(address, version === 4 ? 'ipv4' : 'ipv6');
};

/**
 * The address a request came from. Without trusted proxies it is the connection's peer. With
 * them, `X-Forwarded-For` is read from the right while each hop is a trusted proxy: the first
 * address not trusted is the client (entries further left were written by the client itself and
 * could be anything).
 */
export function clientAddress(req: Pick<IncomingMessage, 'socket' | 'headers'> | undefined, trusted: BlockList | null) {
  let peer = normalize(req?.socket?.remoteAddress ?? 'unknown');
  if (!trusted || !req || !isTrusted(trusted, peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').filter((h) => h.trim());
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalize(hops[i]);
    if (!isIP(hop)) return peer;
    peer = hop;
    if (!isTrusted(trusted, hop)) return hop;
  }
  return peer;
}
