import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

describe('kinesis-encryption', () => {
  it('encrypts a stream with the AWS managed key, keeping YAML comments (unsafe)', () => {
    const yaml = ['Resources:', '  S:', '    Type: AWS::Kinesis::Stream', '    Properties:', '      ShardCount: 1 # enough', ''].join('\n');
    const r = runTransform('kinesis-encryption', yaml, { format: 'yaml' });
    expect(r.ids).toEqual(['notEncrypted']);
    expect(r.output).toBe(yaml + '      StreamEncryption:\n        EncryptionType: KMS\n        KeyId: alias/aws/kinesis\n');
    expectIdempotent('kinesis-encryption', r);
    expect(runTransform('kinesis-encryption', yaml, { format: 'yaml', unsafe: false }).changed).toBe(false);
  });

  it('leaves streams with encryption settings or computed Properties alone', () => {
    const r = runTransform('kinesis-encryption', {
      Resources: {
        Set: { Type: 'AWS::Kinesis::Stream', Properties: { StreamEncryption: { EncryptionType: 'KMS', KeyId: { Ref: 'K' } } } },
        If: { Type: 'AWS::Kinesis::Stream', Properties: { StreamEncryption: { 'Fn::If': ['C', { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }, { Ref: 'AWS::NoValue' }] } } },
        Computed: { Type: 'AWS::Kinesis::Stream', Properties: { 'Fn::If': ['C', {}, {}] } },
        K: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } },
      },
    });
    expect(r.findings).toEqual([]);
    expect(r.changed).toBe(false);
  });
});
