import { createRequire } from 'node:module';
import { INQUIRER_EXPORTS } from './defer-inquirer';

describe('deferInquirer', () => {
  it('its stand-in names exactly what the installed inquirer exports (an upgrade that changes them fails here)', () => {
    const inquirer = createRequire(require.resolve('nest-commander'))('inquirer') as Record<string, unknown>;
    expect([...INQUIRER_EXPORTS].sort()).toEqual(Object.keys(inquirer).sort());
  });
});
