import Module, { createRequire } from 'node:module';

/** The names inquirer 8 exports: the stand-in defines the same (src/cli/defer-inquirer.spec.ts checks them). */
export const INQUIRER_EXPORTS = [
  'prompts',
  'Separator',
  'ui',
  'createPromptModule',
  'prompt',
  'registerPrompt',
  'restoreDefaultPrompts',
] as const;

/**
 * nest-commander requires inquirer as it loads, for question sets (interactive prompts), which no candlekeep
 * verb has: about 0.1 s and 260 modules (inquirer, lodash, …) of every verb's start-up. Called by the
 * executable before nest-commander loads, this puts a stand-in in the module cache in inquirer's place, which
 * loads the real package the first time one of its exports is read.
 */
export function deferInquirer(): void {
  const requireAsNestCommander = createRequire(require.resolve('nest-commander'));
  const id = requireAsNestCommander.resolve('inquirer');
  if (require.cache[id]) return;
  const standIn = new Module(id);
  standIn.filename = id;
  standIn.loaded = true;
  const real = (): Record<string, unknown> => {
    if (require.cache[id] === standIn) delete require.cache[id];
    return requireAsNestCommander('inquirer') as Record<string, unknown>;
  };
  for (const name of INQUIRER_EXPORTS)
    Object.defineProperty(standIn.exports, name, { enumerable: true, get: () => real()[name] });
  require.cache[id] = standIn;
}
