/**
 * Requests/s for the 50-plugin marketplace page (publisher, latest version, three reviews each)
 * versus `{ __typename }`, on one running server, measured alternately in the same run.
 * Target: the page reaches at least 0.3 of the trivial query's rate.
 *
 * The page is measured twice: anonymously, as the public marketplace is browsed (answered from the
 * read cache after the first request), and with a token, which is answered from the shared
 * signed-in answer after its second request (one statement: the read version). The whole data
 * path (SQL through DataLoaders, GraphQL execution) runs for the first two, and after any write to
 * public data; `statements.ts`, whose server shares nothing, measures it alone.
 *
 *   npx tsx bench/marketplace.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate, openDatabase } from '../src/db/orm.ts';
import { createPlugin } from '../src/services/plugins.ts';
import { createReview } from '../src/services/reviews.ts';
import { createUser } from '../src/services/users.ts';
import { load, spawnServer } from './support.ts';

const PAGE = `{ plugins(first: 50) { edges { node { slug name summary rating { average count histogram }
  publisher { handle displayName verifiedPublisher } latestVersion { version permissions }
  reviews(first: 3) { edges { node { rating title body } } } } } } }`;

const dataDir = mkdtempSync(path.join(tmpdir(), 'plugboard-bench-'));
const db = await openDatabase({ dataDir });
await migrate(db);
const publishers = await Promise.all(
  [0, 1, 2].map(async (i) => (await createUser({ db }, { handle: `pub${i}`, role: 'PUBLISHER' })).user),
);
const { token } = await createUser({ db }, { handle: 'reader' });
const reviewers = await Promise.all(
  [0, 1, 2, 3].map(async (i) => (await createUser({ db }, { handle: `rev${i}` })).user),
);
for (let i = 0; i < 50; i++) {
  const slug = `plugin-${i}`;
  await createPlugin({ db }, publishers[i % 3], {
    slug,
    name: `Plugin ${i}`,
    summary: 'A plugin for the benchmark',
    category: 'utilities',
  });
  for (const reviewer of reviewers)
    await createReview({ db }, reviewer, slug, {
      rating: 1 + ((i + reviewer.id) % 5),
      title: 'Review',
      body: 'Body text',
    });
}
await db.close();

const { url, child } = await spawnServer({ PLUGBOARD_DATA_DIR: dataDir });
const endpoint = `${url}/graphql`;
try {
  await load(endpoint, JSON.stringify({ query: PAGE }), { seconds: 1 }); // warm-up
  const trivial: number[] = [];
  const page: number[] = [];
  const signedIn: number[] = [];
  for (let round = 0; round < 3; round++) {
    trivial.push(await load(endpoint, JSON.stringify({ query: '{ __typename }' })));
    page.push(await load(endpoint, JSON.stringify({ query: PAGE })));
    signedIn.push(await load(endpoint, JSON.stringify({ query: PAGE }), { token }));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const line = (label: string, xs: number[]) =>
    console.log(
      `${label.padEnd(34)} ${median(xs).toFixed(0).padStart(6)} req/s  (rounds: ${xs.map((x) => x.toFixed(0)).join(', ')})`,
    );
  line('{ __typename }', trivial);
  line('50-plugin page, anonymous (cached)', page);
  line('50-plugin page, signed in (shared)', signedIn);
  const ratio = median(page) / median(trivial);
  console.log(
    `ratio anonymous page / trivial      ${ratio.toFixed(3)}  (target >= 0.3: ${ratio >= 0.3 ? 'met' : 'NOT met'})`,
  );
  console.log(
    `ratio signed-in page / trivial      ${(median(signedIn) / median(trivial)).toFixed(3)}  (shared answer, one statement per request)`,
  );
} finally {
  child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
