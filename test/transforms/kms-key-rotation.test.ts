import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const key = (props?: unknown) => ({ Resources: { Key: { Type: 'AWS::KMS::Key', ...(props === undefined ? {} : { Properties: props }) } } });

describe('kms-key-rotation', () => {
  it('turns rotation on for symmetric keys, with or without Properties', () => {
    for (const t of [key(), key({ Description: 'd' }), key({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Origin: 'AWS_KMS' })]) {
      const r = runTransform('kms-key-rotation', t, { unsafe: false });
      expect(r.ids).toEqual(['noRotation']);
      expect(r.findings[0]!.fix).toBe('applied');
      expect(r.template.Resources.Key.Properties.EnableKeyRotation).toBe(true);
      expectIdempotent('kms-key-rotation', r);
    }
  });

  it('leaves asymmetric and HMAC keys, rotating keys and computed values alone', () => {
    for (const t of [
      key({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }),
      key({ KeySpec: 'HMAC_512', KeyUsage: 'GENERATE_VERIFY_MAC' }),
      key({ EnableKeyRotation: true }),
      key({ EnableKeyRotation: { Ref: 'Rotate' } }),
      key({ 'Fn::If': ['C', {}, {}] }),
    ]) {
      const r = runTransform('kms-key-rotation', t);
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });

  it('reports keys KMS cannot rotate: imported material, disabled', () => {
    const imported = runTransform('kms-key-rotation', key({ Origin: 'EXTERNAL' }));
    expect(imported.ids).toEqual(['importedKeyMaterial']);
    expect(imported.changed).toBe(false);
    const disabled = runTransform('kms-key-rotation', key({ Enabled: false }));
    expect(disabled.ids).toEqual(['keyDisabled']);
    expect(disabled.changed).toBe(false);
  });

  it('reports an explicit false unless overrideExplicitFalse', () => {
    const kept = runTransform('kms-key-rotation', key({ EnableKeyRotation: false }));
    expect(kept.ids).toEqual(['rotationDisabled']);
    expect(kept.changed).toBe(false);
    const flipped = runTransform('kms-key-rotation', key({ EnableKeyRotation: false }), { options: { overrideExplicitFalse: true } });
    expect(flipped.ids).toEqual(['rotationDisabledOverridden']);
    expect(flipped.template.Resources.Key.Properties.EnableKeyRotation).toBe(true);
    expectIdempotent('kms-key-rotation', flipped, { options: { overrideExplicitFalse: true } });
  });

  it('keeps YAML layout and comments', () => {
    const yaml = ['Resources:', '  Key: # data', '    Type: AWS::KMS::Key', '    Properties:', '      Description: data # why', ''].join('\n');
    const r = runTransform('kms-key-rotation', yaml, { format: 'yaml' });
    expect(r.output).toBe(yaml + '      EnableKeyRotation: true\n');
  });
});
