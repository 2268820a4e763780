#!/usr/bin/env node
// `npm run openapi`: writes openapi.json (the HTTP API's OpenAPI document) from the built app, without a database
// (src/api/openapi.ts, generateOpenApi), formatted as Prettier formats it. test/int/openapi.test.ts checks it is current.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const prettier = require('prettier');

const root = join(__dirname, '..');
const { generateOpenApi } = require(join(root, 'dist', 'api', 'openapi.js'));
const { AppModule } = require(join(root, 'dist', 'app.module.js'));

async function main() {
  const file = join(root, 'openapi.json');
  const document = await generateOpenApi(AppModule);
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(JSON.stringify(document), { ...options, filepath: file }));
  process.stderr.write(`wrote ${file} (${Object.keys(document.paths).length} paths)\n`);
}

main().catch((e) => {
  process.stderr.write(`openapi: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
