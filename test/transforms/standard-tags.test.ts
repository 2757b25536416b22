import { describe, expect, it } from 'vitest';
import { deepFreeze } from '../../src/cfn/template.js';
import transform, { projectFromPath } from '../../transforms/standard-tags.js';
import type { Template } from '../../src/types.js';

const run = (t: object, options: Record<string, unknown> = transform.meta.defaultOptions) =>
  transform.check({ template: deepFreeze(t) as Template, options, region: undefined, filePath: 'stacks/web-shop.yaml', format: 'yaml' });

describe('projectFromPath', () => {
  it.each([
    ['stacks/web-shop.yaml', 'WebShop'],
    ['infra/payments/template.yaml', 'Payments'],
    ['corpus/json/Pr7524/model.json', 'Pr7524'],
    ['C:\\work\\secure_app\\main.template.json', 'SecureApp'],
    ['template.yaml', 'App'],
    [undefined, 'App'],
  ])('%s -> %s', (path, project) => expect(projectFromPath(path)).toBe(project));
});

describe('standard-tags', () => {
  it('treats keys case-insensitively and Fn::Sub keys by their literal parts', () => {
    const findings = run({
      Parameters: { EnvironmentSuffix: { Type: 'String' } },
      Resources: {
        Q: {
          Type: 'AWS::SQS::Queue',
          Properties: {
            Tags: [
              { Key: 'name', Value: 'q' },
              { Key: { 'Fn::Sub': 'kubernetes.io/cluster/${AWS::StackName}' }, Value: 'owned' },
              { Key: { 'Fn::Sub': 'Env${X}' }, Value: 'x' },
            ],
          },
        },
      },
    });
    // `Env${X}` may be "Environment": report, do not guess.
    expect(findings).toHaveLength(1);
    expect(findings[0]!.fix).toBeUndefined();
    expect(findings[0]!.message).toContain('may already hold Environment');
  });

  it('skips Custom::, SAM and unknown types and never throws on odd resources', () => {
    const findings = run({
      Parameters: { EnvironmentSuffix: { Type: 'String' } },
      Resources: {
        A: { Type: 'Custom::Thing' },
        B: { Type: 'AWS::Serverless::Function', Properties: {} },
        C: { Type: 'AWS::Nope::Nope' },
        D: null,
        E: { Properties: {} },
        F: { Type: 'AWS::SQS::Queue', Properties: { 'Fn::If': ['C', {}, {}] } },
        G: { Type: 'AWS::SQS::Queue', Properties: { Tags: { Name: 'x' } } },
      },
    });
    expect(findings.map((f) => [f.pointer, !!f.fix])).toEqual([['/Resources/G/Properties/Tags', false]]);
  });

  it('marks replacing tag updates unsafe and adds the parameter as its own finding', () => {
    const findings = run({ Resources: { K: { Type: 'AWS::EC2::KeyPair', Properties: { KeyName: 'k' } } } });
    expect(findings.map((f) => f.fix?.safety ?? 'safe')).toEqual(['unsafe', 'unsafe']);
    expect(findings[0]!.fix!.ops[0]!.path).toBe('/Parameters');
  });
});
