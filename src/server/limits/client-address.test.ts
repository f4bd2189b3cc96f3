import { describe, expect, it } from 'vitest';
import { clientAddress, trustedProxies } from './client-address.ts';
import { createMemoryRateLimiter } from './rate-limiter.ts';

const request = (peer: string, forwardedFor?: string | string[]) => ({
  socket: { remoteAddress: peer } as never,
  headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
});

describe('clientAddress', () => {
  const trusted = trustedProxies(['loopback', '10.0.0.0/8', 'fd00::/8']);

  it('is the peer when no proxy is trusted, whatever the headers say', () => {
    for (const peer of ['127.0.0.1', '::1', '203.0.113.5'])
      expect(clientAddress(request(peer, '198.51.100.1'), trustedProxies([]))).toBe(peer);
    expect(clientAddress(request('::ffff:203.0.113.5'), null)).toBe('203.0.113.5');
  });

  it('walks X-Forwarded-For from the right past trusted hops only', () => {
    const cases: [peer: string, header: string | string[], client: string][] = [
      ['127.0.0.1', '198.51.100.1', '198.51.100.1'],
      ['127.0.0.1', '198.51.100.9, 198.51.100.1', '198.51.100.1'],
      ['127.0.0.1', '198.51.100.1, 10.1.2.3', '198.51.100.1'],
      ['127.0.0.1', ['198.51.100.1', '10.1.2.3'], '198.51.100.1'],
      ['::ffff:10.0.0.2', '198.51.100.1', '198.51.100.1'],
      ['fd00::1', '[2001:db8::7]:443', '2001:db8::7'],
      ['127.0.0.1', '198.51.100.1:8080', '198.51.100.1'],
      ['127.0.0.1', 'garbage, 10.0.0.1', '10.0.0.1'],
      ['127.0.0.1', '10.0.0.1, 10.0.0.2', '10.0.0.1'],
      ['127.0.0.1', '', '127.0.0.1'],
      ['203.0.113.5', '198.51.100.1', '203.0.113.5'],
    ];
    for (const [peer, header, client] of cases)
      expect(clientAddress(request(peer, header), trusted), `${peer} ${header}`).toBe(client);
  });
});

describe('memory rate limiter', () => {
  it('lets a minute’s budget through at once, then refuses with a wait, per key', () => {
    const limiter = createMemoryRateLimiter();
    for (const budget of [1, 7, 60]) {
      const key = `k${budget}`;
      let allowed = 0;
      for (let i = 0; i < budget + 5; i++) {
        const decision = limiter.take(key, 1, budget) as { allowed: boolean; retryAfterMs: number };
        if (!decision.allowed) {
          expect(decision.retryAfterMs).toBeGreaterThan(0);
          break;
        }
        allowed++;
      }
      // A budget refills by one unit every minute / budget: far longer than these few calls take.
      expect(allowed).toBe(budget);
      expect((limiter.take(`other${budget}`, 1, budget) as { allowed: boolean }).allowed).toBe(true);
    }
  });

  it('charges a cost over the budget as the whole budget', () => {
    const limiter = createMemoryRateLimiter();
    expect((limiter.take('big', 1_000_000, 100) as { allowed: boolean }).allowed).toBe(true);
    expect((limiter.take('big', 1, 100) as { allowed: boolean }).allowed).toBe(false);
  });
});
