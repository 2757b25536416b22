import { describe, expect, it } from 'vitest';
import { deepFreeze } from '../../src/cfn/template.js';
import transform, { projectFromPath } from '../../transforms/standard-tags.js';
import type { Template } from '../../src/types.js';

const run = (t: object, options: Record<string, unknown> = transform.meta.defaultOptions, region?: string) =>
  transform.check({ template: deepFreeze(t) as Template, options, region, filePath: 'stacks/web-shop.yaml', format: 'yaml' });

const tagged = (findings: ReturnType<typeof run>) =>
  findings.filter((f) => f.fix?.ops.some((op) => op.path.startsWith('/Resources/'))).map((f) => f.pointer.split('/')[2]);

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
    const findings = run({ Resources: { Q: { Type: 'AWS::Batch::JobQueue', Properties: { Priority: 1 } } } });
    expect(findings.map((f) => f.fix?.safety ?? 'safe')).toEqual(['unsafe', 'unsafe']);
    expect(findings[0]!.fix!.ops[0]!.path).toBe('/Parameters');
  });

  // Issue 10 item 8: CloudFormation creates a replacement before deleting the original, so a
  // resource whose name the template sets cannot be replaced; the next update would fail.
  it('reports without a fix a replacing tag update of a resource with a custom name', () => {
    const findings = run({
      Resources: {
        Key: { Type: 'AWS::EC2::KeyPair', Properties: { KeyName: 'deploy' } },
        NamedQueue: { Type: 'AWS::Batch::JobQueue', Properties: { JobQueueName: 'jobs', Priority: 1 } },
        NamedEnvironment: { Type: 'AWS::Batch::ComputeEnvironment', Properties: { ComputeEnvironmentName: 'ce', Type: 'MANAGED' } },
        Collection: { Type: 'AWS::OpenSearchServerless::Collection', Properties: { Name: 'logs' } },
      },
    });
    expect(findings.map((f) => [f.pointer, f.fix])).toEqual([
      ['/Resources/Key', undefined],
      ['/Resources/NamedQueue', undefined],
      ['/Resources/NamedEnvironment', undefined],
      ['/Resources/Collection', undefined],
    ]);
    expect(findings[0]!.message).toContain('not fixed: updating Tags replaces Key, and CloudFormation cannot replace');
    expect(findings[0]!.message).toContain('custom name (KeyName)');
    expect(findings[1]!.message).toContain('custom name (JobQueueName)');
  });

  it('still offers the unsafe fix to a replacing resource without a custom name', () => {
    const findings = run({
      Resources: {
        Named: { Type: 'AWS::Batch::JobQueue', Properties: { JobQueueName: 'jobs', Priority: 1 } },
        Unnamed: { Type: 'AWS::Batch::JobQueue', Properties: { Priority: 2 } },
      },
    });
    expect(findings.map((f) => [f.pointer, f.fix?.safety])).toEqual([
      ['', 'unsafe'],
      ['/Resources/Named', undefined],
      ['/Resources/Unnamed', 'unsafe'],
    ]);
  });

  // Issue 10 item 7: CloudFormation made these types taggable after the schemas cfn-lint 1.51
  // ships, so a Tags property there fails the lint gate (E3002) and, where the schema has not
  // shipped, the deploy.
  const recent = {
    Parameters: { EnvironmentSuffix: { Type: 'String' } },
    Resources: {
      Listener: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { Port: 80 } },
      Rule: { Type: 'AWS::ElasticLoadBalancingV2::ListenerRule', Properties: { Priority: 1 } },
      Target: { Type: 'AWS::ApplicationAutoScaling::ScalableTarget', Properties: { MaxCapacity: 2 } },
      Hook: { Type: 'AWS::CodePipeline::Webhook', Properties: { Name: 'hook' } },
      Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
    },
  };

  it('does not tag types whose tags cfn-lint rejects, by default', () => {
    expect(tagged(run(recent))).toEqual(['Queue']);
    expect(tagged(run(recent, transform.meta.defaultOptions, 'eu-central-1'))).toEqual(['Queue']);
  });

  it('tags them when asked to, all of them or the ones listed', () => {
    expect(tagged(run(recent, { tagRecentlyTaggableTypes: true }))).toEqual(['Listener', 'Rule', 'Target', 'Hook', 'Queue']);
    expect(tagged(run(recent, { tagRecentlyTaggableTypes: ['AWS::ElasticLoadBalancingV2::Listener'] }))).toEqual(['Listener', 'Queue']);
  });

  it('completes the tags a resource of such a type already has', () => {
    const findings = run({
      Parameters: { EnvironmentSuffix: { Type: 'String' } },
      Resources: { Listener: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { Tags: [{ Key: 'Name', Value: 'web' }] } } },
    });
    expect(findings.map((f) => f.fix?.ops.map((op) => op.path))).toEqual([
      ['/Resources/Listener/Properties/Tags/-', '/Resources/Listener/Properties/Tags/-'],
    ]);
  });

  it('tags a type cfn-lint rejects in some regions only where it accepts it', () => {
    // cfn-lint 1.51 has no Tags on AWS::IoT::TopicRule in eleven newer regions, af-south-1 among them.
    const rule = { Parameters: recent.Parameters, Resources: { Rule: { Type: 'AWS::IoT::TopicRule', Properties: {} } } };
    expect(tagged(run(rule, transform.meta.defaultOptions, 'us-east-1'))).toEqual(['Rule']);
    expect(tagged(run(rule, transform.meta.defaultOptions, 'af-south-1'))).toEqual([]);
    expect(tagged(run(rule))).toEqual([]);
  });

  it("leaves a type untagged that cfn-lint rejects in its default region, whatever the target region", () => {
    // A lint gate runs cfn-lint in us-east-1 unless told otherwise, where AWS::CloudWatch::Dashboard
    // has no Tags yet; us-west-2 would deploy them.
    const dashboard = { Parameters: recent.Parameters, Resources: { Board: { Type: 'AWS::CloudWatch::Dashboard', Properties: {} } } };
    expect(tagged(run(dashboard, transform.meta.defaultOptions, 'us-west-2'))).toEqual([]);
    expect(tagged(run(dashboard, { tagRecentlyTaggableTypes: true }, 'us-west-2'))).toEqual(['Board']);
  });

  it('never tags a type whose schema wants the tags in another shape', () => {
    // CloudFormation's AWS::CloudFront::AnycastIpList takes Tags as {Items: [...]}, not a list.
    const list = { Parameters: recent.Parameters, Resources: { Ips: { Type: 'AWS::CloudFront::AnycastIpList', Properties: {} } } };
    expect(run(list, { tagRecentlyTaggableTypes: true })).toEqual([]);
  });
});
