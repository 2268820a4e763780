import { protocolVersionFromSettings } from './ilp-protocol';

describe('protocolVersionFromSettings', () => {
  it('takes the best version both sides speak from QuestDB 9’s nested settings', () => {
    expect(protocolVersionFromSettings({ config: { 'line.proto.support.versions': [1, 2, 3] } })).toBe('3');
    expect(protocolVersionFromSettings({ config: { 'line.proto.support.versions': [1, 2] } })).toBe('2');
    expect(protocolVersionFromSettings({ config: { 'line.proto.support.versions': ['1'] } })).toBe('1');
  });

  it('falls back to protocol 1 when the server lists no versions (QuestDB 8: flat settings, no versions key)', () => {
    expect(
      protocolVersionFromSettings({ 'release.type': 'OSS', 'release.version': '8.1.4', 'acl.enabled': false }),
    ).toBe('1');
    expect(protocolVersionFromSettings({ config: { 'release.version': '8.2.0' } })).toBe('1');
    expect(protocolVersionFromSettings({ config: { 'line.proto.support.versions': [] } })).toBe('1');
    expect(protocolVersionFromSettings(null)).toBe('1');
  });

  it('refuses a server that speaks only versions this client does not', () => {
    expect(() => protocolVersionFromSettings({ config: { 'line.proto.support.versions': [4] } })).toThrow(
      /supports ILP protocol version\(s\) 4 only/,
    );
  });
});
