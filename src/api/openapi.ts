import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, OperationObject, PathItemObject, SwaggerModule } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/app-config';
import { withConfig } from '../config/config.module';
import { ApiErrorResponse, apiErrorResponseObject } from './api-errors';
import { configureHttp } from './api.module';
import { requiredScopes } from './auth.guard';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * What every secured operation (one without `security: []`) can answer besides its own: 401 and 403 from
 * AuthGuard, 429 from the throttler; and the scopes it needs when it declares none (AuthGuard's defaults).
 */
function withGuardAnswers(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values<PathItemObject>(document.paths)) {
    for (const method of METHODS) {
      const op: (OperationObject & { 'x-required-scopes'?: readonly string[] }) | undefined = item[method];
      if (!op || (op.security && op.security.length === 0)) continue;
      op['x-required-scopes'] ??= requiredScopes(undefined, method);
      for (const status of [401, 403, 429] as const) op.responses[status] ??= apiErrorResponseObject(status);
    }
  }
  return document;
}

/** `value` with every object's keys sorted (arrays keep their order): the same document is the same text. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortedKeys(v)]));
}

/** The OpenAPI document of the routes of `app` (configured by configureHttp), keys sorted. */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('candlekeep')
    .setDescription(
      'Kraken OHLCV candle history, with what it proves: coverage, gaps, aggregation windows. Every route under ' +
        '/api/v1 needs `Authorization: Bearer <token>` (`candlekeep tokens create NAME --scopes read`); errors are ' +
        '`{error: {code, message}}`.',
    )
    .setVersion(packageVersion())
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'ck_…', description: 'a token of `candlekeep tokens create`' },
      'bearer',
    )
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ApiErrorResponse] });
  return sortedKeys(withGuardAnswers(document)) as OpenAPIObject;
}

/** The UI at /api/docs, the document at /api/docs-json (public, outside the guards: it documents no data). */
export function serveOpenApi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/docs-json',
    yamlDocumentUrl: 'api/docs-yaml',
  });
}

/**
 * The document of the service whose root module is `root`, without a database: the app is only scanned (Nest's
 * preview mode instantiates no provider), with the default configuration. `npm run openapi` writes it to
 * openapi.json; test/int/openapi.test.ts checks that file is current.
 */
export async function generateOpenApi(root: Type): Promise<OpenAPIObject> {
  const app = await NestFactory.create(withConfig(root, loadConfig({})), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    configureHttp(app);
    return openApiDocument(app);
  } finally {
    await app.close();
  }
}
