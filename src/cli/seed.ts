import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { action } from './action.ts';

export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description(
      'Fill an empty database: example plugins built and published, listings, reviews, demo clips; prints a demo admin token last',
    )
    .action(
      action(async () => {
        const config = loadConfig();
        const { createPubSub } = await import('graphql-yoga');
        const { migrate, openDatabase } = await import('../db/orm.ts');
        const { createLogger } = await import('../logger.ts');
        const { createPlatform } = await import('../services/platform/index.ts');
        const { seedDatabase } = await import('../seed/seed.ts');
        const db = await openDatabase(config);
        const platform = createPlatform({
          db,
          events: createPubSub(),
          logger: createLogger(config.logLevel),
          workers: 1,
          circuitCooldownMs: config.circuitCooldownMs,
          callsPerUser: 1,
          requireSignatures: config.requireSignatures,
        });
        try {
          await migrate(db);
          await platform.start();
          const result = await seedDatabase(platform);
          console.error(
            `Seeded ${result.users} users, ${result.plugins} listings (${result.versions} with a published version), ${result.reviews} reviews and ${result.clips} clips.`,
          );
          console.error('Token of the demo admin (@demo), shown once:');
          console.log(result.demoToken);
        } finally {
          await platform.close();
          await db.close();
        }
      }),
    );
}
