import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const repo = path.resolve(import.meta.dirname, '../..');

export interface DockerInstruction {
  /** Upper-case keyword: FROM, RUN, COPY, CMD… */
  keyword: string;
  args: string;
  /** Index of the build stage (FROM) the instruction belongs to; -1 before the first FROM. */
  stage: number;
}

/** The Dockerfile as instructions: comments dropped, `\` continuations joined. */
export function readDockerfile(file = path.join(repo, 'Dockerfile')): DockerInstruction[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  let stage = -1;
  return logical.map((line) => {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line) as RegExpExecArray;
    if (keyword.toUpperCase() === 'FROM') stage++;
    return { keyword: keyword.toUpperCase(), args, stage };
  });
}

/** An exec-form (JSON array) command, as `CMD` and `HEALTHCHECK … CMD` take it. */
export function execForm(args: string): string[] {
  const start = args.indexOf('[');
  if (start < 0) throw new Error(`not an exec-form command: ${args}`);
  const argv = JSON.parse(args.slice(start)) as unknown;
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) throw new Error(`bad exec form: ${args}`);
  return argv;
}

/** The runtime stage's CMD and HEALTHCHECK command: what a container runs. */
export function imageCommands(instructions = readDockerfile()): { cmd: string[]; healthcheck: string[] } {
  const last = Math.max(...instructions.map((i) => i.stage));
  const final = instructions.filter((i) => i.stage === last);
  const cmd = final.findLast((i) => i.keyword === 'CMD');
  const health = final.findLast((i) => i.keyword === 'HEALTHCHECK');
  if (!cmd || !health) throw new Error('the runtime stage needs a CMD and a HEALTHCHECK');
  return { cmd: execForm(cmd.args), healthcheck: execForm(health.args.slice(health.args.indexOf(' CMD ') + 1)) };
}

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  ports?: string[];
  networks?: Record<string, { ipv4_address?: string }>;
  [key: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  [key: string]: unknown;
}

/**
 * compose.yaml as Compose reads it with no variables set: YAML merge keys resolved and
 * `${NAME:-default}` / `${NAME-default}` / `${NAME}` interpolated with their defaults (Compose
 * interpolates before it validates).
 */
export function readCompose(file = path.join(repo, 'compose.yaml')): ComposeFile {
  const text = readFileSync(file, 'utf8').replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (_, _name, fallback = '') => fallback);
  return parse(text, { merge: true }) as ComposeFile;
}
