import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pluginAsconfig, sdkDir } from '../../sdk-assemblyscript/compiler/paths.ts';
import { cSdkDir } from '../../sdk-c/compiler/paths.ts';

/** Languages `plugin new --lang` scaffolds, each from its SDK's template. */
export const PLUGIN_LANGUAGES = ['assemblyscript', 'c'] as const;
export type PluginLanguage = (typeof PLUGIN_LANGUAGES)[number];

const TEMPLATE_DIRS: Record<PluginLanguage, string> = {
  assemblyscript: path.join(sdkDir, 'template'),
  c: path.join(cSdkDir, 'template'),
};
// Template files carry a suffix so that the repository's own vitest and tsc never pick them up.
const SUFFIX = '.tmpl';

export class ScaffoldError extends Error {
  readonly code = 'SCAFFOLD_FAILED';
}

async function templateFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(SUFFIX)).map((e) => path.join(e.parentPath, e.name));
}

function title(slug: string): string {
  return slug
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

/** Where a template file lands: suffix dropped, `gitignore` dotted, the test named after the plugin. */
function targetName(relative: string, slug: string): string {
  const name = relative.slice(0, -SUFFIX.length);
  if (name === 'gitignore') return '.gitignore';
  if (name === 'plugin.test.ts') return `${slug}.test.ts`;
  return name;
}

/**
 * Creates a plugin folder from the SDK template. The asconfig extends the SDK's shared config by
 * a relative path, so the folder builds wherever it is created, inside this repository or not;
 * a C plugin finds `plugboard.h` through the toolchain's include path.
 */
export async function scaffoldPlugin(
  target: string,
  slug: string,
  { lang = 'assemblyscript' }: { lang?: string } = {},
): Promise<string[]> {
  if (!(PLUGIN_LANGUAGES as readonly string[]).includes(lang)) {
    throw new ScaffoldError(`unknown language "${lang}": use one of ${PLUGIN_LANGUAGES.join(', ')}`);
  }
  const templateDir = TEMPLATE_DIRS[lang as PluginLanguage];
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(slug)) {
    throw new ScaffoldError(
      `"${slug}" is not a valid plugin name: use lowercase letters, digits and single dashes (e.g. my-plugin)`,
    );
  }
  if (
    await stat(target).then(
      (s) => s.isDirectory() && true,
      () => false,
    )
  ) {
    if ((await readdir(target)).length > 0) throw new ScaffoldError(`${target} already exists and is not empty`);
  }
  const vars: Record<string, string> = {
    slug,
    title: title(slug),
    dir: path.relative(process.cwd(), target) || '.',
    sdkAsconfig: path.relative(target, pluginAsconfig).split(path.sep).join('/'),
  };
  const written: string[] = [];
  for (const file of await templateFiles(templateDir)) {
    const text = (await readFile(file, 'utf8')).replace(/\{\{(\w+)\}\}/g, (m, key: string) => vars[key] ?? m);
    const out = path.join(target, targetName(path.relative(templateDir, file), slug));
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, text);
    written.push(out);
  }
  return written.sort();
}
