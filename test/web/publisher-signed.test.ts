import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { repo } from '../support/deploy-files.ts';
import { newKey, REGISTER, sign } from '../support/signing.ts';
import { describeBrowser, useWebSession } from './support.ts';

// The publisher page on a server that takes only signed versions: it says so, an unsigned upload
// is refused with SIGNATURE_REQUIRED, and the signature file dropped with plugin.json and the
// module publishes it.
const web = useWebSession({ env: { PLUGBOARD_REQUIRE_SIGNATURES: 'true' } });

const NORMALIZER = path.join(repo, 'plugins-wasm', 'data-normalizer');
const LISTING_FIELDS = ['name', 'summary', 'description', 'category', 'tags', 'license', 'examples'];
const TIMEOUT = 20_000;

describeBrowser('publisher page, signatures required', { timeout: 120_000 }, () => {
  it('asks for the signature file and publishes with it', async () => {
    const { server } = web();
    const token = await server.user('signingpub', 'PUBLISHER');
    const key = newKey();
    await server.ok(REGISTER, { k: key.pem, n: 'laptop' }, token);
    const pluginJson = {
      ...JSON.parse(readFileSync(path.join(NORMALIZER, 'plugin.json'), 'utf8')),
      slug: 'signed-normalizer',
      name: 'Signed Normalizer',
    };
    const wasm = readFileSync(path.join(NORMALIZER, 'build', 'plugin.wasm'));
    // What the page sends, and so what is signed: plugin.json without its listing fields.
    const manifest = Object.fromEntries(Object.entries(pluginJson).filter(([k]) => !LISTING_FIELDS.includes(k)));
    const signature = sign(key, manifest as never, wasm);

    const page = await web().open('/publisher', { token });
    await page.getByText('Signature (this server requires one)').waitFor({ timeout: TIMEOUT });
    const files = page.getByLabel('Choose files');
    const upload = [
      { name: 'plugin.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(pluginJson)) },
      { name: 'plugin.wasm', mimeType: 'application/wasm', buffer: wasm },
    ];
    await files.setInputFiles(upload);
    await page.getByRole('button', { name: 'Publish signed-normalizer 1.0.0' }).click();
    const report = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: /^Refused/ }) });
    await report.waitFor({ timeout: TIMEOUT });
    expect(await report.locator('tbody').textContent()).toContain('SIGNATURE_REQUIRED');

    await files.setInputFiles([
      ...upload,
      { name: 'plugin.sig.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(signature)) },
    ]);
    // The page reads the dropped files asynchronously: wait for the fields to fill in.
    await expect
      .poll(() => page.getByLabel('Key fingerprint').inputValue(), { timeout: TIMEOUT })
      .toBe(key.fingerprint);
    await page.getByRole('button', { name: 'Publish signed-normalizer 1.0.0' }).click();
    await page.getByText('Published signed-normalizer 1.0.0.').waitFor({ timeout: TIMEOUT });
    const versions = page.getByRole('list', { name: 'Versions of signed-normalizer' });
    await versions.getByText('signed', { exact: true }).waitFor({ timeout: TIMEOUT });
    await web().shot(page, 'publisher-signed');
  });
});
