import { type Command, Option } from 'commander';
import { loadConfig } from '../config.ts';
import { action } from './action.ts';
import { ROLES, type Role } from '../entities/user.ts';

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('Manage users and API tokens');
  users
    .command('create')
    .description('Create a user; prints a new API token as the last line')
    .requiredOption('--handle <handle>', 'unique handle (lower-case letters, digits, _ and -)')
    .addOption(new Option('--role <role>', 'role').choices(ROLES).default('MEMBER'))
    .option('--name <displayName>', 'display name (defaults to the handle)')
    .option('--verified', 'mark as a verified publisher', false)
    .action(
      action(async (opts: { handle: string; role: Role; name?: string; verified: boolean }) => {
        const config = loadConfig();
        const { migrate, openDatabase } = await import('../db/orm.ts');
        const { createUser } = await import('../services/users.ts');
        const db = await openDatabase(config);
        try {
          await migrate(db);
          const { user, token } = await createUser(
            { db },
            {
              handle: opts.handle,
              role: opts.role,
              displayName: opts.name,
              verifiedPublisher: opts.verified,
            },
          );
          console.error(`Created ${user.role} @${user.handle}. The token below is shown once; store it now.`);
          console.log(token);
        } finally {
          await db.close();
        }
      }),
    );
}
