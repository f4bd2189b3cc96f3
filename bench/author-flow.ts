// Times the plugin author's flow as a new user runs it: `plugin new`, `build`, `test` (and
// `publish` when --server and --token are given), each as a fresh CLI process on a fresh
// scaffold outside the repository. Target: the whole flow under 60 s.
//   npx tsx bench/author-flow.ts [--server http://localhost:4000 --token TOKEN]
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const TARGET_SECONDS = 60;
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const cli = path.join(repo, 'bin', 'plugboard.js');
const { values } = parseArgs({ options: { server: { type: 'string' }, token: { type: 'string' } } });

function run(args: string[], cwd: string): Promise<{ ms: number; out: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile('node', [cli, ...args], { cwd, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`plugboard ${args.join(' ')} failed:\n${stdout}${stderr}`));
      else resolve({ ms: performance.now() - started, out: stdout });
    });
  });
}

const work = await mkdtemp(path.join(tmpdir(), 'plugboard-author-'));
const slug = `bench-${Date.now().toString(36)}`;
const steps: [string, string[]][] = [
  ['new', ['plugin', 'new', slug]],
  ['build', ['plugin', 'build', slug]],
  ['test', ['plugin', 'test', slug]],
];
if (values.server && values.token)
  steps.push(['publish', ['plugin', 'publish', slug, '--server', values.server, '--token', values.token]]);
else console.log('(no --server/--token: publish not timed)');

try {
  // The CLI's start-up alone, to separate it from the work each step does.
  const startup = await run(['--help'], work);
  console.log(`${'cli start-up'.padEnd(14)} ${(startup.ms / 1000).toFixed(1).padStart(6)} s   (plugboard --help)`);
  let total = 0;
  for (const [name, args] of steps) {
    const { ms } = await run(args, work);
    total += ms;
    console.log(`${`plugin ${name}`.padEnd(14)} ${(ms / 1000).toFixed(1).padStart(6)} s`);
  }
  const verdict = total / 1000 < TARGET_SECONDS ? 'within' : 'OVER';
  console.log(
    `${'total'.padEnd(14)} ${(total / 1000).toFixed(1).padStart(6)} s   ${verdict} the ${TARGET_SECONDS} s target (${(total / 1000 / TARGET_SECONDS).toFixed(2)} of it)`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
