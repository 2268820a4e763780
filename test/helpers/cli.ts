import { ChildProcess, execFile, spawn, SpawnOptions } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = resolve(__dirname, '..', '..');
export const CLI = resolve(ROOT, 'dist', 'cli.js');
export const MAIN = resolve(ROOT, 'dist', 'main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as the one JSON object `--json` promises (throws if it is not exactly that). */
  json<T = Record<string, unknown>>(): T;
}

/** The environment of a spawned candlekeep: only what the test gives, plus PATH/HOME. */
export function cleanEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env };
}

/** Runs the built CLI (`node dist/cli.js ...args`) to completion. */
export function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  opts: SpawnOptions = {},
): Promise<CliResult> {
  return startCli(args, env, opts).done;
}

/** Starts the built CLI and hands back the process (to signal it) and its result to come. */
export function startCli(
  args: string[],
  env: Record<string, string | undefined>,
  opts: SpawnOptions = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: cleanEnv(env), ...opts });
  const done = new Promise<CliResult>((resolve, fail) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => resolve(cliResult(code, stdout, stderr)));
  });
  return { child, done };
}

/** A finished run's result. */
export function cliResult(code: number | null, stdout: string, stderr: string): CliResult {
  return {
    code,
    stdout,
    stderr,
    json<T>() {
      const lines = stdout.trim().split('\n');
      if (lines.length !== 1)
        throw new Error(`expected one JSON line on stdout, got ${lines.length}:\n${stdout}\nstderr:\n${stderr}`);
      return JSON.parse(lines[0]!) as T;
    },
  };
}

/**
 * A command run under a pseudo-terminal (util-linux `script`): stdout and stderr as the terminal shows them, for what
 * differs on a TTY.
 */
export async function runOnTty(args: string[], env: Record<string, string>): Promise<string> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const { stdout } = await promisify(execFile)('script', ['-qec', command, '/dev/null'], { env: cleanEnv(env) }).catch(
    (e: { stdout: string }) => e,
  );
  return stdout;
}
