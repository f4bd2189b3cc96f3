import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { GraphQLError, ExecutionArgs, execute as graphqlExecute, subscribe as graphqlSubscribe } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Context } from '../../schema/context.ts';
import { apiError } from '../../schema/errors.ts';
import type { Outboxes } from './create-outbox.ts';
import { requestScope, type RequestInfo } from '../request-scope.ts';

/**
 * graphql-ws on the same port and path as HTTP. Each subscription goes through yoga's own
 * envelope, so WebSocket operations get the same context, plugins and error masking.
 */
type Enveloped = {
  execute: (args: ExecutionArgs) => ReturnType<typeof graphqlExecute>;
  subscribe: (args: ExecutionArgs) => ReturnType<typeof graphqlSubscribe>;
};

/** Operations one socket may have running at once (each holds a listener on the event bus). */
export const MAX_OPERATIONS_PER_SOCKET = 100;

type Root = Enveloped & { requestId: string; scope: RequestInfo };

/** Each operation's log lines carry `<connection id>:<operation id>` (the latter when sane). */
const inScope = <T>(args: ExecutionArgs, run: () => T): T => requestScope.run((args.rootValue as Root).scope, run);

const SANE_OPERATION_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const connectionIds = new WeakMap<object, string>();

export function attachWebSocket(
  server: Server,
  yoga: YogaServerInstance<Record<string, unknown>, Context>,
  {
    maxPayloadBytes,
    outboxes,
    onOperationEnd,
  }: {
    maxPayloadBytes: number;
    outboxes: Outboxes;
    /** Told once per operation, when it completes or fails: its scope and how long it ran. */
    onOperationEnd?: (scope: RequestInfo, seconds: number) => void;
  },
) {
  /** The operations running on each socket, by their id: for their line when they end. */
  const running = new WeakMap<object, Map<string, { scope: RequestInfo; start: number }>>();
  const end = (socket: object, id: string, outcome?: 'error') => {
    const operation = running.get(socket)?.get(id);
    if (!operation) return;
    running.get(socket)?.delete(id);
    if (outcome) operation.scope.outcome = outcome;
    onOperationEnd?.(operation.scope, (performance.now() - operation.start) / 1000);
  };
  // ws accepts 100 MiB messages by default; nothing legitimate is bigger than an HTTP body.
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload: maxPayloadBytes });
  // Query and mutation results go straight to the socket: a peer that sends operations but
  // never reads would otherwise have every answer buffered. Each send is checked against the
  // connection's outbox, the one its subscriptions fill too.
  wss.on('connection', (socket) => {
    const outbox = outboxes.forSocket(socket);
    const send = socket.send.bind(socket) as (data: unknown, cb?: (err?: Error) => void) => void;
    socket.send = ((data: unknown, cb?: (err?: Error) => void) => {
      if (outbox.overflows()) return cb?.();
      send(data, cb);
    }) as typeof socket.send;
  });
  const disposable = useServer(
    {
      // Work done for an operation is logged with it if anything escapes (see the process guard).
      execute: (args) => inScope(args, () => (args.rootValue as Root).execute(args)),
      subscribe: (args) => inScope(args, () => (args.rootValue as Root).subscribe(args)),
      onSubscribe: async (ctx, id, params) => {
        const connection = connectionIds.get(ctx.extra.socket) ?? randomUUID();
        connectionIds.set(ctx.extra.socket, connection);
        const operation = SANE_OPERATION_ID.test(id) ? id : randomUUID();
        const scope: RequestInfo = {
          requestId: `${connection}:${operation}`,
          transport: 'graphql-ws',
          operationName: params.operationName ?? null,
        };
        const operations = running.get(ctx.extra.socket) ?? new Map();
        running.set(ctx.extra.socket, operations);
        operations.set(id, { scope, start: performance.now() });
        // The operation being started is already counted in `ctx.subscriptions`.
        if (Object.keys(ctx.subscriptions).length > MAX_OPERATIONS_PER_SOCKET) {
          return [
            apiError(
              'TOO_MANY_OPERATIONS',
              `At most ${MAX_OPERATIONS_PER_SOCKET} operations may run at once on one connection`,
            ),
          ];
        }
        // Whatever goes wrong answers this operation only: thrown, it would close the socket and
        // every other operation on it (a syntax error, or the database closing at shutdown).
        try {
          const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
            ...ctx,
            req: ctx.extra.request,
            socket: ctx.extra.socket,
            params,
          });
          const document = parse(params.query);
          const args = {
            schema,
            operationName: params.operationName,
            document,
            variableValues: params.variables,
            contextValue: await contextFactory(),
            rootValue: { execute, subscribe, requestId: scope.requestId, scope } satisfies Root,
          };
          const errors = validate(args.schema, args.document);
          if (errors.length) return errors;
          return args;
        } catch (err) {
          if ((err as Error | null)?.name === 'GraphQLError') return [err as GraphQLError];
          yoga.logger.error(err);
          return [apiError('INTERNAL_SERVER_ERROR', 'Unexpected error.')];
        }
      },
      onError: (ctx, id) => end(ctx.extra.socket, id, 'error'),
      onComplete: (ctx, id) => end(ctx.extra.socket, id),
    },
    wss,
  );
  return {
    async close() {
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
