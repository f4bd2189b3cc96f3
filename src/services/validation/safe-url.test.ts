import { describe, expect, it } from 'vitest';
import { urlProblem } from './safe-url.ts';

const HOSTS = ['evil.example', 'EVIL.example:8080', '127.0.0.1', '[::1]', 'xn--e1afmkfd.example'];
const CONTROL = ['\t', '\n', '\r', '\u0000', '\u001f', '\u007f', ' ', '\u00a0', '\u200b', '\u202e', '\u2028', '\ufeff'];

/** Spellings that some parser reads as another host, scheme or user. */
function hostile(host: string): string[] {
  return [
    `//${host}/x.mp4`,
    `///${host}/x`,
    `/\\${host}/x`,
    `\\\\${host}/x`,
    `\\/${host}/x`,
    `/%2f${host}/x`,
    `/%5c${host}/x`,
    `/a/../../${host}`,
    `/a/%2e%2e/${host}`,
    `/a/%2E./x`,
    `/./x`,
    `/x%00.mp4`,
    `/x%zz`,
    `https:${host}/x`,
    `https:/${host}/x`,
    `https:\\\\${host}/x`,
    `https:/\\${host}/x`,
    `https://trusted.example@${host}/x`,
    `https://user:pass@${host}/x`,
    `https://@${host}/x`,
    `https://${host}\\@trusted.example/x`,
    `javascript://${host}/%0aalert(1)`,
    `javascript:alert(1)`,
    `data:text/html,<script>`,
    `file:///etc/passwd`,
    `ftp://${host}/x`,
    `ws://${host}/x`,
    `blob:https://${host}/x`,
    `${host}/x.mp4`,
    `https://`,
    `https:///x`,
    ...CONTROL.flatMap((c) => [
      `https://${host}/${c}x`,
      `${c}https://${host}/x`,
      `/${c}/${host}`,
      `https://${host}${c}/x`,
    ]),
  ];
}

describe('urlProblem', () => {
  it('refuses every spelling a parser could take for another host, scheme or user', () => {
    const accepted: string[] = [];
    for (const host of HOSTS)
      for (const url of hostile(host)) if (!urlProblem(url, { allowPath: true })) accepted.push(JSON.stringify(url));
    expect(accepted).toEqual([]);
  });

  it('takes plain http(s) URLs and absolute paths', () => {
    for (const url of [
      'https://cdn.example.com/ace.mp4',
      'http://cdn.example.com',
      'HTTPS://CDN.example.com/a?b=c#d',
      'https://127.0.0.1:8443/x/y.mp4',
      'https://[::1]/x',
      'https://cdn.example.com/caf%C3%A9/é.mp4',
      '/clips/ace.mp4',
      '/clips/a..b.mp4',
      '/',
      '/a?next=//evil.example',
    ])
      expect(urlProblem(url, { allowPath: true }), url).toBeNull();
  });

  it('takes paths only where they are allowed', () => {
    expect(urlProblem('/clips/ace.mp4')).toMatchObject({ code: 'URL' });
  });
});
