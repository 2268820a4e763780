import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { cleanEnv, MAIN, ROOT } from './cli';

/** A port nothing listens on right now (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => done(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export interface RunningServer {
  child: ChildProcess;
  /** Everything the server wrote so far (stdout and stderr). */
  log(): string;
}

/** Starts the built server (`node dist/main.js`) with only the given environment (schedules off unless set). */
export function startServer(env: Record<string, string>): RunningServer {
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env: cleanEnv({ SCHEDULES_ENABLED: 'false', ...env }) });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  return { child, log: () => log };
}

/** GET /health once the server answers (fails with its log if it exits first). */
export async function waitForHealth(port: number, server: RunningServer): Promise<Response> {
  for (let i = 0; i < 300; i++) {
    if (server.child.exitCode !== null) throw new Error(`server exited ${server.child.exitCode}:\n${server.log()}`);
    try {
      return await fetch(`http://127.0.0.1:${port}/health`);
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`server did not answer:\n${server.log()}`);
}

/** The child's exit code once it has exited (null when a signal ended it). */
export const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((r) =>
    child.exitCode !== null || child.signalCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code)),
  );
