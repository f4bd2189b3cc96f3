import { expect, it } from 'vitest';
import { buildTestPlugin, listAndPublish } from '../support/plugins.ts';
import { describeBrowser, useWebSession } from './support.ts';

// The plugin page in Debian's chromium against a seeded server: what it shows is compared with
// what the API answers; reviews are written, edited, voted on and deleted through it.
const web = useWebSession();

describeBrowser('plugin page', { timeout: 120_000 }, () => {
  it('opens from its card and shows what the plugin is, asks for and runs, its versions and reviews', async () => {
    const page = await web().open('/');
    await page.getByRole('link', { name: 'Highlight Detector' }).first().click();
    await page.waitForURL('**/plugins/highlight-detector');
    await page.getByRole('heading', { level: 1, name: 'Highlight Detector' }).waitFor();
    expect(await page.title()).toBe('Highlight Detector · Plugboard');
    const { plugin } = await web().server.ok<
      {
        plugin: {
          summary: string;
          rating: { histogram: number[] };
          latestVersion: {
            version: string;
            permissions: string[];
            hooks: string[];
            functions: string[];
            hostApi: string;
          };
          reviews: { edges: { node: { title: string } }[] };
        };
      },
      Record<string, never>
    >(
      `{ plugin(slug: "highlight-detector") { summary rating { histogram }
         latestVersion { version permissions hooks functions hostApi } reviews(first: 10) { edges { node { title } } } } }`,
    );
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain(plugin.summary);
    for (const p of plugin.latestVersion.permissions) expect(text).toContain(p);
    expect(text).toContain('Change the clip');
    for (const h of plugin.latestVersion.hooks) expect(text).toContain(h);
    for (const f of plugin.latestVersion.functions) expect(text).toContain(f);
    expect(text).toContain(plugin.latestVersion.hostApi);
    const version = page.locator('.versions li', { hasText: `v${plugin.latestVersion.version}` });
    expect(await version.getByText('latest').count()).toBe(1);
    for (const [i, n] of plugin.rating.histogram.entries())
      expect(
        await page
          .locator('.histogram-row')
          .nth(4 - i)
          .locator('.histogram-count')
          .textContent(),
      ).toMatch(new RegExp(`^${n}`));
    expect(await page.locator('.review h3').allTextContents()).toEqual(plugin.reviews.edges.map((e) => e.node.title));
    // Signed out: the install button asks to sign in first.
    expect(await page.getByRole('link', { name: 'Sign in to install' }).getAttribute('href')).toBe(
      '/sign-in?next=%2Fplugins%2Fhighlight-detector%2Finstall',
    );
    await web().shot(page, 'plugin');

    // A reload of the client route is served index.html; back returns to the marketplace.
    await page.reload({ waitUntil: 'load' });
    await page.getByRole('heading', { level: 1, name: 'Highlight Detector' }).waitFor();
    await page.goBack({ waitUntil: 'load' });
    await page.getByRole('heading', { level: 1, name: 'Marketplace' }).waitFor();
  });

  it('marks prerelease, deprecated, yanked and revoked versions with their reasons and changelogs', async () => {
    const tagger = await buildTestPlugin('tagger');
    const marks: Record<string, string[]> = {
      '1.0.0': ['revoked'],
      '1.1.0': ['deprecated'],
      '1.2.0': ['yanked'],
      '1.3.0': ['latest'],
      '2.0.0-beta.1': ['prerelease'],
    };
    for (const version of Object.keys(marks))
      await listAndPublish(
        web().server,
        web().demoToken,
        { ...tagger.manifest, version, changelog: `Changes in ${version}` },
        tagger.wasm,
      );
    const admin = (query: string) => web().server.ok(query, {}, web().demoToken);
    await admin('mutation { revokePluginVersion(slug: "tagger", version: "1.0.0", reason: "Leaked titles") { id } }');
    await admin('mutation { deprecatePluginVersion(slug: "tagger", version: "1.1.0", reason: "Use 1.3") { id } }');
    await admin('mutation { yankPluginVersion(slug: "tagger", version: "1.2.0") { id } }');

    const page = await web().open('/plugins/tagger');
    await page.getByRole('heading', { level: 1, name: 'tagger' }).waitFor();
    for (const [version, expected] of Object.entries(marks)) {
      const row = page.locator('.versions > li', { hasText: `v${version}` });
      const badges = await row.locator('.badge').allTextContents();
      expect(badges.sort(), version).toEqual(expected);
      await row.locator('summary').click();
      await row.getByText(`Changes in ${version}`).waitFor();
    }
    await page.locator('.versions > li', { hasText: 'v1.0.0' }).getByText('Revoked: Leaked titles').waitFor();
    await page.locator('.versions > li', { hasText: 'v1.1.0' }).getByText('Deprecated: Use 1.3').waitFor();
    expect(await page.locator('main').textContent()).toContain('Latest v1.3.0');
    await web().shot(page, 'plugin-versions');
  });

  it('says when a plugin is unknown, and when a listing has no version to install', async () => {
    const page = await web().open('/plugins/no-such-plugin');
    await page.getByRole('heading', { level: 1, name: 'Plugin not found' }).waitFor();
    const listed = await web().open('/plugins/kill-counter');
    await listed.getByText('No version is published yet.').waitFor();
    expect(await listed.getByRole('button', { name: 'Install' }).isDisabled()).toBe(true);
  });
});

describeBrowser('reviews', { timeout: 120_000 }, () => {
  interface Reviews {
    plugin: {
      rating: { count: number; histogram: number[] };
      reviews: {
        edges: { node: { title: string; rating: number; helpfulCount: number; author: { handle: string } } }[];
      };
    };
  }
  const reviewsOf = (slug: string) =>
    web().server.ok<Reviews, { slug: string }>(
      `query ($slug: String!) { plugin(slug: $slug) { rating { count histogram }
         reviews(first: 50) { edges { node { title rating helpfulCount author { handle } } } } } }`,
      { slug },
    );

  it('writes, edits and deletes your own review, shows the server problems by field, and votes on others', async () => {
    const token = await web().server.user('critic');
    const before = await reviewsOf('data-normalizer');
    const page = await web().open('/plugins/data-normalizer', { token });
    await page.getByRole('button', { name: 'Write a review' }).click();
    const form = page.locator('form.review-form');

    // Each combination of missing fields: the server's problems appear beside exactly those fields.
    for (const { rating, title, fields } of [
      { rating: null, title: '', fields: ['Rating', 'Title'] },
      { rating: 3, title: '', fields: ['Title'] },
      { rating: null, title: 'Fine', fields: ['Rating'] },
    ]) {
      await form.getByLabel('Title').fill(title);
      if (rating) await form.getByLabel(`${rating} stars`).check();
      await form.getByRole('button', { name: 'Post review' }).click();
      await form.locator('.field-problems').first().waitFor();
      const problems = await form
        .locator('.field-problems')
        .evaluateAll((lists) => lists.map((l) => (l as unknown as { id: string }).id));
      expect(problems.map((id) => (id.includes('rating') ? 'Rating' : 'Title')).sort(), JSON.stringify(fields)).toEqual(
        fields,
      );
      if (fields.includes('Title')) expect(await form.getByLabel('Title').getAttribute('aria-invalid')).toBe('true');
      // A new page for the next case: the radio group cannot be unset.
      await page.reload({ waitUntil: 'load' });
      await page.getByRole('button', { name: 'Write a review' }).click();
    }
    expect((await reviewsOf('data-normalizer')).plugin.rating.count).toBe(before.plugin.rating.count);

    await form.getByLabel('4 stars').check();
    await form.getByLabel('Title').fill('Solid scaling');
    await form.getByLabel('Review', { exact: true }).fill('Handles outliers well.');
    await form.getByLabel('Version you used').selectOption('1.0.0');
    await web().shot(page, 'plugin-review-form');
    await form.getByRole('button', { name: 'Post review' }).click();
    await page.getByRole('heading', { name: 'Your review' }).waitFor();
    await page.locator('.review', { hasText: 'Solid scaling' }).getByText('your review').waitFor();
    let after = await reviewsOf('data-normalizer');
    expect(after.plugin.rating.count).toBe(before.plugin.rating.count + 1);
    expect(after.plugin.reviews.edges[0].node).toMatchObject({
      title: 'Solid scaling',
      rating: 4,
      author: { handle: 'critic' },
    });
    // The histogram on the page moved with it.
    await expect
      .poll(() => page.locator('.histogram-row').nth(1).locator('.histogram-count').textContent())
      .toMatch(new RegExp(`^${after.plugin.rating.histogram[3]}`));

    await page.getByRole('button', { name: 'Edit review' }).click();
    await form.getByLabel('2 stars').check();
    await form.getByLabel('Title').fill('Changed my mind');
    await form.getByRole('button', { name: 'Save review' }).click();
    await page.locator('.review h3', { hasText: 'Changed my mind' }).waitFor();
    after = await reviewsOf('data-normalizer');
    expect(after.plugin.reviews.edges[0].node).toMatchObject({ title: 'Changed my mind', rating: 2 });

    // Votes: not on your own review; on another, pressed state and count follow the server.
    const own = page.locator('.review', { hasText: 'Changed my mind' });
    expect(await own.getByRole('button', { name: 'Helpful', exact: true }).count()).toBe(0);
    const other = page.locator('.review').filter({ hasNotText: 'Changed my mind' }).first();
    const otherTitle = (await other.locator('h3').textContent()) ?? '';
    const helpful = other.getByRole('button', { name: 'Helpful', exact: true });
    await helpful.click();
    await expect.poll(() => helpful.getAttribute('aria-pressed')).toBe('true');
    const voted = (await reviewsOf('data-normalizer')).plugin.reviews.edges.find((e) => e.node.title === otherTitle);
    await other.getByText(`${voted?.node.helpfulCount} found this helpful`).waitFor();
    await other.getByRole('button', { name: 'Not helpful' }).click();
    await expect
      .poll(() => other.getByRole('button', { name: 'Not helpful' }).getAttribute('aria-pressed'))
      .toBe('true');
    expect(await helpful.getAttribute('aria-pressed')).toBe('false');
    await web().shot(page, 'plugin-signed-in');

    await page.getByRole('button', { name: 'Delete review' }).click();
    await page.getByRole('button', { name: 'Yes, delete it' }).click();
    await page.getByRole('button', { name: 'Write a review' }).waitFor();
    expect(await page.locator('.review h3', { hasText: 'Changed my mind' }).count()).toBe(0);
    const gone = await reviewsOf('data-normalizer');
    expect(gone.plugin.rating.count).toBe(before.plugin.rating.count);
    expect(gone.plugin.reviews.edges.some((e) => e.node.author.handle === 'critic')).toBe(false);
  });
});
