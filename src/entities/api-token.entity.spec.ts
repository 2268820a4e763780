import { ApiToken, missingScopes } from './api-token.entity';
import { StateTransitionError } from './state-transition.error';

describe('ApiToken', () => {
  it('keeps its scopes once each, in the order read, ingest, admin', () => {
    const token = ApiToken.create('ci', Buffer.alloc(32), ['admin', 'read', 'read']);
    expect(token.scopes).toEqual(['read', 'admin']);
  });

  it('is revoked once: a second revoke is refused', () => {
    const token = ApiToken.create('ci', Buffer.alloc(32), ['read']);
    const at = new Date('2026-01-01T00:00:00Z');
    token.revoke(at);
    expect(token.revokedAt).toBe(at);
    expect(() => token.revoke(new Date())).toThrow(StateTransitionError);
    expect(token.revokedAt).toBe(at);
  });

  it('gives the scopes it holds; admin gives every scope', () => {
    expect(missingScopes(['read'], ['read'])).toEqual([]);
    expect(missingScopes(['read'], ['ingest'])).toEqual(['ingest']);
    expect(missingScopes(['ingest'], ['read', 'ingest'])).toEqual(['read']);
    expect(missingScopes(['admin'], ['read', 'ingest', 'admin'])).toEqual([]);
  });
});
