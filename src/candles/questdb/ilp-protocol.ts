import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { SenderOptions } from '@questdb/nodejs-client';

/** ILP protocol versions the client speaks, best first. */
const SPOKEN = ['3', '2', '1'] as const;
export type IlpProtocolVersion = (typeof SPOKEN)[number];
const SETTINGS_TIMEOUT_MS = 10_000;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The protocol version to use with a server, from its `GET /settings` body.
 * QuestDB 9 nests its settings under `config` and lists
 * `line.proto.support.versions`; QuestDB 8 answers them flat and without that
 * key (test/fixtures/questdb/settings_8.1.4.json), which means protocol 1 —
 * the client's own negotiation reads `config[…]` unguarded and crashes on it,
 * hence this one.
 */
export function protocolVersionFromSettings(body: unknown): IlpProtocolVersion {
  const settings = isRecord(body) && isRecord(body.config) ? body.config : body;
  const advertised = isRecord(settings) ? settings['line.proto.support.versions'] : undefined;
  if (!Array.isArray(advertised) || advertised.length === 0) return '1';
  const versions = advertised.map(String);
  const best = SPOKEN.find((v) => versions.includes(v));
  if (!best)
    throw new Error(
      `QuestDB supports ILP protocol version(s) ${versions.join(', ')} only; this client speaks ${SPOKEN.join(', ')}`,
    );
  return best;
}

/**
 * GET /settings of the endpoint (TLS options as the client takes them). Errors read like the client's transport
 * errors (`statusCode=…, error=…`, socket error codes), so describeIlpFailure() classifies them the same way.
 */
export function fetchSettings(options: SenderOptions): Promise<unknown> {
  const https = options.protocol === 'https';
  const request = https ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: options.host,
        port: options.port ?? 9000,
        path: '/settings',
        method: 'GET',
        timeout: typeof options.request_timeout === 'number' ? options.request_timeout : SETTINGS_TIMEOUT_MS,
        ...(https
          ? {
              ca: options.tls_ca ? readFileSync(options.tls_ca) : undefined,
              rejectUnauthorized: options.tls_verify !== false,
            }
          : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300)
            return reject(new Error(`HTTP request failed, statusCode=${status}, error=${body}`));
          try {
            resolve(JSON.parse(body));
          } catch {
            reject(
              new Error(
                `HTTP request failed, statusCode=${status}, error=GET /settings answered no JSON: ` +
                  `${body.slice(0, 200)}`,
              ),
            );
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('HTTP request timeout, no response from server in time')));
    req.on('error', reject);
    req.end();
  });
}
