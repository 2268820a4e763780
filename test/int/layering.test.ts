import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');
const run = promisify(execFile);

/** dependency-cruiser with the repository's rules over `cwd`'s src/: its exit code and report. */
async function cruise(cwd: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(DEPCRUISE, ['src', '--config', '.dependency-cruiser.cjs'], { cwd });
    return { code: 0, output: stdout };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

/**
 * The layering of ARCHITECTURE.md as the build enforces it (npm run lint:deps, CI): the tree passes, and a tree
 * with one forbidden import does not. The second tree is a scratch copy of the rules with two small files, so the
 * repository's own src/ is never touched.
 */
describe('layering rules (.dependency-cruiser.cjs)', () => {
  let scratch: string;

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'ck-layering-'));
    cpSync(join(ROOT, '.dependency-cruiser.cjs'), join(scratch, '.dependency-cruiser.cjs'));
    writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext' } }));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const tree = (files: Record<string, string>) => {
    rmSync(join(scratch, 'src'), { recursive: true, force: true });
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(scratch, path, '..'), { recursive: true });
      writeFileSync(join(scratch, path), text);
    }
  };

  it('the repository passes', async () => {
    const { code, output } = await cruise(ROOT);
    expect(output).toContain('no dependency violations found');
    expect(code).toBe(0);
  }, 120_000);

  it.each([
    [
      'tasks/ → candles/ (an orchestrator reaching the store)',
      'src/tasks/probe.ts',
      'src/candles/store.ts',
      '../candles/store',
      'orchestrators-not-to-stores',
    ],
    ['candles/ → gaps/ (upward)', 'src/candles/probe.ts', 'src/gaps/gap.ts', '../gaps/gap', 'layer-candles'],
    [
      'common/ → config/ (upward within a line)',
      'src/common/probe.ts',
      'src/config/c.ts',
      '../config/c',
      'layer-common',
    ],
    [
      'gaps/ → backfill/ (sibling against the direction)',
      'src/gaps/probe.ts',
      'src/backfill/b.ts',
      '../backfill/b',
      'layer-gaps',
    ],
    ['a service → a command', 'src/reports/probe.ts', 'src/reports/x.command.ts', './x.command', 'layer-reports'],
    [
      'a command → another command',
      'src/reports/a.command.ts',
      'src/gaps/b.command.ts',
      '../gaps/b.command',
      'no-command-imports-command',
    ],
  ])(
    'fails on %s',
    async (_what, from, to, spec, rule) => {
      tree({ [from]: `import { x } from '${spec}';\nexport const y = x;\n`, [to]: 'export const x = 1;\n' });
      const { code, output } = await cruise(scratch);
      expect(output).toContain(rule);
      expect(code).not.toBe(0);
    },
    60_000,
  );

  it('passes a downward import and an unknown folder fails', async () => {
    tree({
      'src/gaps/probe.ts': "import { x } from '../candles/store';\nexport const y = x;\n",
      'src/candles/store.ts': 'export const x = 1;\n',
    });
    expect((await cruise(scratch)).code).toBe(0);
    tree({
      'src/misc/probe.ts': "import { x } from '../common/c';\nexport const y = x;\n",
      'src/common/c.ts': 'export const x = 1;\n',
    });
    const unknown = await cruise(scratch);
    expect(unknown.output).toContain('no-unknown-folder');
    expect(unknown.code).not.toBe(0);
  }, 60_000);
});
