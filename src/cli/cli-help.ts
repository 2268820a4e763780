import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The help texts of every verb, recorded by the build (`npm run build` runs
 * dist/cli/write-help.js, which boots the CLI without a database), keyed by the
 * command path ('' for the root, 'gaps', 'assets sync'). `candlekeep --help`
 * answers from it without loading Nest.
 */
export const HELP_FILE = join(__dirname, '..', 'cli-help.json');

const HELP_FLAGS = new Set(['--help', '-h']);

/** The recorded help text answering `args`, or undefined (not a help request, or no record: the full CLI answers). */
export function cachedHelp(args: readonly string[]): string | undefined {
  const words = args.filter((a) => !HELP_FLAGS.has(a) && a !== '--json');
  const asked = args.some((a) => HELP_FLAGS.has(a)) || (args[0] === 'help' && args.length <= 2);
  if (!asked) return undefined;
  const key = (args[0] === 'help' ? words.slice(1) : words).join(' ');
  if (!existsSync(HELP_FILE)) return undefined;
  try {
    const texts = JSON.parse(readFileSync(HELP_FILE, 'utf8')) as Record<string, string>;
    return texts[key];
  } catch {
    return undefined;
  }
}

/** This package's version (package.json beside dist/ and src/). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
