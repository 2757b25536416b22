import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'dynamodb-kms';
const KEYS = { AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] };
const table = (props: Record<string, unknown>) => ({ Resources: { T: { Type: 'AWS::DynamoDB::Table', Properties: { ...KEYS, ...props } } } });

describe(ID, () => {
  it('moves a table to the AWS managed KMS key, safely', () => {
    const r = runTransform(ID, table({ BillingMode: 'PAY_PER_REQUEST' }), { unsafe: false });
    expect(r.ids).toEqual(['awsOwnedKey']);
    expect(r.findings[0]!.fix).toBe('applied');
    expect(r.template.Resources.T.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expectIdempotent(ID, r);
  });

  it('keeps a named key and an SSEType, and turns "true" into the boolean', () => {
    let r = runTransform(ID, table({ SSESpecification: { KMSMasterKeyId: 'alias/orders' } }));
    expect(r.template.Resources.T.Properties.SSESpecification).toEqual({ KMSMasterKeyId: 'alias/orders', SSEEnabled: true, SSEType: 'KMS' });
    r = runTransform(ID, table({ SSESpecification: { SSEEnabled: 'true', SSEType: 'KMS' } }));
    expect(r.ids).toEqual(['sseText']);
    expect(r.template.Resources.T.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
  });

  it('reports an explicit false and a table shared by a resource policy', () => {
    let r = runTransform(ID, table({ SSESpecification: { SSEEnabled: false } }));
    expect(r.ids).toEqual(['sseDisabled']);
    expect(r.changed).toBe(false);
    r = runTransform(ID, table({ ResourcePolicy: { PolicyDocument: { Statement: [] } } }));
    expect(r.ids).toEqual(['sharedTableNotEncrypted']);
    expect(r.changed).toBe(false);
    // with its own key named, a shared table is fixed: the key's policy is the author's
    r = runTransform(ID, table({ ResourcePolicy: { PolicyDocument: { Statement: [] } }, SSESpecification: { KMSMasterKeyId: 'alias/shared' } }));
    expect(r.ids).toEqual(['awsOwnedKey']);
  });

  it('leaves computed values and encrypted tables alone', () => {
    for (const t of [
      table({ SSESpecification: { SSEEnabled: { Ref: 'UseKms' } } }),
      table({ SSESpecification: { 'Fn::If': ['C', { SSEEnabled: true }, { Ref: 'AWS::NoValue' }] } }),
      table({ SSESpecification: { SSEEnabled: true } }),
      { Resources: { T: { Type: 'AWS::DynamoDB::Table', Properties: { 'Fn::If': ['C', {}, {}] } } } },
    ]) {
      const r = runTransform(ID, t);
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });

  it('keeps YAML layout and comments', () => {
    const yaml = ['Resources:', '  T:', '    Type: AWS::DynamoDB::Table', '    Properties:', '      SSESpecification: # encryption', '        SSEEnabled: "true"', ''].join('\n');
    const r = runTransform(ID, yaml, { format: 'yaml' });
    expect(r.output).toBe(yaml.replace('SSEEnabled: "true"\n', 'SSEEnabled: true\n        SSEType: KMS\n'));
  });
});
