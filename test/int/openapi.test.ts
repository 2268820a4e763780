import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOpenApi } from '../../src/api/openapi';
import { AppModule } from '../../src/app.module';
import { ROOT } from '../helpers/cli';

/**
 * The checked-in openapi.json is the contract clients read: it must be what the routes generate (as
 * `npm run openapi` writes it, without a database), so that the API cannot drift from it silently.
 */
describe('openapi.json', () => {
  it('is the document the routes generate (run `npm run openapi` after changing a route or DTO)', async () => {
    const generated = await generateOpenApi(AppModule);
    const checkedIn: unknown = JSON.parse(readFileSync(join(ROOT, 'openapi.json'), 'utf8'));
    const same = JSON.stringify(checkedIn) === JSON.stringify(generated);
    if (!same) {
      throw new Error(
        'openapi.json is not the document the routes generate: run `npm run openapi` and commit openapi.json\n' +
          `(generated paths: ${Object.keys(generated.paths).join(', ')})`,
      );
    }
    expect(generated.paths['/health']?.get?.security).toEqual([]);
    expect(generated.paths['/api/v1/tokens']?.get?.responses).toHaveProperty('401');
  });
});
