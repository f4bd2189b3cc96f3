import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { repo } from '../support/deploy-files.ts';
import { publishVersion } from '../support/plugins.ts';
import { describeBrowser, useWebSession } from './support.ts';

// Install, my installations, live executions and the publisher page, in Debian's chromium against
// a seeded server: every step goes through the real API, database and compiled plugins.

const NORMALIZER = path.join(repo, 'plugins-wasm', 'data-normalizer');
const normalizerManifest = () => JSON.parse(readFileSync(path.join(NORMALIZER, 'plugin.json'), 'utf8'));
const normalizerWasm = () => readFileSync(path.join(NORMALIZER, 'build', 'plugin.wasm'));

const TIMEOUT = 20_000;

const web = useWebSession();

describeBrowser('web app: install, installations, executions, publisher', () => {
  let installationPath = '';
  let publisherToken = '';

  it('installs data-normalizer through the generated form: a bad value first shows the server’s problem by its field', async () => {
    const page = await web().open('/plugins/data-normalizer/install', { token: web().demoToken });
    await page.getByRole('heading', { level: 1, name: 'Install Data Normalizer' }).waitFor();
    // Defaults from the schema are filled in.
    const precision = page.getByLabel('precision');
    await expect.poll(() => precision.inputValue()).toBe('6');
    expect(await page.getByLabel('method').locator('option:checked').textContent()).toBe('zscore');

    // Out of the schema's range (0..12): the form does not check, the server refuses.
    for (const bad of ['20', '-1']) {
      await precision.fill(bad);
      await page.getByRole('button', { name: 'Continue to permissions' }).click();
      await page.getByText('Read its settings').waitFor();
      await page.getByLabel('I grant these permissions').check();
      await page.getByRole('button', { name: 'Grant and install' }).click();
      // Back on the settings step, the problem next to the precision field, the value kept.
      const fieldGroup = page.locator('.form-group', { has: page.getByLabel('precision') }).last();
      await fieldGroup.locator('.error-detail').waitFor({ timeout: TIMEOUT });
      expect(await fieldGroup.locator('.error-detail').textContent()).toMatch(/must be (<=|>=) (12|0)/);
      expect(await page.getByLabel('precision').inputValue()).toBe(bad);
    }
    await web().shot(page, 'install-refused');

    // Nothing was installed by the refusals.
    const before = await web().server.ok<{ installations: { edges: unknown[] } }, object>(
      '{ installations(first: 100) { edges { node { id plugin { slug } } } } }',
      {},
      web().demoToken,
    );

    await precision.fill('3');
    await page.getByLabel('method').selectOption('minmax');
    await page.getByRole('button', { name: 'Continue to permissions' }).click();
    await page.getByLabel('I grant these permissions').check();
    await web().shot(page, 'install-consent');
    await page.getByRole('button', { name: 'Grant and install' }).click();
    await page.waitForURL(/\/installations\/[^/]+$/, { timeout: TIMEOUT });
    installationPath = new URL(page.url()).pathname;
    await page.getByRole('heading', { level: 1, name: /Data Normalizer/ }).waitFor();

    const after = await web().server.ok<{ installations: { edges: { node: { plugin: { slug: string } } }[] } }, object>(
      '{ installations(first: 100) { edges { node { id plugin { slug } config } } } }',
      {},
      web().demoToken,
    );
    expect(after.installations.edges.length).toBe(before.installations.edges.length + 1);
  }, 60_000);

  it('runs the installed function and shows output, status, usage and logs', async () => {
    const page = await web().open(installationPath, { token: web().demoToken });
    await page.getByRole('heading', { name: 'Run a function' }).waitFor();
    await page.getByLabel('Input').fill(JSON.stringify({ values: [2, 4, 6, 10] }));
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const result = page.getByRole('region', { name: 'Result' });
    await result.waitFor({ timeout: TIMEOUT });
    const output = JSON.parse((await result.getByTestId('output').textContent()) ?? '');
    // minmax at precision 3, as installed.
    expect(JSON.stringify(output)).toContain('[0,0.25,0.5,1]');
    expect(await result.getByText('succeeded').count()).toBeGreaterThan(0);
    expect(await result.locator('.usage').textContent()).toMatch(/Fuel\s*[\d,]+/);

    // Input the plugin refuses: the failure, with its message, is a result too.
    await page.getByLabel('Input').fill('{"values": [1, "x"]}');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await result.getByText('failed').first().waitFor({ timeout: TIMEOUT });
    await web().shot(page, 'installation');

    // The settings form edits the installation; the server's problem shows by its field.
    const settings = page.getByRole('region', { name: 'Settings' });
    await settings.getByLabel('precision').fill('99');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.locator('.error-detail').waitFor({ timeout: TIMEOUT });
    await settings.getByLabel('precision').fill('4');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.getByText('Saved.').waitFor({ timeout: TIMEOUT });

    // A phone's width: nothing wider than the screen.
    const phone = await web().open(installationPath, { token: web().demoToken, width: 360, height: 740 });
    await phone.getByRole('heading', { name: 'Run a function' }).waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await web().shot(phone, 'installation-phone');
    // Their installation pages listen for installation events too: closed, so the next listener
    // on that topic is the list's.
    await Promise.all([page.close(), phone.close()]);

    const listening = web().server.nextListener('installation-events');
    const list = await web().open('/installations', { token: web().demoToken });
    await list.getByRole('link', { name: 'Data Normalizer' }).waitFor();
    await listening;
    await list.getByRole('button', { name: 'Disable Data Normalizer' }).click();
    await list.getByRole('button', { name: 'Enable Data Normalizer' }).waitFor({ timeout: TIMEOUT });
    await list.getByRole('button', { name: 'Enable Data Normalizer' }).click();
    await list.getByRole('button', { name: 'Disable Data Normalizer' }).waitFor({ timeout: TIMEOUT });
    // A change made elsewhere (here: the API) shows without a reload, through installationEvents.
    await web().server.ok(
      'mutation($input: UpdateInstallationInput!) { updateInstallation(input: $input) { id } }',
      { input: { id: decodeURIComponent(installationPath.split('/').pop()!), enabled: false } },
      web().demoToken,
    );
    await list.getByRole('button', { name: 'Enable Data Normalizer' }).waitFor({ timeout: TIMEOUT });
    await list.getByRole('button', { name: 'Enable Data Normalizer' }).click();
    await list.getByRole('button', { name: 'Disable Data Normalizer' }).waitFor({ timeout: TIMEOUT });
    await web().shot(list, 'installations');
  }, 60_000);

  it('shows a clip’s hook executions and the tags its plugins add as they happen, without a reload', async () => {
    // The page streams executions and clip changes: what happens once the server listens for
    // both reaches it (no other page listens on these topics).
    const streaming = Promise.all(['execution-events', 'clip-events'].map((t) => web().server.nextListener(t)));
    const page = await web().open('/executions', { token: web().demoToken });
    const rows = page.getByRole('list', { name: 'Executions' }).locator(':scope > li');
    await rows.first().waitFor({ timeout: TIMEOUT });
    await streaming;
    const warmUp = await rows.count();
    const installationId = decodeURIComponent(installationPath.split('/').pop()!);
    await web().server.ok(
      'mutation($input: ExecutePluginInput!) { executePlugin(input: $input) { id } }',
      { input: { installationId, function: 'normalize', input: '{"values":[1,2]}' } },
      web().demoToken,
    );
    await expect.poll(() => rows.count(), { timeout: TIMEOUT }).toBe(warmUp + 1);

    const created = await web().server.ok<{ createClip: { id: string; tags: string[] } }, object>(
      'mutation($input: CreateClipInput!) { createClip(input: $input) { id tags } }',
      {
        input: {
          title: 'Browser test ace',
          game: 'Counter Strike 2',
          durationMs: 42_000,
          width: 1920,
          height: 1080,
          fps: 60,
          mediaUrl: 'https://clips.example.com/browser-test.mp4',
        },
      },
      web().demoToken,
    );
    // Hook executions on the new clip appear in the stream…
    const onClip = rows.filter({ hasText: '“Browser test ace”' });
    await onClip.first().waitFor({ timeout: TIMEOUT });
    await expect
      .poll(() => onClip.filter({ hasText: 'clip.captured' }).count(), { timeout: TIMEOUT })
      .toBeGreaterThan(1);
    // …and the clip with the tags they added (clip-tagger: the game, the resolution).
    const clip = page.getByRole('list', { name: 'Clips' }).locator(':scope > li', { hasText: 'Browser test ace' });
    const tags = clip.getByRole('list', { name: 'Tags of Browser test ace' });
    await tags.getByText('counter-strike-2').waitFor({ timeout: TIMEOUT });
    const shown = await tags.locator('li').allInnerTexts();
    const stored = await web().server.ok<{ clip: { tags: string[] } }, object>(
      'query($id: ID!) { clip(id: $id) { tags } }',
      { id: created.createClip.id },
      web().demoToken,
    );
    await expect
      .poll(async () => (await tags.locator('li').allInnerTexts()).sort())
      .toEqual([...stored.clip.tags].sort());
    expect(shown.length).toBeGreaterThan(0);

    // A row expands to its logs and usage.
    await onClip.first().locator('summary').click();
    await onClip.first().locator('.usage').waitFor();
    expect(await page.locator('.chart canvas').count()).toBeGreaterThan(0);
    await web().shot(page, 'executions');
  }, 60_000);

  it('publishes a version from dropped files and shows a refused upload’s report problem by problem', async () => {
    publisherToken = await web().server.user('webpublisher', 'PUBLISHER');
    const page = await web().open('/publisher', { token: publisherToken });
    await page.getByRole('heading', { name: 'Publish a version' }).waitFor();
    await page.getByText('No listings yet').waitFor({ timeout: TIMEOUT });

    const manifest = { ...normalizerManifest(), slug: 'web-normalizer', name: 'Web Normalizer' };
    const files = page.getByLabel('Choose files');
    // Every way to get it wrong at once: a bad version, an unknown permission, not a module.
    await files.setInputFiles([
      {
        name: 'plugin.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify({ ...manifest, version: '1.0', permissions: ['config', 'network'] })),
      },
      { name: 'plugin.wasm', mimeType: 'application/wasm', buffer: Buffer.from('not a wasm module') },
    ]);
    await page.getByRole('button', { name: /^Publish web-normalizer/ }).click();
    const report = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: /^Refused/ }) });
    await report.waitFor({ timeout: TIMEOUT });
    const problems = await report.locator('tbody tr').allInnerTexts();
    expect(problems.length).toBeGreaterThanOrEqual(3);
    const text = problems.join('\n');
    expect(text).toMatch(/version/);
    expect(text).toMatch(/permissions/);
    expect(text).toMatch(/wasm/i);
    await web().shot(page, 'publisher-refused');

    // The listing was made from plugin.json; no version was stored.
    const listed = await web().server.ok<{ plugin: { versions: { edges: unknown[] } } | null }, object>(
      '{ plugin(slug: "web-normalizer") { versions(first: 5) { edges { node { id } } } } }',
    );
    expect(listed.plugin?.versions.edges).toEqual([]);

    await files.setInputFiles([
      { name: 'plugin.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(manifest)) },
      { name: 'plugin.wasm', mimeType: 'application/wasm', buffer: normalizerWasm() },
    ]);
    await page.getByRole('button', { name: 'Publish web-normalizer 1.0.0' }).click();
    await page.getByText('Published web-normalizer 1.0.0.').waitFor({ timeout: TIMEOUT });
    const versions = page.getByRole('list', { name: 'Versions of web-normalizer' });
    await versions.getByText('1.0.0').waitFor({ timeout: TIMEOUT });

    await versions.getByRole('button', { name: 'Yank', exact: true }).click();
    await versions.getByText('yanked').waitFor({ timeout: TIMEOUT });
    await versions.getByRole('button', { name: 'Unyank', exact: true }).click();
    await versions.getByRole('button', { name: 'Yank', exact: true }).waitFor({ timeout: TIMEOUT });
    expect(await versions.getByText('yanked').count()).toBe(0);
    await versions.getByRole('button', { name: 'Deprecate…' }).click();
    await versions.getByLabel(/Why is 1.0.0 deprecated/).fill('use 1.1');
    await versions.getByRole('button', { name: 'Deprecate', exact: true }).click();
    await versions.getByText('Deprecated: use 1.1').waitFor({ timeout: TIMEOUT });
    await web().shot(page, 'publisher');
    const stored = await web().server.ok<
      { plugin: { versions: { edges: { node: Record<string, unknown> }[] } } },
      object
    >(
      '{ plugin(slug: "web-normalizer") { versions(first: 5) { edges { node { version yanked deprecationReason } } } } }',
    );
    expect(stored.plugin.versions.edges.map((e) => e.node)).toEqual([
      { version: '1.0.0', yanked: false, deprecationReason: 'use 1.1' },
    ]);
  }, 60_000);

  it('upgrades with the permission diff to consent to, rolls back, uninstalls, and revokes the version', async () => {
    const { server, demoToken } = web();
    const { installPlugin } = await server.ok<{ installPlugin: { id: string } }, object>(
      'mutation($input: InstallPluginInput!) { installPlugin(input: $input) { id } }',
      { input: { slug: 'web-normalizer', versionRange: '^1.0.0', grantPermissions: ['config'] } },
      demoToken,
    );
    const manifest = { ...normalizerManifest(), slug: 'web-normalizer', name: 'Web Normalizer' };
    const published = await publishVersion(
      server,
      publisherToken,
      'web-normalizer',
      { ...manifest, version: '1.1.0', permissions: ['config', 'log'], changelog: 'Logs what it scaled' },
      normalizerWasm(),
    );
    expect(published.errors).toBeUndefined();

    const page = await web().open(`/installations/${encodeURIComponent(installPlugin.id)}`, { token: demoToken });
    await page.getByRole('heading', { level: 1, name: 'Web Normalizer 1.0.0' }).waitFor({ timeout: TIMEOUT });
    const versions = page.getByRole('region', { name: 'Versions' });
    await versions.getByText('1.0.0 → 1.1.0').waitFor({ timeout: TIMEOUT });
    await versions.getByText('Logs what it scaled').waitFor();
    const added = versions.getByRole('list', { name: 'Permissions added' });
    expect(await added.textContent()).toContain('Write to its log');
    const upgrade = versions.getByRole('button', { name: 'Upgrade to 1.1.0' });
    expect(await upgrade.isDisabled()).toBe(true);
    await versions.getByLabel('I grant the new permissions').check();
    await web().shot(page, 'installation-upgrade');
    await upgrade.click();
    await page.getByRole('heading', { level: 1, name: 'Web Normalizer 1.1.0' }).waitFor({ timeout: TIMEOUT });
    await versions.getByText('No upgrade: this is the highest version in range.').waitFor({ timeout: TIMEOUT });

    await versions.getByRole('button', { name: 'Roll back to the previous version' }).click();
    await page.getByRole('heading', { level: 1, name: 'Web Normalizer 1.0.0' }).waitFor({ timeout: TIMEOUT });
    const history = await versions.locator('.history li').allTextContents();
    expect(history.map((h) => h.replace(/\s+\d.*[AP]M$|\s+\d+\/.*$/, ''))).toHaveLength(3);
    expect(history.join('\n')).toMatch(/rollback\s*1\.1\.0 → 1\.0\.0/);
    const stored = await server.ok<{ installation: Record<string, unknown> }, object>(
      'query($id: ID!) { installation(id: $id) { version { version } grantedPermissions } }',
      { id: installPlugin.id },
      demoToken,
    );
    expect(stored.installation).toEqual({ version: { version: '1.0.0' }, grantedPermissions: ['config'] });

    await page.getByRole('button', { name: 'Uninstall…' }).click();
    await page.getByRole('button', { name: 'Yes, uninstall Web Normalizer' }).click();
    await page.waitForURL('**/installations', { timeout: TIMEOUT });
    await page.getByRole('link', { name: 'Data Normalizer' }).waitFor({ timeout: TIMEOUT });
    expect(await page.getByRole('link', { name: 'Web Normalizer' }).count()).toBe(0);

    // The kill switch from the publisher page: a reason, then the version reads revoked for good.
    const publisherPage = await web().open('/publisher', { token: publisherToken });
    const versions11 = publisherPage.getByRole('list', { name: 'Versions of web-normalizer' }).locator(':scope > li', {
      hasText: '1.1.0',
    });
    await versions11.getByRole('button', { name: 'Revoke…' }).click();
    await versions11.getByLabel(/Why revoke 1.1.0/).fill('leaks clip titles');
    await versions11.getByRole('button', { name: 'Revoke for good' }).click();
    await versions11.getByText('Revoked: leaks clip titles').waitFor({ timeout: TIMEOUT });
    expect(await versions11.getByRole('button').count()).toBe(0);
    await web().shot(publisherPage, 'publisher');
  }, 60_000);
});
