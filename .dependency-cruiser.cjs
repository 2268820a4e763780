// @ts-check
/**
 * The layering of src/ (ARCHITECTURE.md): a folder imports only from its own folder or a folder of a lower rank.
 * Folders of one level in ARCHITECTURE.md are ranked among themselves by the one direction their imports take
 * (config reads common, database reads entities, backfill and ingestion read gaps), so no two folders can ever
 * import each other. Commands (`*.command.ts`), their presenters (`*.presenter.ts`), the per-verb CLI modules
 * (`*-cli.module.ts`) and the entry points in src/ itself sit above every folder.
 * `npm run lint:deps` (and `npm run check`, CI) fails on any import that breaks this.
 */
const RANKS = [
  ['common'],
  ['config'],
  ['entities'],
  ['database'],
  ['sources', 'candles', 'jobs', 'tokens'],
  ['assets'],
  ['coverage'],
  ['gaps'],
  ['ingestion', 'backfill'],
  ['reports', 'timeseries'],
  ['pipeline', 'tasks', 'maintenance'],
  ['api', 'cli'],
];
const TOP = '(\\.command|\\.presenter|-cli\\.module)\\.ts$';
const folders = RANKS.flat();

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const layerRules = RANKS.flatMap((level, rank) =>
  level.map((folder) => {
    const allowed = [...RANKS.slice(0, rank).flat(), folder];
    const notAllowed = folders.filter((f) => !allowed.includes(f));
    // cli/ boots the verbs: it alone reaches the per-verb modules and the entry points' helpers.
    const above = folder === 'cli' ? [] : ['^src/[^/]+\\.ts$', TOP];
    return {
      name: `layer-${folder}`,
      comment: `src/${folder}/ may import only ${allowed.join(', ')} (ARCHITECTURE.md, "Layering")`,
      severity: 'error',
      from: { path: `^src/${folder}/`, pathNot: TOP },
      to: { path: [`^src/(${notAllowed.join('|') || '(?!)'})/`, ...above].join('|') },
    };
  }),
);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'orchestrators-not-to-stores',
      comment:
        'pipeline/ and tasks/ orchestrate services: they never reach the candle store or an exchange client ' +
        'themselves (a scheduled task that wrote candles would bypass the ledger)',
      severity: 'error',
      from: { path: '^src/(pipeline|tasks)/', pathNot: TOP },
      to: { path: '^src/(candles|sources)/' },
    },
    {
      name: 'no-command-imports-command',
      comment:
        'a command only parses and delegates; what two commands share is a *.presenter.ts. A parent command lists ' +
        "its subcommands' classes (nest-commander's subCommands), the one exception",
      severity: 'error',
      from: { path: '\\.command\\.ts$', pathNot: '^src/assets/assets\\.command\\.ts$' },
      to: { path: '\\.command\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'no import cycle between files',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'src-not-from-tests',
      comment: 'the product never imports tests, benchmarks or scripts (unit specs may use the test helpers)',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^(test|bench|scripts)/' },
    },
    {
      name: 'no-unknown-folder',
      comment: 'every folder of src/ has a place in the layering above',
      severity: 'error',
      from: { path: `^src/(?!(${folders.join('|')})/)[^/]+/` },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|dist-bench|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
