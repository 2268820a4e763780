#!/usr/bin/env node
import 'reflect-metadata';
import { runCandlekeep } from './cli/run-candlekeep';

void runCandlekeep(process.argv.slice(2)).then((code) => {
  // Flush stdout before leaving: a pending HTTP agent or timer must not keep a finished command alive.
  process.stdout.write('', () => process.exit(code));
});
