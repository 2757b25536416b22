import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

describe('sqs-encryption', () => {
  it('turns SSE-SQS on for a queue without encryption settings, keeping YAML comments', () => {
    const yaml = ['Resources:', '  Q:', '    Type: AWS::SQS::Queue', '    Properties:', '      VisibilityTimeout: 60 # one minute', ''].join('\n');
    const r = runTransform('sqs-encryption', yaml, { format: 'yaml' });
    expect(r.ids).toEqual(['notEncrypted']);
    expect(r.output).toBe(yaml + '      SqsManagedSseEnabled: true\n');
    expectIdempotent('sqs-encryption', r);
  });

  it('adds Properties to a queue that has none', () => {
    const r = runTransform('sqs-encryption', { Resources: { Q: { Type: 'AWS::SQS::Queue' } } });
    expect(r.template.Resources.Q.Properties).toEqual({ SqsManagedSseEnabled: true });
  });

  it('reports SSE-SQS turned off and leaves KMS, computed values and computed Properties alone', () => {
    const r = runTransform('sqs-encryption', {
      Resources: {
        Off: { Type: 'AWS::SQS::Queue', Properties: { SqsManagedSseEnabled: false } },
        If: { Type: 'AWS::SQS::Queue', Properties: { SqsManagedSseEnabled: { 'Fn::If': ['C', true, false] } } },
        Kms: { Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: 'alias/aws/sqs' } },
        KmsIf: { Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: { 'Fn::If': ['C', 'alias/x', { Ref: 'AWS::NoValue' }] } } },
        Computed: { Type: 'AWS::SQS::Queue', Properties: { 'Fn::If': ['C', {}, {}] } },
      },
    });
    expect(r.ids).toEqual(['encryptionOff', 'encryptionOff']);
    expect(r.changed).toBe(false);
  });
});
