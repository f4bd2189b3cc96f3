import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { Plugin, PluginVersion, User } from '../entities/index.ts';
import { buildExamples } from '../toolchain/examples.ts';
import {
  contractOf,
  manifestSha256,
  rawPublicKey,
  readPluginJson,
  sha256Hex,
  signRelease,
} from '../contracts/index.ts';
import { createClip } from '../services/clips.ts';
import { ConflictError } from '../services/errors.ts';
import { installPlugin } from '../services/installations.ts';
import type { Platform } from '../services/platform/index.ts';
import { createPlugin, setPluginFeatured } from '../services/plugins.ts';
import { publishPluginVersion } from '../services/publish.ts';
import type { UserRecord } from '../services/read/index.ts';
import { createReview } from '../services/reviews.ts';
import { registerSigningKey } from '../services/signing-keys.ts';
import { createUser } from '../services/users.ts';
import { CLIPS, DEMO_INSTALLS, EXAMPLE_TAGS, EXTRA_LISTINGS, PUBLISHERS, REVIEW_TEXTS, REVIEWERS } from './data.ts';

export interface SeedResult {
  users: number;
  plugins: number;
  versions: number;
  reviews: number;
  clips: number;
  /** Token of the `demo` admin, for trying writes in GraphiQL. */
  demoToken: string;
  demoUser: UserRecord;
}

/**
 * Fills an empty database: publishers, the example plugins from plugins-wasm/ built from source
 * and published, more listings, reviews, and demo clips that the demo user's installed plugins
 * process through their hooks.
 */
export async function seedDatabase(platform: Platform): Promise<SeedResult> {
  if ((await platform.db.fork().count(User, {})) > 0)
    throw new ConflictError('The database already has users: seed fills an empty database only');
  const { user: demoUser, token: demoToken } = await createUser(platform, {
    handle: 'demo',
    displayName: 'Demo Admin',
    role: 'ADMIN',
  });
  const publishers: UserRecord[] = [];
  for (const p of PUBLISHERS)
    publishers.push(
      (
        await createUser(platform, {
          handle: p.handle,
          displayName: p.displayName,
          role: 'PUBLISHER',
          verifiedPublisher: p.verified,
        })
      ).user,
    );
  // Each publisher signs its examples with a key made here; only the public half is kept (in the
  // database), so the seed's versions verify and a server requiring signatures installs them.
  const signingKeys = new Map<number, { privateKey: KeyObject; fingerprint: string }>();
  for (const publisher of publishers) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    await registerSigningKey(platform, publisher, {
      publicKey: rawPublicKey(publicKey).toString('base64'),
      name: 'seed',
    });
    signingKeys.set(publisher.id, { privateKey, fingerprint: sha256Hex(rawPublicKey(publicKey)) });
  }
  const reviewers: UserRecord[] = [];
  for (const handle of REVIEWERS)
    reviewers.push(
      (await createUser(platform, { handle, displayName: handle[0].toUpperCase() + handle.slice(1) })).user,
    );

  const slugs: string[] = [];
  let versions = 0;
  for (const [i, build] of (await buildExamples()).entries()) {
    const json = await readPluginJson(build.wasmPath.replace(/\/build\/plugin\.wasm$/, ''));
    const publisher = publishers[i % publishers.length];
    await createPlugin(platform, publisher, {
      slug: json.slug,
      name: json.name ?? json.slug,
      summary: json.summary ?? json.slug,
      category: json.category ?? 'other',
      tags: EXAMPLE_TAGS[json.slug] ?? [],
      license: 'Apache-2.0',
    });
    const manifest = contractOf(json);
    const key = signingKeys.get(publisher.id)!;
    const signature = signRelease(key.privateKey, {
      slug: json.slug,
      version: json.version,
      moduleSha256: sha256Hex(build.bytes),
      manifestSha256: manifestSha256(manifest),
    });
    await publishPluginVersion(platform, publisher, {
      slug: json.slug,
      manifest,
      wasm: build.bytes,
      signature: { fingerprint: key.fingerprint, signature },
    });
    slugs.push(json.slug);
    versions++;
  }
  for (const [slug, name, summary, category, tags, publisher] of EXTRA_LISTINGS) {
    await createPlugin(platform, publishers[publisher], {
      slug,
      name,
      summary,
      category,
      tags: [...tags],
      license: 'MIT',
      description: `${summary}.`,
    });
    slugs.push(slug);
  }

  let reviews = 0;
  for (const [i, slug] of slugs.entries()) {
    for (const [j, reviewer] of reviewers.slice(0, (i * 7) % reviewers.length).entries()) {
      const [rating, title, body] = REVIEW_TEXTS[(i + j) % REVIEW_TEXTS.length];
      await createReview(platform, reviewer, slug, { rating, title, body });
      reviews++;
    }
    // Download counts make the default sort interesting before real installs add up.
    await platform.db
      .fork()
      .nativeUpdate(Plugin, { slug }, { downloadCount: (slugs.length - i) * 150 + ((i * 37) % 11) * 10 });
  }
  await setPluginFeatured(platform, demoUser, 'highlight-detector', true);
  await setPluginFeatured(platform, demoUser, 'clip-tagger', true);

  for (const slug of DEMO_INSTALLS.filter((s) => slugs.includes(s))) {
    const { permissions } = await platform.db.fork().findOneOrFail(PluginVersion, { plugin: { slug }, latest: true });
    await installPlugin(platform, demoUser, { slug, grantPermissions: permissions });
  }
  for (const [title, game, durationMs, tags, timeline] of CLIPS) {
    await createClip(platform, demoUser, {
      title,
      game,
      durationMs,
      tags: [...tags],
      mediaUrl: `/media/${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.mp4`,
      width: 1920,
      height: 1080,
      fps: 60,
      codec: 'h264',
      metadata: {
        events: timeline.map(([t, type, value]) => (value === undefined ? { t, type } : { t, type, value })),
      },
    });
  }
  // Seeding writes through services, not mutations: move the write epoch so that anonymous reads
  // cached while it ran (here, or on instances sharing the event bus) are dropped.
  platform.events.publish('write-epoch', 'seed');
  return {
    users: 1 + publishers.length + reviewers.length,
    plugins: slugs.length,
    versions,
    reviews,
    clips: CLIPS.length,
    demoToken,
    demoUser,
  };
}
