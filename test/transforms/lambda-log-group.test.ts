import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const fn = (props: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::Lambda::Function',
  ...extra,
  Properties: { Runtime: 'python3.12', Handler: 'a.b', Role: 'arn:aws:iam::111122223333:role/r', Code: { ZipFile: 'x' }, ...props },
});
const role = { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] } } };
const run = (resources: Record<string, unknown>, rest: Record<string, unknown> = {}) => runTransform('lambda-log-group', { ...rest, Resources: resources });

describe('lambda-log-group', () => {
  it('names the group after FunctionName and makes the function wait for it', () => {
    const r = run({ Role: role, F: fn({ FunctionName: { 'Fn::Sub': '${AWS::StackName}-f' } }, { DependsOn: 'Role' }) });
    expect(r.ids).toEqual(['noLogGroup']);
    expect(r.template.Resources.FLogGroup).toEqual({
      Type: 'AWS::Logs::LogGroup',
      Properties: { LogGroupName: { 'Fn::Sub': '/aws/lambda/${AWS::StackName}-f' }, RetentionInDays: { Ref: 'LogRetentionInDays' } },
    });
    expect(r.template.Resources.F.DependsOn).toEqual(['Role', 'FLogGroup']);
    expectIdempotent('lambda-log-group', r);
  });

  it('copies a literal FunctionName and appends to a DependsOn list', () => {
    const r = run({ Role: role, F: fn({ FunctionName: 'orders' }, { DependsOn: ['Role'] }) });
    expect(r.template.Resources.FLogGroup.Properties.LogGroupName).toBe('/aws/lambda/orders');
    expect(r.template.Resources.F.DependsOn).toEqual(['Role', 'FLogGroup']);
  });

  it('uses ${Function} without DependsOn when the name is generated (a DependsOn would be a cycle)', () => {
    for (const props of [{}, { FunctionName: { 'Fn::If': ['C', 'x', { Ref: 'AWS::NoValue' }] } }]) {
      const r = run({ F: fn(props) }, { Conditions: { C: { 'Fn::Equals': ['a', 'b'] } } });
      expect(r.ids).toEqual(['noLogGroup']);
      expect(r.template.Resources.FLogGroup.Properties.LogGroupName).toEqual({ 'Fn::Sub': '/aws/lambda/${F}' });
      expect(r.template.Resources.F.DependsOn).toBeUndefined();
    }
  });

  it('adds the retention parameter once for several functions', () => {
    const r = run({ A: fn(), B: fn() });
    expect(r.ids).toEqual(['noLogGroup', 'noLogGroup']);
    expect(Object.keys(r.template.Parameters)).toEqual(['LogRetentionInDays']);
    expect(r.template.Parameters.LogRetentionInDays.AllowedValues).toContain(365);
    expect(r.result.operations.filter((o) => o.path.startsWith('/Parameters'))).toHaveLength(1);
  });

  it('reports without fixing when LogRetentionInDays is a resource id', () => {
    const r = run({ A: fn(), LogRetentionInDays: { Type: 'AWS::SQS::Queue' } });
    expect(r.ids).toEqual(['retentionParameterTaken']);
    expect(r.findings[0]!.fix).toBe('none');
    expect(r.changed).toBe(false);
  });

  it('gives the group the function condition', () => {
    const r = run({ F: { ...fn(), Condition: 'On' } }, { Conditions: { On: { 'Fn::Equals': ['a', 'a'] } } });
    expect(r.template.Resources.FLogGroup.Condition).toBe('On');
  });

  it('leaves functions whose group is declared in any form, or that log elsewhere', () => {
    const declared = (name: unknown) => ({ Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: name } });
    for (const resources of [
      { F: fn(), G: declared({ 'Fn::Join': ['', ['/aws/lambda/', { Ref: 'F' }]] }) },
      { F: fn({ FunctionName: 'orders' }), G: declared('/aws/lambda/orders') },
      { F: fn({ FunctionName: { 'Fn::Sub': 'orders-${AWS::Region}' } }), G: declared({ 'Fn::Join': ['', ['/aws/lambda/orders-', { Ref: 'AWS::Region' }]] }) },
      { F: fn({ LoggingConfig: { LogGroup: 'shared' } }) },
      { F: { Type: 'AWS::Lambda::Function', Properties: { 'Fn::If': ['C', {}, {}] } } },
    ]) {
      const r = run(resources);
      expect(r.findings, JSON.stringify(resources)).toEqual([]);
    }
  });

  it('keeps YAML layout', () => {
    const yaml = [
      'Resources:',
      '  F: # the worker',
      '    Type: AWS::Lambda::Function',
      '    Properties:',
      '      FunctionName: !Sub worker-${AWS::Region}',
      '      Runtime: python3.12',
      '      Handler: a.b',
      '      Role: arn:aws:iam::111122223333:role/r',
      '      Code: {ZipFile: x}',
      '',
    ].join('\n');
    const r = runTransform('lambda-log-group', yaml, { format: 'yaml' });
    expect(r.output).toContain(yaml.slice(yaml.indexOf('Resources:'), yaml.indexOf('      Code')));
    expect(r.output).toContain('      Code: {ZipFile: x}\n    DependsOn: FLogGroup\n  FLogGroup:\n');
    expect(r.output).toContain('LogGroupName: !Sub /aws/lambda/worker-${AWS::Region}');
    expectIdempotent('lambda-log-group', r);
  });
});
