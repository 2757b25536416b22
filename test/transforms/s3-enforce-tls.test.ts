import { describe, expect, it } from 'vitest';
import transform from '../../transforms/s3-enforce-tls.js';
import { deepFreeze } from '../../src/cfn/template.js';
import type { Template } from '../../src/types.js';

const run = (t: unknown) => transform.check({ template: deepFreeze(t) as Template, options: {}, region: undefined, filePath: undefined, format: 'json' });

describe('s3-enforce-tls', () => {
  it('gives two new policies distinct ids', () => {
    const f = run({ Resources: { A: { Type: 'AWS::S3::Bucket' }, APolicy: { Type: 'AWS::S3::Bucket' } } });
    const paths = f.map((x) => x.fix!.ops[0]!.path);
    expect(new Set(paths).size).toBe(2);
    expect(paths).toEqual(['/Resources/APolicy2', '/Resources/APolicyPolicy']);
  });

  it('recognises a TLS deny written with a boolean and in lower case', () => {
    const t = {
      Resources: {
        B: { Type: 'AWS::S3::Bucket' },
        P: {
          Type: 'AWS::S3::BucketPolicy',
          Properties: { Bucket: { Ref: 'B' }, PolicyDocument: { Statement: [{ Effect: 'Deny', Condition: { bool: { 'AWS:SECURETRANSPORT': false } } }] } },
        },
      },
    };
    expect(run(t)).toEqual([]);
  });

  it('does not take an Allow with the condition for a deny', () => {
    const t = {
      Resources: {
        B: { Type: 'AWS::S3::Bucket' },
        P: {
          Type: 'AWS::S3::BucketPolicy',
          Properties: { Bucket: { Ref: 'B' }, PolicyDocument: { Statement: [{ Effect: 'Allow', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] } },
        },
      },
    };
    expect(run(t)[0]!.fix!.ops[0]!.path).toBe('/Resources/P/Properties/PolicyDocument/Statement/-');
  });

  it('never throws on odd shapes', () => {
    for (const t of [
      { Resources: { B: { Type: 'AWS::S3::Bucket', Properties: 'x' }, P: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: null } } } },
      { Resources: { B: { Type: 'AWS::S3::Bucket' }, P: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'B' } } } } },
    ]) {
      expect(() => run(t)).not.toThrow();
    }
  });
});
