import { fileURLToPath } from 'node:url';
import { decodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlugin } from '../../sdk-assemblyscript/compiler/build.ts';
import { contractOf, readPluginJson } from '../../src/contracts/index.ts';
import { runDueSchedules, startScheduler } from '../../src/services/schedules/index.ts';
import {
  CreateScheduleDocument,
  DefaultScheduleDocument,
  DeleteScheduleDocument,
  InstallationSchedulesDocument,
  PauseScheduleDocument,
  ResumeScheduleDocument,
  ScheduledExecutionDocument,
  UninstallDocument,
  UpdateInstallationDocument,
} from '../generated/graphql.ts';
import { INSTALL, listAndPublish } from '../support/plugins.ts';
import { expectCode, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let publisher: string;
let manifest: Record<string, unknown> & { slug: string };
let wasm: Uint8Array;
const GRANTS = ['log', 'kv', 'clips:read'];
const rowId = (globalId: string) => Number(decodeGlobalID(globalId).id);

beforeAll(async () => {
  // No timer: each test runs the scheduler's pass itself, at the time it chooses.
  server = await startTestServer({ env: { PLUGBOARD_SCHEDULER_POLL_MS: '0' } });
  publisher = await server.user('clockmaker', 'PUBLISHER');
  const dir = fileURLToPath(new URL('../../plugins-wasm/game-stats/', import.meta.url));
  manifest = contractOf(await readPluginJson(dir)) as unknown as typeof manifest;
  wasm = (await buildPlugin(dir)).bytes;
  await listAndPublish(server, publisher, manifest, wasm);
}, 120_000);
afterAll(() => server?.stop());

async function install(token: string, extra: Record<string, unknown> = {}) {
  return (await server.ok(INSTALL, { input: { slug: manifest.slug, grantPermissions: GRANTS, ...extra } }, token))
    .installPlugin.id;
}

const schedulesOf = async (token: string, installationId: string) =>
  (await server.ok(InstallationSchedulesDocument, { id: installationId }, token)).installation!.schedules;

const create = (token: string, input: Record<string, unknown>) =>
  server.gql(CreateScheduleDocument, { input: input as never }, token);

/**
 * Runs the scheduler's pass as if the clock read `at`, and returns what it did with one schedule
 * (the pass runs every due schedule: those of other tests too).
 */
const pass = async (scheduleId: string, at: Date | string) =>
  (await runDueSchedules(server.app.platform, new Date(at))).filter((r) => r.scheduleId === rowId(scheduleId));

async function setRow(scheduleId: string, values: Record<string, unknown>) {
  const em = server.app.platform.db.fork();
  const bound = Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, v instanceof Date ? em.getPlatform().processDateProperty(v) : v]),
  );
  await em.execute(em.getKnex()('schedules').where('id', rowId(scheduleId)).update(bound));
}

describe('default schedules at install', () => {
  it('shows the version’s default and creates it when the installer accepts it', async () => {
    const { plugin } = await server.ok(DefaultScheduleDocument, { slug: manifest.slug });
    expect(plugin!.latestVersion!.schedule).toMatchObject({ cron: '0 0 * * *', timezone: 'UTC', function: null });
    const token = await server.user('accepts');
    const id = await install(token);
    const [schedule] = await schedulesOf(token, id);
    expect(schedule).toMatchObject({ cron: '0 0 * * *', timezone: 'UTC', function: 'schedule', paused: false });
    const runs = schedule.nextRuns.map((d) => new Date(d as string));
    expect(runs.map((d) => d.toISOString().slice(11))).toEqual(Array(3).fill('00:00:00.000Z'));
    expect(runs[1].getTime() - runs[0].getTime()).toBe(86_400_000);
    expect(runs[0].getTime()).toBeGreaterThan(Date.now());
  });

  it('creates none when declined, and the installer’s edit when edited', async () => {
    const decliner = await server.user('declines');
    expect(await schedulesOf(decliner, await install(decliner, { schedule: null }))).toEqual([]);
    const editor = await server.user('edits');
    const edited = await install(editor, { schedule: { cron: '30 6 * * 1-5', timezone: 'Europe/Berlin' } });
    expect(await schedulesOf(editor, edited)).toMatchObject([
      { cron: '30 6 * * 1-5', timezone: 'Europe/Berlin', function: 'schedule' },
    ]);
  });

  it('refuses an edit with a bad cron, timezone or function, and installs nothing', async () => {
    const token = await server.user('bad-edit');
    const result = await server.gql(
      INSTALL,
      {
        input: {
          slug: manifest.slug,
          grantPermissions: GRANTS,
          schedule: { cron: '61 * * * *', timezone: 'Mars/Base', function: 'nope' },
        },
      },
      token,
    );
    expectCode(result, 'BAD_USER_INPUT');
    const problems = result.errors![0].extensions!.problems!;
    expect(problems.map((p) => [p.field, p.code]).sort()).toEqual([
      ['input.schedule.cron', 'INVALID_CRON'],
      ['input.schedule.function', 'UNKNOWN_FUNCTION'],
      ['input.schedule.timezone', 'INVALID_TIMEZONE'],
    ]);
    expect(await server.ok('{ installations { edges { node { id } } } }', {}, token)).toEqual({
      installations: { edges: [] },
    });
  });
});

describe('createSchedule', () => {
  let owner: string;
  let installationId: string;

  beforeAll(async () => {
    owner = await server.user('scheduler-owner');
    installationId = await install(owner, { schedule: null });
  });

  it('refuses bad patterns, timezones and functions with stable codes and writes nothing', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ cron: '* * * *' }, 'input.cron', 'INVALID_CRON'],
      [{ cron: '* * * * * *' }, 'input.cron', 'INVALID_CRON'], // seconds: finer than a minute
      [{ cron: '61 * * * *' }, 'input.cron', 'INVALID_CRON'],
      [{ cron: '' }, 'input.cron', 'INVALID_CRON'],
      [{ cron: 'every day' }, 'input.cron', 'INVALID_CRON'],
      [{ cron: '0 0 31 2 *' }, 'input.cron', 'INVALID_CRON'], // never due
      [{ cron: `0 0 * * ${'1,'.repeat(60)}1` }, 'input.cron', 'INVALID_CRON'], // too long
      [{ cron: '0 * * * *', timezone: 'Mars/Base' }, 'input.timezone', 'INVALID_TIMEZONE'],
      [{ cron: '0 * * * *', timezone: '' }, 'input.timezone', 'INVALID_TIMEZONE'],
      [{ cron: '0 * * * *', timezone: 'UTC+25' }, 'input.timezone', 'INVALID_TIMEZONE'],
      [{ cron: '0 * * * *', function: 'clip_captured' }, 'input.function', 'UNKNOWN_FUNCTION'],
      [{ cron: '0 * * * *', function: 'missing' }, 'input.function', 'UNKNOWN_FUNCTION'],
      [{ cron: '0 * * * *', input: 'x'.repeat(64 * 1024 + 1) }, 'input.input', 'TOO_LONG'],
    ];
    for (const [fields, field, code] of cases) {
      const result = await create(owner, { installationId, ...fields });
      expectCode(result, 'BAD_USER_INPUT', JSON.stringify(fields).slice(0, 80));
      expect(result.errors![0].extensions!.problems).toContainEqual(expect.objectContaining({ field, code }));
    }
    expect(await schedulesOf(owner, installationId)).toEqual([]);
  });

  it('is for the installation’s owner only, with a WRITE token', async () => {
    const stranger = await server.user('stranger');
    expectCode(await create(stranger, { installationId, cron: '0 * * * *' }), 'NOT_FOUND');
    const created = await server.ok<{ createApiToken: { token: string } }, Record<string, never>>(
      'mutation { createApiToken(input: { name: "ro", scopes: [READ] }) { token } }',
      {},
      owner,
    );
    expectCode(await create(created.createApiToken.token, { installationId, cron: '0 * * * *' }), 'FORBIDDEN');
  });

  it('allows at most 10 schedules per installation', async () => {
    for (let i = 0; i < 10; i++) {
      const result = await create(owner, { installationId, cron: `${i} * * * *`, function: 'stats' });
      expect(result.errors).toBeUndefined();
    }
    const over = await create(owner, { installationId, cron: '59 * * * *', function: 'stats' });
    expectCode(over, 'BAD_USER_INPUT');
    expect(over.errors![0].extensions!.problems![0].code).toBe('TOO_MANY_SCHEDULES');
    for (const s of await schedulesOf(owner, installationId))
      await server.ok(DeleteScheduleDocument, { id: s.id }, owner);
    expect(await schedulesOf(owner, installationId)).toEqual([]);
  });
});

describe('runs', () => {
  it('runs each due time once as a SCHEDULE execution, and once for a window missed while down', async () => {
    const token = await server.user('runner');
    const installationId = await install(token);
    const [schedule] = await schedulesOf(token, installationId);
    const due = schedule.nextRunAt as string;
    expect(await pass(schedule.id, new Date(new Date(due).getTime() - 1000))).toEqual([]);
    const [run] = await pass(schedule.id, due);
    expect(run).toMatchObject({ scheduleId: rowId(schedule.id), outcome: 'RAN', status: 'SUCCEEDED' });
    // The same due time again, as another pass (or instance) would see it: already claimed.
    expect(await pass(schedule.id, due)).toEqual([]);
    const { execution } = await server.ok(
      ScheduledExecutionDocument,
      { id: Buffer.from(`Execution:${run.executionId}`).toString('base64') },
      token,
    );
    expect(execution).toMatchObject({
      trigger: 'SCHEDULE',
      hook: 'schedule',
      function: 'schedule',
      status: 'SUCCEEDED',
      schedule: { id: schedule.id },
    });
    expect(JSON.parse(execution!.output!)).toMatchObject({ run: 1, clips: 0 });
    let [after] = await schedulesOf(token, installationId);
    expect(after.lastExecution).toMatchObject({ status: 'SUCCEEDED' });
    expect(after.lastRunAt).toBe(due);
    expect(after.running).toBe(false);
    expect(new Date(after.nextRunAt as string).getTime()).toBe(new Date(due).getTime() + 86_400_000);

    // Down for three days and a bit: one run for the whole window, then on from "now".
    const later = new Date(new Date(due).getTime() + 3.5 * 86_400_000);
    const missed = await pass(schedule.id, later);
    expect(missed.map((r) => r.outcome)).toEqual(['RAN']);
    [after] = await schedulesOf(token, installationId);
    expect(new Date(after.nextRunAt as string).getTime()).toBe(new Date(due).getTime() + 4 * 86_400_000);
    const runs = await server.ok(
      `query($id: ID!) { executions(filter: { scheduleId: $id, trigger: SCHEDULE }) { edges { node { output } } } }`,
      { id: schedule.id },
      token,
    );
    expect(
      (runs as { executions: { edges: { node: { output: string } }[] } }).executions.edges.map(
        (e) => JSON.parse(e.node.output).run,
      ),
    ).toEqual([2, 1]);
  });

  it('does not run paused schedules, and resumes from now', async () => {
    const token = await server.user('pauser');
    const installationId = await install(token);
    const [schedule] = await schedulesOf(token, installationId);
    const { pauseSchedule } = await server.ok(PauseScheduleDocument, { id: schedule.id }, token);
    expect(pauseSchedule).toMatchObject({ paused: true, nextRunAt: null, nextRuns: [] });
    expect(await pass(schedule.id, new Date(Date.now() + 7 * 86_400_000))).toEqual([]);
    const { resumeSchedule } = await server.ok(ResumeScheduleDocument, { id: schedule.id }, token);
    expect(resumeSchedule.paused).toBe(false);
    expect(resumeSchedule.nextRunAt).toBe(schedule.nextRunAt);
  });

  it('records a disabled installation’s due run as REJECTED, visible on the schedule', async () => {
    const token = await server.user('disabler');
    const installationId = await install(token);
    await server.ok(UpdateInstallationDocument, { input: { id: installationId, enabled: false } }, token);
    const [schedule] = await schedulesOf(token, installationId);
    const [run] = await pass(schedule.id, schedule.nextRunAt as string);
    expect(run).toMatchObject({ outcome: 'RAN', status: 'REJECTED' });
    const [after] = await schedulesOf(token, installationId);
    expect(after.lastExecution).toMatchObject({ status: 'REJECTED', errorCode: 'PLUGIN_REJECTED' });
  });

  it('never overlaps a run still going: that due time is skipped and counted', async () => {
    const token = await server.user('overlapper');
    const installationId = await install(token);
    const [schedule] = await schedulesOf(token, installationId);
    const em = server.app.platform.db.fork();
    const other = '00000000-0000-4000-8000-000000000001';
    await em.execute(
      em
        .getKnex()('instances')
        .insert({
          id: other,
          started_at: new Date(),
          lease_expires_at: new Date(Date.now() + 60_000),
        }),
    );
    await setRow(schedule.id, { lease_owner: other, leased_at: new Date() });
    const due = schedule.nextRunAt as string;
    expect((await pass(schedule.id, due)).map((r) => r.outcome)).toEqual(['SKIPPED']);
    let [after] = await schedulesOf(token, installationId);
    expect(after).toMatchObject({ running: true, skippedRuns: 1, lastExecution: null });
    // The instance holding it died: its lease ends with it, and the next due time runs.
    await em.execute(em.getKnex()('instances').where('id', other).delete());
    const next = after.nextRunAt as string;
    expect((await pass(schedule.id, next)).map((r) => r.outcome)).toEqual(['RAN']);
    [after] = await schedulesOf(token, installationId);
    expect(after).toMatchObject({ running: false, skippedRuns: 1, lastExecution: { status: 'SUCCEEDED' } });
  });

  it('pauses a schedule whose function an upgrade dropped, saying why', async () => {
    const token = await server.user('upgrader');
    const installationId = await install(token);
    const [schedule] = await schedulesOf(token, installationId);
    const { schedule: _, ...withoutSchedule } = manifest as Record<string, unknown>;
    await listAndPublish(
      server,
      publisher,
      { ...withoutSchedule, slug: manifest.slug, version: '1.0.1', hooks: ['clip.captured'] },
      wasm,
    );
    await server.ok('mutation($id: ID!) { upgradeInstallation(id: $id) { id } }', { id: installationId }, token);
    expect((await pass(schedule.id, schedule.nextRunAt as string)).map((r) => r.outcome)).toEqual(['PAUSED']);
    const [after] = await schedulesOf(token, installationId);
    expect(after).toMatchObject({ paused: true, nextRunAt: null, lastExecution: null });
    expect(after.pausedReason).toContain('no longer declares "schedule"');
    expectCode(await server.gql(ResumeScheduleDocument, { id: schedule.id }, token), 'BAD_USER_INPUT');
  });

  it('keeps executions when a schedule is deleted, and drops schedules with their installation', async () => {
    const token = await server.user('deleter');
    const installationId = await install(token, { versionRange: '1.0.0' });
    const [schedule] = await schedulesOf(token, installationId);
    const [run] = await pass(schedule.id, schedule.nextRunAt as string);
    const { deleteSchedule } = await server.ok(DeleteScheduleDocument, { id: schedule.id }, token);
    expect(deleteSchedule.id).toBe(schedule.id);
    const executionId = Buffer.from(`Execution:${run.executionId}`).toString('base64');
    const { execution } = await server.ok(ScheduledExecutionDocument, { id: executionId }, token);
    expect(execution).toMatchObject({ trigger: 'SCHEDULE', schedule: null });
    const again = await create(token, { installationId, cron: '0 12 * * *' });
    expect(again.errors).toBeUndefined();
    await server.ok(UninstallDocument, { id: installationId }, token);
    const left = await server.app.platform.db
      .fork()
      .execute(server.app.platform.db.fork().getKnex()('schedules').where('installation_id', rowId(installationId)));
    expect(left).toEqual([]);
  });

  it('runs due schedules from its own timer', async () => {
    const token = await server.user('timed');
    const installationId = await install(token, { versionRange: '1.0.0' });
    const [schedule] = await schedulesOf(token, installationId);
    await setRow(schedule.id, { next_run_at: new Date(Date.now() - 1000) });
    const scheduler = startScheduler(server.app.platform, { pollMs: 50 });
    try {
      let after = schedule;
      for (let i = 0; i < 200 && !after.lastExecution; i++) {
        await new Promise((r) => setTimeout(r, 50));
        [after] = await schedulesOf(token, installationId);
      }
      expect(after.lastExecution).toMatchObject({ status: 'SUCCEEDED' });
      expect(new Date(after.nextRunAt as string).getTime()).toBeGreaterThan(Date.now());
    } finally {
      await scheduler.close();
    }
  });

  it('survives a restart: a time that passed while the server was down runs once when it is back', async () => {
    const token = await server.user('restarter');
    const installationId = await install(token, { versionRange: '1.0.0' });
    const [schedule] = await schedulesOf(token, installationId);
    await server.close();
    server = await startTestServer({ storage: server.storage, env: { PLUGBOARD_SCHEDULER_POLL_MS: '0' } });
    const [after] = await schedulesOf(token, installationId);
    expect(after).toMatchObject({ id: schedule.id, cron: schedule.cron, nextRunAt: schedule.nextRunAt });
    const later = new Date(new Date(schedule.nextRunAt as string).getTime() + 2 * 86_400_000 + 60_000);
    expect((await pass(schedule.id, later)).map((r) => [r.outcome, r.status])).toEqual([['RAN', 'SUCCEEDED']]);
    expect(await pass(schedule.id, later)).toEqual([]);
  });
});
