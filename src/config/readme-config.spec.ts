import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig, loadConfig } from './app-config';
import { EnvSetting, envSettings } from './env-decorators';

/** Read by the logger itself, not part of AppConfig (the logger must not depend on the configuration). */
const OUTSIDE_APP_CONFIG = new Set(['NO_COLOR']);

/** README.md's configuration table: variable → its default column. */
function readmeTable(): Map<string, string> {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Configuration\n')) ?? '';
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const [, name = '', ...rest] = cells;
    if (cells.length < 5 || !/^[A-Z][A-Z0-9_]+$/.test(name)) continue;
    rows.set(name, rest[rest.length - 2] ?? '');
  }
  return rows;
}

const valueOf = (config: AppConfig, s: EnvSetting): unknown => {
  const holder: object = s.group === undefined ? config : (config[s.group as keyof AppConfig] as object);
  return holder[s.property as keyof typeof holder];
};

describe("README's configuration table", () => {
  const settings = envSettings(AppConfig);
  const table = readmeTable();

  it('is read, and so are the declared settings', () => {
    expect(table.size).toBeGreaterThan(40);
    expect(settings.length).toBeGreaterThan(40);
    expect(new Set(settings.map((s) => s.variable)).size).toBe(settings.length);
  });

  it('names every variable AppConfig declares, and no other', () => {
    const declared = new Set(settings.map((s) => s.variable));
    expect(settings.map((s) => s.variable).filter((v) => !table.has(v))).toEqual([]);
    expect([...table.keys()].filter((v) => !declared.has(v) && !OUTSIDE_APP_CONFIG.has(v))).toEqual([]);
  });

  // The default column, given as the variable's value, must mean the default ("—": empty, i.e. the default).
  // Settings without a default say in prose what happens when they are unset.
  it.each(settings.filter((s) => s.hasDefault).map((s) => [s.variable, s] as const))(
    'gives the default of %s',
    (variable, s) => {
      const cell = (table.get(variable) ?? '').replace(/`/g, '');
      const config = loadConfig({ [variable]: cell === '—' ? '' : cell });
      expect(valueOf(config, s)).toEqual(s.default);
    },
  );
});
