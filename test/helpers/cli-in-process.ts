import { runCandlekeep } from '../../src/cli/run-candlekeep';
import { CliResult, cleanEnv, cliResult } from './cli';

let running = false;

/**
 * Runs `candlekeep ...args` inside the test process through the same runner
 * the executable uses (src/cli/run-candlekeep.ts): the environment is exactly
 * `env` (as for a spawned CLI) and stdout/stderr are captured. For usage,
 * help and exit codes, which need no fresh process; signals, kill -9,
 * embedded PostgreSQL life cycles and the server stay with the spawned CLI.
 * One run at a time (it swaps process.env and the output streams).
 */
export async function runCliInProcess(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  if (running) throw new Error('runCliInProcess: one in-process run at a time');
  running = true;
  const savedEnv = process.env;
  const out = { stdout: '', stderr: '' };
  const writes = {
    stdout: process.stdout.write.bind(process.stdout),
    stderr: process.stderr.write.bind(process.stderr),
  };
  const capture = (stream: 'stdout' | 'stderr') =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      out[stream] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      const done = rest.find((r): r is () => void => typeof r === 'function');
      done?.();
      return true;
    }) as typeof process.stdout.write;
  process.env = cleanEnv(env);
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  let code: number;
  try {
    code = await runCandlekeep(args);
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    process.env = savedEnv;
    running = false;
  }
  return cliResult(code, out.stdout, out.stderr);
}
