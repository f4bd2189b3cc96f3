import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeBrowser, useWebSession } from './support.ts';

// The marketplace and signing in, in Debian's chromium against a seeded server: what the page
// shows is compared with what the API answers for the same search, for every filter value.
const web = useWebSession();

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
  const data = await web().server.ok<{ plugins: { edges: { node: { name: string } }[] } }, Search & { first: number }>(
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
    const page = await web().open('/');
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
    await web().shot(page, 'marketplace');

    // Scrolling to the end loads the page after the first one's end cursor (the button that does
    // it by hand is pressed for you once it is in view): together they are every listing once.
    await page.getByRole('button', { name: 'Show more plugins' }).scrollIntoViewIfNeeded();
    const all = await web().server.ok<{ plugins: { edges: { node: { name: string } }[] } }, Record<string, never>>(
      '{ plugins(first: 50) { edges { node { name } } } }',
    );
    await expect.poll(() => resultNames(page)).toEqual(all.plugins.edges.map((e) => e.node.name));
    expect(await page.getByRole('button', { name: 'Show more plugins' }).count()).toBe(0);
  });

  it('searches as you type, and shows what the API finds for each query', async () => {
    const page = await web().open('/');
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
    await web().shot(page, 'marketplace-search');
    // Back to the empty search: the featured strip returns.
    await box.fill('');
    await page.getByRole('heading', { name: 'Featured' }).waitFor();
    // The Marketplace link clears a search too, and the box follows the URL.
    await box.pressSequentially('clip');
    await page.waitForURL((url) => url.searchParams.get('q') === 'clip');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Marketplace' }).click();
    await page.getByRole('heading', { name: 'Featured' }).waitFor();
    await page.waitForTimeout(500);
    expect(new URL(page.url()).search).toBe('');
    expect(await box.inputValue()).toBe('');
  });

  it('filters by every category, hook and permission the facets offer, and by verified publisher', async () => {
    const page = await web().open('/');
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
    await web().shot(page, 'marketplace-filters');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => firstPage(page)).toEqual(await apiNames({}));
  });

  it('sorts by each order the API offers', async () => {
    const page = await web().open('/');
    for (const sort of ['DOWNLOADS', 'RATING', 'NEWEST', 'NAME']) {
      await page.getByLabel('Sort by').selectOption(sort);
      await expect.poll(() => firstPage(page), { message: sort }).toEqual(await apiNames({ sort }));
    }
  });

  it('works from the keyboard: skip link, search, a card, and focus on the new page', async () => {
    const page = await web().open('/');
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
    const page = await web().open('/', { width: 360, height: 740 });
    await page.locator('.results .card').first().waitFor();
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBe(0);
    expect(await page.getByLabel('Sort by').isVisible()).toBe(false);
    await web().shot(page, 'marketplace-phone');
  });
});

describeBrowser('signing in', { timeout: 120_000 }, () => {
  it('refuses a wrong token, keeps the demo token across reloads, and signs out', async () => {
    const page = await web().open('/sign-in?next=%2Fplugins%2Fclip-tagger');
    const field = page.getByLabel('API token');
    for (const wrong of ['pb_not-a-token', `${web().demoToken}x`, 'Bearer nope']) {
      await field.fill(wrong);
      // The browser logs the refused request (401) itself, sometimes after the page has shown
      // the refusal: wait for that log line, so none arrives after the check below.
      const logged = page.waitForEvent('console', {
        predicate: (m) => m.type() === 'error' && /status of 401/.test(m.text()),
      });
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('The API token is not valid').waitFor();
      await logged;
      expect(await field.getAttribute('aria-invalid'), wrong).toBe('true');
      expect(await page.evaluate("localStorage.getItem('plugboard.token')"), wrong).toBeNull();
    }
    // Only those refused requests were logged; the app itself logs nothing.
    web().expectNoConsoleErrors({ allow: [/status of 401/] });
    await field.fill('');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Paste a token first.').waitFor();
    await web().shot(page, 'sign-in');

    // "Bearer " pasted in front is tolerated; the page named by ?next= opens.
    await field.fill(`Bearer ${web().demoToken}`);
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
    const page = await web().open('/');
    await page.locator('.results .card').first().waitFor();
    const ws = `${web().server.url.replace('http', 'ws')}/graphql`;
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
      .poll(() => web().errors.some((e) => /127\.0\.0\.2.*violates the following Content Security Policy/.test(e)))
      .toBe(true);
    web().expectNoConsoleErrors({ allow: [/127\.0\.0\.2.*Content Security Policy/] });
  });

  it('offers to sign out when the stored token is revoked', async () => {
    const token = await web().server.user('revoked-web');
    const page = await web().open('/', { token });
    await page.getByText('@revoked-web').waitFor();
    const { apiTokens } = await web().server.ok<
      { apiTokens: { edges: { node: { id: string } }[] } },
      Record<string, never>
    >('{ apiTokens { edges { node { id } } } }', {}, token);
    await web().server.ok(
      'mutation ($id: ID!) { revokeApiToken(id: $id) { id } }',
      { id: apiTokens.edges[0].node.id },
      token,
    );
    await page.goto('/plugins/game-stats', { waitUntil: 'load' });
    await page.getByText('Your token is no longer accepted').waitFor();
    web().expectNoConsoleErrors({ allow: [/status of 401/] });
  });
});
