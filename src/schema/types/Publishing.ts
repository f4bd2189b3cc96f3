import { Plugin } from '../../entities/index.ts';
import { type PluginRecord, selectRows } from '../../services/read/index.ts';
import { builder } from '../builder.ts';
import { arrayConnection } from '../connection.ts';
import { PluginRef, UserRef } from '../refs.ts';

// What a publishing client (the web app's publisher page) needs to read before it uploads.

builder.objectField(UserRef, 'plugins', (t) =>
  t.connection({
    type: PluginRef,
    description: 'Listings this user publishes, newest first',
    resolve: async (user, args, ctx) =>
      arrayConnection(
        await selectRows<PluginRecord>(ctx.em, Plugin, (qb) => qb.where('publisher_id', user.id).orderBy('id', 'desc')),
        args,
      ),
  }),
);

builder.queryField('signaturesRequired', (t) =>
  t.boolean({
    description:
      'Whether this server takes only signed versions (PLUGBOARD_REQUIRE_SIGNATURES): publishes then need `signature`',
    resolve: (_root, _args, ctx) => ctx.app.config.requireSignatures,
  }),
);
