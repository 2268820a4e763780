import { connect } from 'node:net';

/** Why nothing accepts TCP connections at host:port (e.g. ECONNREFUSED), or undefined when something does. */
export function tcpProblem(host: string, port: number, timeoutMs = 2_000): Promise<string | undefined> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (problem: string | undefined) => {
      socket.destroy();
      done(problem);
    };
    socket.setTimeout(timeoutMs, () => finish('no answer to a TCP connect'));
    socket.once('connect', () => finish(undefined));
    socket.once('error', (e: NodeJS.ErrnoException) => finish(e.code ?? e.message));
  });
}
