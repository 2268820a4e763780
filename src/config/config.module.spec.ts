import { Test } from '@nestjs/testing';
import { PINNED_NOW } from '../common/clock';
import { AppConfig, loadConfig } from './app-config';
import { ConfigModule, withConfig } from './config.module';

describe('ConfigModule', () => {
  it('provides the instance it is given (validated once, by the entry point), and its pinned clock', async () => {
    const config = loadConfig({ CANDLEKEEP_NOW: '2026-01-02T03:04:05Z' });
    const moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config)] }).compile();
    expect(moduleRef.get(AppConfig)).toBe(config);
    expect(moduleRef.get<Date | null>(PINNED_NOW)).toBe(config.pinnedNow);
  });

  it('withConfig adds it to a root module, static or dynamic, keeping what the root imports', () => {
    const config = loadConfig({});
    class Root {}
    class Verb {}
    expect(withConfig(Root, config)).toMatchObject({ module: Root, imports: [{ module: ConfigModule }] });
    expect(withConfig({ module: Root, imports: [Verb] }, config)).toMatchObject({
      module: Root,
      imports: [Verb, { module: ConfigModule, global: true }],
    });
  });
});
