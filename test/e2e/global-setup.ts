import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import databaseSetup from '../global-setup';

/** The e2e tests spawn the built CLI and server, as users run them: build dist/ when stale, then the database. */
export default async function globalSetup(): Promise<void> {
  execFileSync(process.execPath, [resolve(__dirname, '..', '..', 'scripts', 'build-if-needed.js')], {
    stdio: 'inherit',
  });
  await databaseSetup();
}
