import { describe, expect, it } from 'vitest';
import { validateManifest } from './manifest.ts';

const manifest = (permissions: unknown) => ({
  slug: 'caller',
  version: '1.0.0',
  hostApi: '^1.0.0',
  functions: ['run'],
  permissions,
});

describe('manifest http: permissions', () => {
  it('accepts a permission per host pattern', () => {
    const check = validateManifest(manifest(['log', 'http:api.example.com', 'http:*.example.org', 'http:10.0.0.7']));
    expect(check.problems).toEqual([]);
    expect(check.manifest?.permissions).toEqual(['log', 'http:api.example.com', 'http:*.example.org', 'http:10.0.0.7']);
  });

  it('refuses every malformed pattern with HTTP_HOST_PATTERN, naming the entry', () => {
    const bad = [
      'http:',
      'http:*',
      'http:*.com',
      'http:a.*.example.com',
      'http:API.example.com',
      'http:api.example.com:443',
      'http:https://api.example.com',
      'http:[::1]',
      'http:api..example.com',
      'http:-api.example.com',
      'http:api_x.example.com',
      'http:999.1.1.1',
      'http:api.example.com/path',
      `http:${'a'.repeat(254)}`,
    ];
    for (const p of bad) {
      const check = validateManifest(manifest(['log', p]));
      expect(check.manifest, p).toBeNull();
      expect(
        check.problems.map((x) => `${x.field}:${x.code}`),
        p,
      ).toEqual(['manifest.permissions.1:HTTP_HOST_PATTERN']);
    }
  });

  it('caps the number of http: permissions', () => {
    const many = Array.from({ length: 30 }, (_, i) => `http:h${i}.example.com`);
    expect(validateManifest(manifest(many)).problems.map((p) => p.code)).toContain('TOO_MANY');
  });
});
