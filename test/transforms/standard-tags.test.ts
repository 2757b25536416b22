import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform, type RunOptions } from '../harness.js';

const ID = 'standard-tags';
type Obj = Record<string, any>;
const FILE = 'stacks/web-shop.yaml';

/** The project the CLI would find in the repository of FILE. */
const PROJECT = 'web-shop';
const run = (t: Obj, options?: Record<string, unknown>, region?: string, more: RunOptions = {}) =>
  runTransform(ID, t, { filePath: FILE, project: PROJECT, format: 'json', ...(options ? { options } : {}), ...(region ? { region } : {}), ...more });

/** Logical ids of the resources that got tags. */
const tagged = (r: ReturnType<typeof run>) => r.findings.filter((f) => f.fix === 'applied' && f.pointer.startsWith('/Resources/')).map((f) => f.pointer.split('/')[2]);

describe('standard-tags: where the Project tag comes from', () => {
  const queue = (extra: Obj = {}) => ({ Parameters: { EnvironmentSuffix: { Type: 'String' } }, Resources: { Q: { Type: 'AWS::SQS::Queue' } }, ...extra });
  const projectOf = (r: ReturnType<typeof run>) => (r.template.Resources.Q.Properties?.Tags ?? []).find((t: Obj) => t.Key === 'Project')?.Value;

  it.each(['stacks/web-shop.yaml', 'infra/payments/template.yaml', 'corpus/json/Pr7524/model.json', '<stdin>'])(
    'never from the file name (%s): reported once, without a fix, when nothing names the project',
    (filePath) => {
      const r = runTransform(ID, queue(), { filePath, format: 'json' });
      expect(projectOf(r)).toBeUndefined();
      expect(r.template.Resources.Q.Properties.Tags.map((t: Obj) => t.Key)).toEqual(['Name', 'Environment']);
      const unknown = r.findings.filter((f) => f.messageId === 'projectUnknown');
      expect(unknown).toHaveLength(1);
      expect(unknown[0]!.fix).toBe('none');
      expect(unknown[0]!.message).toMatch(/Q lacks the tag Project.*"project".*ProjectName parameter.*package\.json or git remote/);
      // A second run changes nothing and still says so.
      const again = runTransform(ID, r.output, { filePath, format: 'json' });
      expect(again.result.operations).toEqual([]);
      expect(again.ids).toEqual(['projectUnknown']);
    },
  );

  it('from the repository the CLI finds, when the template and config say nothing', () => {
    expect(projectOf(run(queue(), undefined, undefined, { project: 'inventory' }))).toBe('inventory');
  });

  it('a ProjectName parameter beats the repository; the Project tags already written beat both; the option beats all', () => {
    const withParameter = queue({ Parameters: { EnvironmentSuffix: { Type: 'String' }, ProjectName: { Type: 'String' } } });
    expect(projectOf(run(withParameter, undefined, undefined, { project: 'repo' }))).toEqual({ Ref: 'ProjectName' });
    const withTags = { ...withParameter, Resources: { ...withParameter.Resources, T: { Type: 'AWS::SNS::Topic', Properties: { Tags: [{ Key: 'project', Value: 'Billing' }] } } } };
    expect(projectOf(run(withTags, undefined, undefined, { project: 'repo' }))).toBe('Billing');
    expect(projectOf(run(withTags, { project: 'Ledger' }, undefined, { project: 'repo' }))).toBe('Ledger');
  });

  it('not reported when the Project key is not wanted or a resource may hold it behind an intrinsic', () => {
    const unnamed = { project: undefined };
    expect(run(queue(), { keys: ['Name', 'Environment'] }, undefined, unnamed).ids).toEqual(['missingTags']);
    const hidden = queue({ Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { Tags: { 'Fn::If': ['C', [], []] } } } }, Conditions: { C: { 'Fn::Equals': ['a', 'a'] } } });
    expect(run(hidden, undefined, undefined, unnamed).ids).toEqual(['tagsNotWritable']);
  });
});

describe('standard-tags: the environment the template already uses', () => {
  it('reuses a literal Environment tag for Environment and Name, without adding a parameter', () => {
    const r = run(
      {
        Resources: {
          Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16', Tags: [{ Key: 'Environment', Value: 'Production' }] } },
          Q: { Type: 'AWS::SQS::Queue' },
        },
      },
      undefined,
      undefined,
      { project: 'shop' },
    );
    expect(r.template.Parameters).toBeUndefined();
    expect(r.template.Resources.Q.Properties.Tags).toEqual([
      { Key: 'Name', Value: 'Q-Production' },
      { Key: 'Environment', Value: 'Production' },
      { Key: 'Project', Value: 'shop' },
    ]);
    expectIdempotent(ID, r, { filePath: FILE, project: 'shop' });
  });

  it("reads the launch template's instance tags too, and the most common value wins", () => {
    const lt = (env: string) => ({ Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Environment', Value: env }] }] } } });
    const r = run({ Resources: { A: lt('prod'), B: lt('prod'), C: { Type: 'AWS::SQS::Queue', Properties: { Tags: [{ Key: 'Environment', Value: 'staging' }] } }, Q: { Type: 'AWS::SQS::Queue' } } });
    expect(r.template.Resources.Q.Properties.Tags).toContainEqual({ Key: 'Environment', Value: 'prod' });
  });

  it('an environment parameter the tags refer to beats a declared one; the environmentParameter option beats both', () => {
    const t = {
      Parameters: { EnvironmentSuffix: { Type: 'String' }, Stage: { Type: 'String' } },
      Resources: { A: { Type: 'AWS::SQS::Queue', Properties: { Tags: [{ Key: 'Environment', Value: { Ref: 'Stage' } }] } }, Q: { Type: 'AWS::SQS::Queue' } },
    };
    expect(run(t).template.Resources.Q.Properties.Tags).toContainEqual({ Key: 'Environment', Value: { Ref: 'Stage' } });
    expect(run(t, { environmentParameter: 'EnvironmentSuffix' }).template.Resources.Q.Properties.Tags).toContainEqual({ Key: 'Environment', Value: { Ref: 'EnvironmentSuffix' } });
  });
});

describe('standard-tags', () => {
  it('tags a resource, adds the environment parameter as its own finding, and is idempotent', () => {
    const r = run({ Resources: { Q: { Type: 'AWS::SQS::Queue' } } });
    expect(r.ids).toEqual(['addEnvironmentParameter', 'missingTags']);
    expect(r.template.Resources.Q.Properties.Tags).toEqual([
      { Key: 'Name', Value: { 'Fn::Sub': 'Q-${EnvironmentSuffix}' } },
      { Key: 'Environment', Value: { Ref: 'EnvironmentSuffix' } },
      { Key: 'Project', Value: PROJECT },
    ]);
    expect(r.template.Parameters.EnvironmentSuffix.Type).toBe('String');
    expectIdempotent(ID, r, { filePath: FILE, project: PROJECT });
  });

  it('reuses the environment and project the existing tags and parameters name', () => {
    const r = run({
      Parameters: { Stage: { Type: 'String' }, Env: { Type: 'String' }, AppProjectName: { Type: 'String' } },
      Resources: {
        A: { Type: 'AWS::SQS::Queue', Properties: { Tags: [{ Key: 'environment', Value: { Ref: 'Env' } }] } },
        B: { Type: 'AWS::SNS::Topic', Properties: {} },
      },
    });
    expect(r.template.Resources.B.Properties.Tags).toEqual([
      { Key: 'Name', Value: { 'Fn::Sub': 'B-${Env}' } },
      { Key: 'Environment', Value: { Ref: 'Env' } },
      { Key: 'Project', Value: { Ref: 'AppProjectName' } },
    ]);
  });

  it('appends to map tags and sets PropagateAtLaunch from the launch template', () => {
    const r = run({
      Parameters: { EnvironmentSuffix: { Type: 'String' } },
      Resources: {
        P: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: 'v', Tags: { Owner: 'me' } } },
        Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'web' }] }] } } },
        Asg: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { MaxSize: '1', MinSize: '1', LaunchTemplate: { LaunchTemplateId: { Ref: 'Lt' }, Version: '1' } } },
      },
    });
    expect(r.template.Resources.P.Properties.Tags).toEqual({ Owner: 'me', Name: { 'Fn::Sub': 'P-${EnvironmentSuffix}' }, Environment: { Ref: 'EnvironmentSuffix' }, Project: PROJECT });
    expect(r.template.Resources.Asg.Properties.Tags.map((t: Obj) => [t['Key'], t['PropagateAtLaunch']])).toEqual([
      ['Name', false],
      ['Environment', true],
      ['Project', true],
    ]);
  });

  it('treats keys case-insensitively and Fn::Sub keys by their literal parts', () => {
    const r = run({
      Parameters: { EnvironmentSuffix: { Type: 'String' } },
      Resources: {
        Q: {
          Type: 'AWS::SQS::Queue',
          Properties: {
            Tags: [
              { Key: 'name', Value: 'q' },
              { Key: { 'Fn::Sub': 'kubernetes.io/cluster/${AWS::StackName}' }, Value: 'owned' },
              { Key: { 'Fn::Sub': 'Env${AWS::Region}' }, Value: 'x' },
            ],
          },
        },
      },
    });
    // `Env${AWS::Region}` may be "Environment": report, do not guess.
    expect(r.ids).toEqual(['tagsNotWritable']);
    expect(r.changed).toBe(false);
  });

  it('skips Custom::, SAM and unknown types and computed Properties', () => {
    const r = run({
      Conditions: { C: { 'Fn::Equals': ['a', 'b'] } },
      Parameters: { EnvironmentSuffix: { Type: 'String' } },
      Resources: {
        A: { Type: 'Custom::Thing', Properties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:f' } },
        B: { Type: 'AWS::Serverless::Function', Properties: {} },
        C: { Type: 'AWS::Nope::Nope' },
        F: { Type: 'AWS::SQS::Queue', Properties: { 'Fn::If': ['C', {}, {}] } },
        G: { Type: 'AWS::SQS::Queue', Properties: { Tags: { Name: 'x' } } },
      },
    });
    expect(r.findings.map((f) => [f.messageId, f.pointer])).toEqual([['tagsNotWritable', '/Resources/G/Properties/Tags']]);
  });

  it('reports an environmentParameter option that names no parameter', () => {
    expect(run({ Resources: { Q: { Type: 'AWS::SQS::Queue' } } }, { environmentParameter: 'Nope' }).ids).toEqual(['unknownEnvironmentParameter']);
  });

  it('reports that it cannot add EnvironmentSuffix when a resource has that logical id', () => {
    const r = run({ Resources: { EnvironmentSuffix: { Type: 'AWS::SQS::Queue' } } });
    expect(r.ids).toEqual(['environmentParameterTaken']);
    expect(r.changed).toBe(false);
  });

  it('marks replacing tag updates unsafe and adds the parameter as its own finding', () => {
    const r = run({ Resources: { Q: { Type: 'AWS::Batch::JobQueue', Properties: { Priority: 1 } } } }, undefined, undefined, { unsafe: false });
    expect(r.ids).toEqual(['addEnvironmentParameter', 'missingTags']);
    expect(r.findings.map((f) => [f.safety, f.fix])).toEqual([
      ['unsafe', 'held'],
      ['unsafe', 'held'],
    ]);
  });

  // Issue 10 item 8: CloudFormation creates a replacement before deleting the original, so a
  // resource whose name the template sets cannot be replaced; the next update would fail.
  it('reports without a fix a replacing tag update of a resource with a custom name', () => {
    const r = run({
      Resources: {
        Key: { Type: 'AWS::EC2::KeyPair', Properties: { KeyName: 'deploy' } },
        NamedQueue: { Type: 'AWS::Batch::JobQueue', Properties: { JobQueueName: 'jobs', Priority: 1 } },
        NamedEnvironment: { Type: 'AWS::Batch::ComputeEnvironment', Properties: { ComputeEnvironmentName: 'ce', Type: 'MANAGED' } },
        Collection: { Type: 'AWS::OpenSearchServerless::Collection', Properties: { Name: 'logs' } },
      },
    });
    expect(r.findings.map((f) => [f.messageId, f.pointer, f.fix])).toEqual([
      ['missingTagsNotReplaceable', '/Resources/Key', 'none'],
      ['missingTagsNotReplaceable', '/Resources/NamedQueue', 'none'],
      ['missingTagsNotReplaceable', '/Resources/NamedEnvironment', 'none'],
      ['missingTagsNotReplaceable', '/Resources/Collection', 'none'],
    ]);
    expect(r.changed).toBe(false);
  });

  it('still offers the unsafe fix to a replacing resource without a custom name', () => {
    const r = run({
      Resources: {
        Named: { Type: 'AWS::Batch::JobQueue', Properties: { JobQueueName: 'jobs', Priority: 1 } },
        Unnamed: { Type: 'AWS::Batch::JobQueue', Properties: { Priority: 2 } },
      },
    });
    expect(r.findings.map((f) => [f.messageId, f.pointer, f.safety])).toEqual([
      ['addEnvironmentParameter', '', 'unsafe'],
      ['missingTagsNotReplaceable', '/Resources/Named', undefined],
      ['missingTags', '/Resources/Unnamed', 'unsafe'],
    ]);
    expect(r.template.Resources.Named.Properties.Tags).toBeUndefined();
    expect(Object.keys(r.template.Resources.Unnamed.Properties.Tags)).toEqual(['Name', 'Environment', 'Project']);
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
    expect(tagged(run(recent, undefined, 'eu-central-1'))).toEqual(['Queue']);
  });

  it('tags them when asked to, all of them or the ones listed', () => {
    expect(tagged(run(recent, { tagRecentlyTaggableTypes: true }))).toEqual(['Listener', 'Rule', 'Target', 'Hook', 'Queue']);
    expect(tagged(run(recent, { tagRecentlyTaggableTypes: ['AWS::ElasticLoadBalancingV2::Listener'] }))).toEqual(['Listener', 'Queue']);
  });

  it('completes the tags a resource of such a type already has', () => {
    const r = run({
      Parameters: { EnvironmentSuffix: { Type: 'String' } },
      Resources: { Listener: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { Tags: [{ Key: 'Name', Value: 'web' }] } } },
    });
    expect(r.result.operations.map((op) => op.path)).toEqual(['/Resources/Listener/Properties/Tags/-', '/Resources/Listener/Properties/Tags/-']);
  });

  it('tags a type cfn-lint rejects in some regions only where it accepts it', () => {
    // cfn-lint 1.51 has no Tags on AWS::IoT::TopicRule in eleven newer regions, af-south-1 among them.
    const rule = { Parameters: recent.Parameters, Resources: { Rule: { Type: 'AWS::IoT::TopicRule', Properties: {} } } };
    expect(tagged(run(rule, undefined, 'us-east-1'))).toEqual(['Rule']);
    expect(tagged(run(rule, undefined, 'af-south-1'))).toEqual([]);
    expect(tagged(run(rule))).toEqual([]);
  });

  it("leaves a type untagged that cfn-lint rejects in its default region, whatever the target region", () => {
    // A lint gate runs cfn-lint in us-east-1 unless told otherwise, where AWS::CloudWatch::Dashboard
    // has no Tags yet; us-west-2 would deploy them.
    const dashboard = { Parameters: recent.Parameters, Resources: { Board: { Type: 'AWS::CloudWatch::Dashboard', Properties: {} } } };
    expect(tagged(run(dashboard, undefined, 'us-west-2'))).toEqual([]);
    expect(tagged(run(dashboard, { tagRecentlyTaggableTypes: true }, 'us-west-2'))).toEqual(['Board']);
  });

  it('never tags a type whose schema wants the tags in another shape', () => {
    // CloudFormation's AWS::CloudFront::AnycastIpList takes Tags as {Items: [...]}, not a list.
    const list = { Parameters: recent.Parameters, Resources: { Ips: { Type: 'AWS::CloudFront::AnycastIpList', Properties: {} } } };
    expect(run(list, { tagRecentlyTaggableTypes: true }).findings).toEqual([]);
  });
});
