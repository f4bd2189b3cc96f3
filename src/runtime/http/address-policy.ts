import { BlockList, isIP } from 'node:net';

/**
 * Addresses a plugin's request must never reach: this host, the private networks, link-local
 * (cloud metadata at 169.254.169.254 and fd00:ec2::254), carrier-grade NAT, multicast, reserved
 * and documentation ranges, and the IPv6 forms that embed an IPv4 address (NAT64, 6to4,
 * IPv4-compatible). IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is checked as the IPv4 it maps to.
 */
const REFUSED = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  REFUSED.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 96],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  REFUSED.addSubnet(net, bits, 'ipv6');

/** Whether an IP address (v4 or v6, as text) is one a plugin may not reach. Not an IP: refused. */
export function isRefusedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  // Node's BlockList checks an IPv4-mapped IPv6 address against the IPv4 rules as well.
  return REFUSED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
