import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('defaults to SQLite under ./data on port 4000', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      databaseUrl: null,
      redisUrl: null,
      logLevel: 'info',
      readCacheTtlMs: 10_000,
    });
    expect(config.dataDir.endsWith('/data')).toBe(true);
  });

  it('reports every bad value at once', () => {
    const attempt = () =>
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', REDIS_URL: 'not a url', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(4);
      expect((error as ConfigError).message).toContain('PORT must be an integer from 0 to 65535, got "eighty"');
    }
  });

  it('reads the internal hosts plugins may reach over HTTP, none by default, refusing anything but hosts', () => {
    expect(loadConfig({}).httpAllowedInternalHosts).toEqual([]);
    expect(
      loadConfig({ PLUGBOARD_HTTP_ALLOWED_INTERNAL_HOSTS: ' Localhost, metrics.internal ,10.0.0.5' })
        .httpAllowedInternalHosts,
    ).toEqual(['localhost', 'metrics.internal', '10.0.0.5']);
    for (const bad of ['*.internal', 'http://x', 'a:80', '[::1]'])
      expect(() => loadConfig({ PLUGBOARD_HTTP_ALLOWED_INTERNAL_HOSTS: bad }), bad).toThrow(
        /PLUGBOARD_HTTP_ALLOWED_INTERNAL_HOSTS/,
      );
  });

  it('gives a user half the plugin workers unless told otherwise', () => {
    expect(loadConfig({ PLUGBOARD_WORKERS: '4' })).toMatchObject({ runtimeWorkers: 4, callsPerUser: 2 });
    expect(loadConfig({ PLUGBOARD_WORKERS: '1' })).toMatchObject({ runtimeWorkers: 1, callsPerUser: 1 });
    expect(loadConfig({ PLUGBOARD_WORKERS: '4', PLUGBOARD_CALLS_PER_USER: '3' }).callsPerUser).toBe(3);
    expect(() => loadConfig({ PLUGBOARD_CALLS_PER_USER: '0' })).toThrow(
      /PLUGBOARD_CALLS_PER_USER must be an integer from 1/,
    );
  });

  it('reads PLUGBOARD_REQUIRE_SIGNATURES as a boolean, off by default', () => {
    expect(loadConfig({}).requireSignatures).toBe(false);
    for (const [raw, value] of [
      ['true', true],
      ['1', true],
      ['false', false],
      ['0', false],
    ] as const)
      expect(loadConfig({ PLUGBOARD_REQUIRE_SIGNATURES: raw }).requireSignatures).toBe(value);
    for (const raw of ['yes', 'TRUE', 'on', '2'])
      expect(() => loadConfig({ PLUGBOARD_REQUIRE_SIGNATURES: raw })).toThrow(
        /PLUGBOARD_REQUIRE_SIGNATURES must be true or false/,
      );
  });

  it('accepts PostgreSQL and Redis URLs', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u@db:5432/pb',
      REDIS_URL: 'redis://cache:6379',
      PORT: '8080',
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgres://u@db:5432/pb',
      redisUrl: 'redis://cache:6379',
      port: 8080,
    });
  });
});
