import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { action } from './action.ts';

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('Start the GraphQL server (applies pending migrations first)')
    .option('--seed', 'on an empty database, publish the example plugins and demo data first, and print a demo token')
    .action(
      action(async (opts: { seed?: boolean }) => {
        const config = loadConfig();
        // Imported here so that other commands start without loading the whole server.
        const { createLogger } = await import('../logger.ts');
        const { startServer } = await import('../server/start-server.ts');
        const logger = createLogger(config.logLevel);
        // Seeded before listening: no client (nor the anonymous read cache) sees a half-filled marketplace.
        const running = await startServer({
          config,
          logger,
          beforeListen: opts.seed ? (app) => seedIfEmpty(app.platform) : undefined,
        });
        console.error(`\n  GraphiQL: ${running.url}/graphql\n`);
        const stop = (signal: string) => {
          logger.info({ signal }, 'shutting down');
          const force = setTimeout(() => process.exit(1), 10_000);
          force.unref();
          running.close().then(
            () => process.exit(0),
            (err: unknown) => {
              logger.error({ err }, 'shutdown failed');
              process.exit(1);
            },
          );
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      }),
    );

  program
    .command('migrate')
    .description('Apply pending database migrations and exit')
    .action(
      action(async () => {
        const config = loadConfig();
        const { migrate, openDatabase } = await import('../db/orm.ts');
        const db = await openDatabase(config);
        try {
          const applied = await migrate(db);
          console.log(applied.length ? `Applied ${applied.join(', ')}` : 'Database is up to date');
        } finally {
          await db.close();
        }
      }),
    );
}

async function seedIfEmpty(platform: import('../services/platform/index.ts').Platform): Promise<void> {
  const { User } = await import('../entities/index.ts');
  if ((await platform.db.fork().count(User, {})) > 0) return;
  const { seedDatabase } = await import('../seed/seed.ts');
  const result = await seedDatabase(platform);
  console.error(
    `\n  Seeded a demo marketplace: ${result.plugins} listings, ${result.versions} runnable plugins, ${result.clips} clips.`,
  );
  console.error(
    `  Demo admin token (shown once; use it as "Authorization: Bearer <token>"):\n\n    ${result.demoToken}`,
  );
}
