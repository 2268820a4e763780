#!/usr/bin/env node
// The `candlekeep` command (package.json "bin"; `npx candlekeep` after `npm install`): builds dist/ when it
// is missing or older than the sources (a few milliseconds of stat calls otherwise), then runs dist/cli.js.
require('./build-if-needed.js');
require('../dist/cli.js');
