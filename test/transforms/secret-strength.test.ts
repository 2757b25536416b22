import { describe, expect, it } from 'vitest';
import transform from '../../transforms/secret-strength.js';
import { deepFreeze } from '../../src/cfn/template.js';
import type { Template } from '../../src/types.js';

const run = (t: unknown) => transform.check({ template: deepFreeze(t) as Template, options: { minLength: 32 }, region: undefined, filePath: undefined, format: 'json' });
const secret = (id: string, generate: unknown) => ({ Resources: { [id]: { Type: 'AWS::SecretsManager::Secret', Properties: { GenerateSecretString: generate } } } });

describe('secret-strength', () => {
  it('does not regenerate a secret only to spell out a default', () => {
    expect(run(secret('ApiKey', { PasswordLength: 40 }))).toEqual([]);
  });

  it('recognises database names by word, not by substring', () => {
    expect(run(secret('FeedbackToken', { PasswordLength: 40 }))).toEqual([]);
    const findings = run(secret('MyDbPassword', { PasswordLength: 40 }));
    expect(findings[0]!.fix!.ops).toContainEqual({ op: 'add', path: '/Resources/MyDbPassword/Properties/GenerateSecretString/ExcludeCharacters', value: '"@/\\' });
  });

  it('keeps the characters already excluded', () => {
    const findings = run(secret('RdsSecret', { PasswordLength: 32, ExcludeCharacters: '`@' }));
    expect(findings[0]!.fix!.ops[0]).toEqual({ op: 'replace', path: '/Resources/RdsSecret/Properties/GenerateSecretString/ExcludeCharacters', value: '`@"/\\' });
  });
});
