import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { buildTestPlugin, listAndPublish } from '../support/plugins.ts';
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
/** The first page of results (scrolling to the end of a short page loads the next one by itself). */
const firstPage = async (page: Page) => (await resultNames(page)).slice(0, 9);

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
    await expect.poll(() => firstPage(page)).toEqual(await apiNames({}));
    const card = page.locator('.results .card', { hasText: 'Game Stats' });
    await expect.poll(() => card.textContent()).toContain('by ClipForge Labs');
    expect(await card.getByText('verified publisher').count()).toBe(1);
    expect(await card.getByRole('img', { name: /Rated 4\.0 out of 5, 3 ratings/ }).count()).toBe(1);
    expect(await card.textContent()).toMatch(/v1\.0\.0/);
    expect(await card.textContent()).toMatch(/\d(\.\d)?K?\s*downloads/);
    const unverified = page.locator('.results .card', { hasText: 'Data Normalizer' });
    expect(await unverified.getByText('verified publisher').count()).toBe(0);
    await web.shot(page, 'marketplace');

    // Scrolling to the end loads the page after the first one's end cursor (the button that does
    // it by hand is pressed for you once it is in view): together they are every listing once.
    await page.getByRole('button', { name: 'Show more plugins' }).scrollIntoViewIfNeeded();
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
      if (expected.length) await expect.poll(() => firstPage(page), { message: query }).toEqual(expected);
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
    await expect.poll(() => firstPage(page)).toEqual(await apiNames({}));
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
          .poll(() => firstPage(page), { message: `${key}=${value}` })
          .toEqual(await apiNames({ [key]: value }));
      }
      await page.getByLabel(label, { exact: true }).selectOption('');
    }
    await page.getByLabel('Verified publishers only').check();
    await expect.poll(() => firstPage(page)).toEqual(await apiNames({ verifiedOnly: true }));
    await page.getByLabel('Verified publishers only').uncheck();

    // Tags combine: each one checked narrows the search to listings with all of them.
    await page.getByLabel(/^stats \(/).check();
    await expect.poll(() => firstPage(page)).toEqual(await apiNames({ tags: ['stats'] }));
    await page.getByLabel(/^games \(/).check();
    await expect.poll(() => firstPage(page)).toEqual(await apiNames({ tags: ['stats', 'games'] }));
    await web.shot(page, 'marketplace-filters');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => firstPage(page)).toEqual(await apiNames({}));
  });

  it('sorts by each order the API offers', async () => {
    const page = await web.open('/');
    for (const sort of ['DOWNLOADS', 'RATING', 'NEWEST', 'NAME']) {
      await page.getByLabel('Sort by').selectOption(sort);
      await expect.poll(() => firstPage(page), { message: sort }).toEqual(await apiNames({ sort }));
    }
  });

  it('works from the keyboard: skip link, search, a card, and focus on the new page', async () => {
    const page = await web.open('/');
    await page.locator('.results .card').first().waitFor();
    const focused = () =>
      page.evaluate('[document.activeElement.tagName, document.activeElement.id, document.activeElement.textContent]');
    await page.keyboard.press('Tab');
    expect((await focused()) as string[]).toEqual(['A', '', 'Skip to content']);
    await page.keyboard.press('Enter');
    expect(((await focused()) as string[])[1]).toBe('main');
    await page.getByLabel('Search plugins').focus();
    await page.keyboard.type('game stats');
    await expect.poll(() => firstPage(page)).toEqual(await apiNames({ query: 'game stats' }));
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = ((await focused()) as string[])[2] === 'Game Stats';
    }
    expect(reached, 'Tab reaches the card link').toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/plugins/game-stats');
    await page.getByRole('heading', { level: 1, name: 'Game Stats' }).waitFor();
    expect(((await focused()) as string[])[1]).toBe('main');
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
        web.server,
        web.demoToken,
        { ...tagger.manifest, version, changelog: `Changes in ${version}` },
        tagger.wasm,
      );
    const admin = (query: string) => web.server.ok(query, {}, web.demoToken);
    await admin('mutation { revokePluginVersion(slug: "tagger", version: "1.0.0", reason: "Leaked titles") { id } }');
    await admin('mutation { deprecatePluginVersion(slug: "tagger", version: "1.1.0", reason: "Use 1.3") { id } }');
    await admin('mutation { yankPluginVersion(slug: "tagger", version: "1.2.0") { id } }');

    const page = await web.open('/plugins/tagger');
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
    await web.shot(page, 'plugin-versions');
  });

  it('says when a plugin is unknown, and when a listing has no version to install', async () => {
    const page = await web.open('/plugins/no-such-plugin');
    await page.getByRole('heading', { level: 1, name: 'Plugin not found' }).waitFor();
    const listed = await web.open('/plugins/kill-counter');
    await listed.getByText('No version is published yet.').waitFor();
    expect(await listed.getByRole('button', { name: 'Install' }).isDisabled()).toBe(true);
  });
});

describeBrowser('signing in', { timeout: 120_000 }, () => {
  it('refuses a wrong token, keeps the demo token across reloads, and signs out', async () => {
    const page = await web.open('/sign-in?next=%2Fplugins%2Fclip-tagger');
    const field = page.getByLabel('API token');
    for (const wrong of ['pb_not-a-token', `${web.demoToken}x`, 'Bearer nope']) {
      await field.fill(wrong);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('The API token is not valid').waitFor();
      expect(await field.getAttribute('aria-invalid'), wrong).toBe('true');
      expect(await page.evaluate("localStorage.getItem('plugboard.token')"), wrong).toBeNull();
    }
    // The browser logs each refused request (401) itself; the app logs nothing.
    web.expectNoConsoleErrors({ allow: [/status of 401/] });
    await field.fill('');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Paste a token first.').waitFor();
    await web.shot(page, 'sign-in');

    // "Bearer " pasted in front is tolerated; the page named by ?next= opens.
    await field.fill(`Bearer ${web.demoToken}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/plugins/clip-tagger');
    await page.getByText('@demo').waitFor();
    expect(await page.getByRole('link', { name: 'Install', exact: true }).getAttribute('href')).toBe(
      '/plugins/clip-tagger/install',
    );
    for (const item of ['My installations', 'Executions', 'Publisher'])
      expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: item }).count()).toBe(1);
    await page.reload({ waitUntil: 'load' });
    await page.getByText('@demo').waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('banner').getByRole('link', { name: 'Sign in', exact: true }).waitFor();
    expect(await page.evaluate("localStorage.getItem('plugboard.token')")).toBeNull();
    expect(await page.getByRole('link', { name: 'My installations' }).count()).toBe(0);
  });

  it('lets the page speak graphql-ws to its own origin under its CSP, and nowhere else', async () => {
    const page = await web.open('/');
    await page.locator('.results .card').first().waitFor();
    const ws = `${web.server.url.replace('http', 'ws')}/graphql`;
    const protocol = await page.evaluate(`new Promise((resolve) => {
      const socket = new WebSocket(${JSON.stringify(ws)}, 'graphql-transport-ws');
      socket.onopen = () => { socket.send(JSON.stringify({ type: 'connection_init' })); };
      socket.onmessage = (event) => { resolve(JSON.parse(event.data).type); socket.close(); };
      socket.onerror = () => resolve('error');
    })`);
    expect(protocol).toBe('connection_ack');
    // Another origin is refused by the browser before any request leaves it.
    const other = await page.evaluate(`fetch('http://127.0.0.2:9/').then(() => 'sent', () => 'blocked')`);
    expect(other).toBe('blocked');
    await expect
      .poll(() => web.errors.some((e) => /127\.0\.0\.2.*violates the following Content Security Policy/.test(e)))
      .toBe(true);
    web.expectNoConsoleErrors({ allow: [/127\.0\.0\.2.*Content Security Policy/] });
  });

  it('offers to sign out when the stored token is revoked', async () => {
    const token = await web.server.user('revoked-web');
    const page = await web.open('/', { token });
    await page.getByText('@revoked-web').waitFor();
    const { apiTokens } = await web.server.ok<
      { apiTokens: { edges: { node: { id: string } }[] } },
      Record<string, never>
    >('{ apiTokens { edges { node { id } } } }', {}, token);
    await web.server.ok(
      'mutation ($id: ID!) { revokeApiToken(id: $id) { id } }',
      { id: apiTokens.edges[0].node.id },
      token,
    );
    await page.goto('/plugins/game-stats', { waitUntil: 'load' });
    await page.getByText('Your token is no longer accepted').waitFor();
    web.expectNoConsoleErrors({ allow: [/status of 401/] });
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
    web.server.ok<Reviews, { slug: string }>(
      `query ($slug: String!) { plugin(slug: $slug) { rating { count histogram }
         reviews(first: 50) { edges { node { title rating helpfulCount author { handle } } } } } }`,
      { slug },
    );

  it('writes, edits and deletes your own review, shows the server problems by field, and votes on others', async () => {
    const token = await web.server.user('critic');
    const before = await reviewsOf('data-normalizer');
    const page = await web.open('/plugins/data-normalizer', { token });
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
    await web.shot(page, 'plugin-review-form');
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
    await web.shot(page, 'plugin-signed-in');

    await page.getByRole('button', { name: 'Delete review' }).click();
    await page.getByRole('button', { name: 'Yes, delete it' }).click();
    await page.getByRole('button', { name: 'Write a review' }).waitFor();
    expect(await page.locator('.review h3', { hasText: 'Changed my mind' }).count()).toBe(0);
    const gone = await reviewsOf('data-normalizer');
    expect(gone.plugin.rating.count).toBe(before.plugin.rating.count);
    expect(gone.plugin.reviews.edges.some((e) => e.node.author.handle === 'critic')).toBe(false);
  });
});
