import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'secret-strength';
const secret = (id: string, generate: unknown, extra: Record<string, unknown> = {}) => ({
  Resources: { [id]: { Type: 'AWS::SecretsManager::Secret', Properties: { GenerateSecretString: generate } }, ...extra },
});
const generated = (r: ReturnType<typeof runTransform>, id: string) => r.template.Resources[id].Properties.GenerateSecretString;

describe('secret-strength', () => {
  it('raises a short PasswordLength and spells out RequireEachIncludedType with it', () => {
    const r = runTransform(ID, secret('ApiKey', { PasswordLength: 16 }));
    expect(r.ids).toEqual(['weakSecret']);
    expect(generated(r, 'ApiKey')).toEqual({ PasswordLength: 32, RequireEachIncludedType: true });
    expectIdempotent(ID, r);
  });

  it('does not regenerate a secret only to spell out a default', () => {
    const r = runTransform(ID, secret('ApiKey', { PasswordLength: 40 }));
    expect(r.findings).toEqual([]);
    expect(r.changed).toBe(false);
  });

  it('turns RequireEachIncludedType false into true, alone', () => {
    const r = runTransform(ID, secret('Token', { RequireEachIncludedType: 'false' }));
    expect(r.ids).toEqual(['weakSecret']);
    expect(generated(r, 'Token')).toEqual({ RequireEachIncludedType: true });
  });

  it('recognises database names by word, not by substring', () => {
    expect(runTransform(ID, secret('FeedbackToken', { PasswordLength: 40 })).findings).toEqual([]);
    const r = runTransform(ID, secret('MyDbPassword', { PasswordLength: 40 }));
    expect(r.ids).toEqual(['weakSecret']);
    expect(generated(r, 'MyDbPassword')).toEqual({ PasswordLength: 40, ExcludeCharacters: '"@/\\', RequireEachIncludedType: true });
    expectIdempotent(ID, r);
  });

  it('keeps the characters already excluded', () => {
    const r = runTransform(ID, secret('RdsSecret', { PasswordLength: 32, ExcludeCharacters: '`@' }));
    expect(generated(r, 'RdsSecret').ExcludeCharacters).toBe('`@"/\\');
  });

  it('needs no exclusion with ExcludePunctuation', () => {
    expect(runTransform(ID, secret('DatabaseSecret', { PasswordLength: 40, ExcludePunctuation: true })).findings).toEqual([]);
  });

  it('knows database credentials by their users, and caps the length at 30 for Oracle', () => {
    const db = (engine: string) => ({
      Type: 'AWS::RDS::DBInstance',
      Properties: { Engine: engine, MasterUserPassword: { 'Fn::Sub': '{{resolve:secretsmanager:${Credentials}:SecretString:password}}' } },
    });
    const oracle = runTransform(ID, secret('Credentials', { PasswordLength: 16 }, { Db: db('oracle-ee') }));
    expect(generated(oracle, 'Credentials')).toEqual({ PasswordLength: 30, ExcludeCharacters: '"@/\\', RequireEachIncludedType: true });
    const mysql = runTransform(ID, secret('Credentials', { PasswordLength: 16 }, { Db: db('mysql') }));
    expect(generated(mysql, 'Credentials').PasswordLength).toBe(32);
    const attached = runTransform(ID, secret('Credentials', { PasswordLength: 40 }, { Attach: { Type: 'AWS::SecretsManager::SecretTargetAttachment', Properties: { SecretId: { Ref: 'Credentials' } } } }));
    expect(generated(attached, 'Credentials').ExcludeCharacters).toBe('"@/\\');
    const templated = runTransform(ID, secret('Credentials', { PasswordLength: 40, SecretStringTemplate: '{"username": "app"}' }));
    expect(generated(templated, 'Credentials').ExcludeCharacters).toBe('"@/\\');
  });

  it('honours minLength and leaves intrinsics alone', () => {
    const r = runTransform(ID, secret('ApiKey', { PasswordLength: 40 }), { options: { minLength: 64 } });
    expect(generated(r, 'ApiKey').PasswordLength).toBe(64);
    for (const t of [
      secret('ApiKey', { PasswordLength: { Ref: 'Length' } }),
      secret('ApiKey', { 'Fn::If': ['C', { PasswordLength: 8 }, { Ref: 'AWS::NoValue' }] }),
      { Resources: { ApiKey: { Type: 'AWS::SecretsManager::Secret', Properties: { 'Fn::If': ['C', {}, {}] } } } },
    ]) {
      expect(runTransform(ID, t).changed).toBe(false);
    }
  });
});
