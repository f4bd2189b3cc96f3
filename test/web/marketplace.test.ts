import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeBrowser, startWebSession, type WebSession } from './support.ts';

// The marketplace and plugin pages in Debian's chromium against a seeded server: what the page
// shows is compared with what the API answers for the same search, for every filter value.
let web: WebSession;
beforeAll(async () => {
  web = await startWebSession();
}, 180_000);
afterAll(() => web?.close());
afterEach(() => web?.expectNoConsoleErrors());

interface Search {
  query?: string;
  category?: string;
  tags?: string[];
  hook?: string;
  permission?: string;
  verifiedOnly?: boolean;
  sort?: string;
}

/** The first page (9, as the app asks) of a search, straight from the API. */
async function apiNames(search: Search): Promise<string[]> {
  const data = await web.server.ok<{ plugins: { edges: { node: { name: string } }[] } }, Search & { first: number }>(
    `query ($query: String, $category: String, $tags: [String!], $hook: String, $permission: String,
            $verifiedOnly: Boolean, $sort: PluginSort, $first: Int) {
      plugins(query: $query, category: $category, tags: $tags, hook: $hook, permission: $permission,
              verifiedOnly: $verifiedOnly, sort: $sort, first: $first) { edges { node { name } } } }`,
    { ...search, first: 9 },
  );
  return data.plugins.edges.map((e) => e.node.name);
}

const resultNames = (page: Page) => page.locator('.results .card-title').allTextContents();

/** Options of a select, without its "any" first entry. */
async function optionValues(page: Page, label: string): Promise<string[]> {
  const values = await page
    .getByLabel(label, { exact: true })
    .locator('option')
    .evaluateAll((options) => options.map((o) => (o as unknown as { value: string }).value));
  return values.filter(Boolean);
}

describeBrowser('marketplace', { timeout: 120_000 }, () => {
  it('shows the featured strip and cards with publisher, verified mark, rating, downloads and version; pages on', async () => {
    const page = await web.open('/');
    await page.getByRole('heading', { name: 'Featured' }).waitFor();
    const featured = await page.locator('.featured .card-title').allTextContents();
    expect(featured.sort()).toEqual(['Clip Tagger', 'Highlight Detector']);
    await expect.poll(() => resultNames(page)).toEqual(await apiNames({}));
    const card = page.locator('.results .card', { hasText: 'Game Stats' });
    await expect.poll(() => card.textContent()).toContain('by ClipForge Labs');
    expect(await card.getByText('verified publisher').count()).toBe(1);
    expect(await card.getByRole('img', { name: /Rated 4\.0 out of 5, 3 ratings/ }).count()).toBe(1);
    expect(await card.textContent()).toMatch(/v1\.0\.0/);
    expect(await card.textContent()).toMatch(/\d(\.\d)?K?\s*downloads/);
    const unverified = page.locator('.results .card', { hasText: 'Data Normalizer' });
    expect(await unverified.getByText('verified publisher').count()).toBe(0);
    await web.shot(page, 'marketplace');

    // The next page comes after the first one's end cursor: together they are every listing once.
    await page.getByRole('button', { name: 'Show more plugins' }).click();
    const all = await web.server.ok<{ plugins: { edges: { node: { name: string } }[] } }, Record<string, never>>(
      '{ plugins(first: 50) { edges { node { name } } } }',
    );
    await expect.poll(() => resultNames(page)).toEqual(all.plugins.edges.map((e) => e.node.name));
    expect(await page.getByRole('button', { name: 'Show more plugins' }).count()).toBe(0);
  });

  it('searches as you type, and shows what the API finds for each query', async () => {
    const page = await web.open('/');
    const box = page.getByLabel('Search plugins');
    for (const query of ['stat', 'clip', 'high', 'streamkit', 'tags', 'no-such-plugin-zz']) {
      await box.fill('');
      await box.pressSequentially(query, { delay: 30 });
      await page.waitForURL((url) => url.searchParams.get('q') === query);
      const expected = await apiNames({ query });
      if (expected.length) await expect.poll(() => resultNames(page), { message: query }).toEqual(expected);
      else await page.getByText('No plugin matches this search').waitFor();
      expect(await page.getByRole('heading', { name: 'Featured' }).count(), query).toBe(0);
    }
    await box.fill('stat');
    await web.shot(page, 'marketplace-search');
    // Back to the empty search: the featured strip returns.
    await box.fill('');
    await page.getByRole('heading', { name: 'Featured' }).waitFor();
  });

  it('filters by every category, hook and permission the facets offer, and by verified publisher', async () => {
    const page = await web.open('/');
    await expect.poll(() => resultNames(page)).toEqual(await apiNames({}));
    for (const [label, key] of [
      ['Category', 'category'],
      ['Runs on', 'hook'],
      ['Asks for permission', 'permission'],
    ] as const) {
      const values = await optionValues(page, label);
      expect(values.length, label).toBeGreaterThan(0);
      for (const value of values) {
        await page.getByLabel(label, { exact: true }).selectOption(value);
        await page.waitForURL((url) => url.searchParams.get(key) === value);
        await expect
          .poll(() => resultNames(page), { message: `${key}=${value}` })
          .toEqual(await apiNames({ [key]: value }));
      }
      await page.getByLabel(label, { exact: true }).selectOption('');
    }
    await page.getByLabel('Verified publishers only').check();
    await expect.poll(() => resultNames(page)).toEqual(await apiNames({ verifiedOnly: true }));
    await page.getByLabel('Verified publishers only').uncheck();

    // Tags combine: each one checked narrows the search to listings with all of them.
    await page.getByLabel(/^stats \(/).check();
    await expect.poll(() => resultNames(page)).toEqual(await apiNames({ tags: ['stats'] }));
    await page.getByLabel(/^games \(/).check();
    await expect.poll(() => resultNames(page)).toEqual(await apiNames({ tags: ['stats', 'games'] }));
    await web.shot(page, 'marketplace-filters');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => resultNames(page)).toEqual(await apiNames({}));
  });

  it('sorts by each order the API offers', async () => {
    const page = await web.open('/');
    for (const sort of ['DOWNLOADS', 'RATING', 'NEWEST', 'NAME']) {
      await page.getByLabel('Sort by').selectOption(sort);
      await expect.poll(() => resultNames(page), { message: sort }).toEqual(await apiNames({ sort }));
    }
  });

  it('fits a 360-pixel phone: no sideways scrolling, filters folded', async () => {
    const page = await web.open('/', { width: 360, height: 740 });
    await page.locator('.results .card').first().waitFor();
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBe(0);
    expect(await page.getByLabel('Sort by').isVisible()).toBe(false);
    await web.shot(page, 'marketplace-phone');
  });
});

describeBrowser('plugin page', { timeout: 120_000 }, () => {
  it('opens from its card and shows what the plugin is, asks for and runs, its versions and reviews', async () => {
    const page = await web.open('/');
    await page.getByRole('link', { name: 'Highlight Detector' }).first().click();
    await page.waitForURL('**/plugins/highlight-detector');
    await page.getByRole('heading', { level: 1, name: 'Highlight Detector' }).waitFor();
    expect(await page.title()).toBe('Highlight Detector · Plugboard');
    const { plugin } = await web.server.ok<
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
    await web.shot(page, 'plugin');

    // A reload of the client route is served index.html; back returns to the marketplace.
    await page.reload({ waitUntil: 'load' });
    await page.getByRole('heading', { level: 1, name: 'Highlight Detector' }).waitFor();
    await page.goBack({ waitUntil: 'load' });
    await page.getByRole('heading', { level: 1, name: 'Marketplace' }).waitFor();
  });

  it('marks prerelease, deprecated, yanked and revoked versions, and says when a plugin is unknown', async () => {
    const page = await web.open('/plugins/no-such-plugin');
    await page.getByRole('heading', { level: 1, name: 'Plugin not found' }).waitFor();
    const listed = await web.open('/plugins/kill-counter');
    await listed.getByText('No version is published yet.').waitFor();
    expect(await listed.getByRole('button', { name: 'Install' }).isDisabled()).toBe(true);
  });
});
