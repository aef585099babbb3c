/** Court facts derivation (src/bundle/facts.ts): credentials stripped from endpoints, case parties checked, note key types. */
import { describe, expect, it } from 'vitest';
import { generateNoteKey } from '../../src/ledger/note.js';
import { normalizeParties, noteKeyType, stripCredentials } from '../../src/bundle/facts.js';
import { operatorUscc } from '../adapters/registration/fixtures.js';

describe('bundle facts', () => {
  it('extraction endpoints carry no credentials: user info, query, fragment and token-like path segments are removed', () => {
    expect(stripCredentials('https://user:secret@rpc.example.com:8545/v3/abcdefghijklmnopqrstuvwxyz012345?apikey=k#x')).toBe('https://rpc.example.com:8545/v3/<redacted>');
    expect(stripCredentials('http://127.0.0.1:8545/')).toBe('http://127.0.0.1:8545');
    expect(stripCredentials('not a url')).toBe('<invalid url>');
  });

  it('case parties are normalised USCCs (sorted, unique); a wrong check character is USCC_INVALID', () => {
    const a = operatorUscc('MA01ABCD');
    const b = operatorUscc('MA02WXY9');
    expect(normalizeParties([b, a.toLowerCase(), a])).toEqual([a, b].sort());
    const wrong = `${a.slice(0, 17)}${a[17] === '0' ? '1' : '0'}`;
    expect(() => normalizeParties([wrong])).toThrow(expect.objectContaining({ code: 'USCC_INVALID' }));
    expect(() => normalizeParties(Array.from({ length: 257 }, () => a))).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
  });

  it('note key types are read from the key prefix (ed25519, cosignature, sm2); unknown prefixes fail closed', () => {
    expect(noteKeyType(generateNoteKey('log.example', 'ed25519').verifierKey)).toBe('ed25519');
    expect(noteKeyType(generateNoteKey('log.example', 'sm2').verifierKey)).toBe('sm2');
    expect(noteKeyType(generateNoteKey('w.example', 'cosignature-ed25519').verifierKey)).toBe('cosignature-ed25519');
    expect(() => noteKeyType(`x+00000000+${Buffer.from([9, 1, 2, 3]).toString('base64')}`)).toThrow(expect.objectContaining({ code: 'BAD_VERIFIER_KEY' }));
  });
});
