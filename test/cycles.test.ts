// No fix may close a dependency cycle among resources: CloudFormation rejects such a template
// (cfn-lint E3004). First the engine's refusal, driven by small transforms written for it, then
// every real transform that adds a reference between resources, on a template shaped to tempt it.
import { describe, expect, it } from 'vitest';
import { fixText, type FileResult } from '../src/engine/fix.js';
import { mayCloseCycle } from '../src/engine/invariants.js';
import { defineTransform } from '../src/transform.js';
import { cyclicComponents, dependencyGraph, newDependencyCycle } from '../src/cfn/graph.js';
import { deepFreeze } from '../src/cfn/template.js';
import { loadTransforms } from '../src/engine/registry.js';
import { parseSource } from '../src/template/load.js';
import type { Finding, JsonObject, Operation, Template, Transform } from '../src/types.js';

const docs = '## Why\nx\n## Fix\nx\n## Fix safety\nx\n## Options\nnone';
function transform(id: string, check: Transform['check'], extra: Partial<Transform['meta']> = {}): Transform {
  return defineTransform({ meta: { id, title: id, severity: 'medium', safety: 'safe', seeds: ['000#1'], docs, defaultOptions: {}, ...extra }, check });
}

/** A transform whose findings carry these fixes (each applied only while the template lacks its first op's path). */
function fixing(id: string, fixes: Array<{ pointer: string; ops: Operation[] }>, extra: Partial<Transform['meta']> = {}): Transform {
  return transform(
    id,
    ({ template }) =>
      fixes
        .filter(({ ops }) => !has(template, ops[0]!.path))
        .map(({ pointer, ops }): Finding => ({ pointer, message: `fix ${pointer}`, fix: { ops } })),
    extra,
  );
}

function has(template: Template, path: string): boolean {
  let at: unknown = template;
  for (const segment of path.slice(1).split('/')) {
    if (at === null || typeof at !== 'object' || !Object.prototype.hasOwnProperty.call(at, segment)) return false;
    at = (at as Record<string, unknown>)[segment];
  }
  return true;
}

const topic = (properties: JsonObject = {}): JsonObject => ({ Type: 'AWS::SNS::Topic', Properties: properties });
const json = (resources: Record<string, JsonObject>): string => JSON.stringify({ Resources: resources }, null, 2) + '\n';
const cycles = (value: unknown): string[][] => cyclicComponents(dependencyGraph(value as Template));
const byPointer = (result: FileResult, pointer: string) => result.findings.find((f) => f.pointer === pointer)!;

describe('engine: a fix that would close a dependency cycle', () => {
  const text = json({ A: topic(), B: topic({ TopicName: { 'Fn::GetAtt': ['A', 'TopicName'] } }), C: topic() });
  const link = fixing('link', [
    { pointer: '/Resources/C', ops: [{ op: 'add', path: '/Resources/C/Properties/DisplayName', value: { Ref: 'A' } }] },
    { pointer: '/Resources/A', ops: [{ op: 'add', path: '/Resources/A/DependsOn', value: 'B' }] },
    { pointer: '/Resources/B', ops: [{ op: 'add', path: '/Resources/B/DependsOn', value: ['C'] }] },
  ]);
  const retainAll = transform('retain-all', ({ template }) =>
    Object.entries(template.Resources)
      .filter(([, r]) => r.DeletionPolicy === undefined)
      .map(([id]): Finding => ({ pointer: `/Resources/${id}`, message: `${id} has no DeletionPolicy`, fix: { ops: [{ op: 'add', path: `/Resources/${id}/DeletionPolicy`, value: 'Retain' }] } })),
  );

  it('is refused on its own: the other findings of the transform and the other transforms are fixed', () => {
    const result = fixText(text, { transforms: [link, retainAll], filePath: 't.json' });
    expect(result.status).toBe('changed');
    expect(result.errors).toEqual([]);
    const refused = byPointer(result, '/Resources/A');
    expect(refused.fix).toBe('none');
    expect(refused.message).toBe('fix /Resources/A; not fixed: the fix would create a dependency cycle A -> B -> A');
    expect(result.findings.filter((f) => f.transform === 'link').map((f) => [f.pointer, f.fix])).toEqual([
      ['/Resources/C', 'applied'],
      ['/Resources/A', 'none'],
      ['/Resources/B', 'applied'],
    ]);
    const after = result.after as { Resources: Record<string, JsonObject> };
    expect(after.Resources['A']!['DependsOn']).toBeUndefined();
    expect(after.Resources['A']!['DeletionPolicy']).toBe('Retain');
    expect(cycles(result.after)).toEqual([]);
    // Each finding once, however many passes saw it again; the refusal does not look like a fix cycle.
    expect(result.findings.filter((f) => f.transform === 'link')).toHaveLength(3);
    expect(result.passes).toBeLessThanOrEqual(3);
    const again = fixText(result.output, { transforms: [link, retainAll] });
    expect(again.status).toBe('unchanged');
    expect(again.findings.map((f) => f.fix)).toEqual(['none']);
  });

  it('applies a fix refused in one pass once another fix removed the dependency that closed the cycle', () => {
    const unlink = transform(
      'unlink',
      ({ template }) =>
        template.Resources['B']?.Properties?.['TopicName'] === undefined
          ? []
          : [{ pointer: '/Resources/B', message: 'B names itself after A', fix: { ops: [{ op: 'remove', path: '/Resources/B/Properties/TopicName' }] } }],
      { order: 200 },
    );
    const linkA = fixing('link', [{ pointer: '/Resources/A', ops: [{ op: 'add', path: '/Resources/A/DependsOn', value: 'B' }] }]);
    const result = fixText(text, { transforms: [linkA, unlink] });
    expect(result.errors).toEqual([]);
    expect(byPointer(result, '/Resources/A')).toMatchObject({ message: 'fix /Resources/A', fix: 'applied' });
    expect((result.after as { Resources: Record<string, JsonObject> }).Resources['A']!['DependsOn']).toBe('B');
  });

  it('leaves the cycles a template already has to its author', () => {
    const cyclic = json({ A: topic({ DisplayName: { Ref: 'B' } }), B: topic({ DisplayName: { Ref: 'A' } }), C: topic() });
    const more = fixing('more', [
      { pointer: '/Resources/A', ops: [{ op: 'add', path: '/Resources/A/DependsOn', value: 'B' }] },
      { pointer: '/Resources/C', ops: [{ op: 'add', path: '/Resources/C/DependsOn', value: 'A' }] },
    ]);
    const result = fixText(cyclic, { transforms: [more, retainAll] });
    expect(result.errors).toEqual([]);
    expect(result.findings.every((f) => f.fix === 'applied')).toBe(true);
  });

  it('also refuses the fixes that build on a refused one', () => {
    const grow = fixing('grow', [
      {
        pointer: '/Resources/A',
        ops: [
          { op: 'add', path: '/Resources/N', value: topic({ DisplayName: { Ref: 'A' } }) },
          { op: 'add', path: '/Resources/A/DependsOn', value: 'N' },
        ],
      },
      { pointer: '/Resources/C', ops: [{ op: 'add', path: '/Resources/C/Properties/DisplayName', value: { Ref: 'N' } }] },
      { pointer: '/Resources/B', ops: [{ op: 'add', path: '/Resources/N/Properties/TopicName', value: 'n' }] },
      { pointer: '/Resources/D', ops: [{ op: 'add', path: '/Resources/D', value: topic() }] },
    ]);
    const result = fixText(text, { transforms: [grow] });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.pointer, f.fix, f.message.replace(/^.*; not fixed: /, '')])).toEqual([
      ['/Resources/A', 'none', 'the fix would create a dependency cycle A -> N -> A'],
      ['/Resources/C', 'none', 'it builds on a fix refused because it would create a dependency cycle'],
      ['/Resources/B', 'none', 'it builds on a fix refused because it would create a dependency cycle'],
      ['/Resources/D', 'applied', 'fix /Resources/D'],
    ]);
    expect(Object.keys((result.after as { Resources: object }).Resources)).toEqual(['A', 'B', 'C', 'D']);
  });

  it('builds no graph for a fix that names no resource', () => {
    const t = deepFreeze(JSON.parse(text)) as unknown as Template;
    expect(mayCloseCycle(t, [{ op: 'add', path: '/Resources/A/Properties/Tags', value: [{ Key: 'Env', Value: { 'Fn::Sub': '${AWS::StackName}-${Env}' } }] }])).toBe(false);
    expect(mayCloseCycle(t, [{ op: 'add', path: '/Outputs', value: { O: { Value: { Ref: 'A' } } } }])).toBe(false);
    expect(mayCloseCycle(t, [{ op: 'remove', path: '/Resources/B/Properties/TopicName' }])).toBe(false);
    expect(mayCloseCycle(t, [{ op: 'add', path: '/Resources/A/DependsOn', value: 'B' }])).toBe(true);
    expect(mayCloseCycle(t, [{ op: 'add', path: '/Resources/A/Properties/X', value: { 'Fn::Sub': 'arn:${C.Arn}' } }])).toBe(true);
    expect(mayCloseCycle(t, [{ op: 'add', path: '/Resources/A/Properties/X', value: { 'Fn::GetAtt': 'C.Arn' } }])).toBe(true);
    expect(mayCloseCycle(t, [{ op: 'remove', path: '/Resources/A/Properties/X/Fn::Sub/1/C' }])).toBe(true);
  });

  it('reports an unsafe fix held back as held, not refused', () => {
    const unsafe = fixing('unsafe-link', [{ pointer: '/Resources/A', ops: [{ op: 'add', path: '/Resources/A/DependsOn', value: 'B' }] }], { safety: 'unsafe' });
    expect(fixText(text, { transforms: [unsafe] }).findings.map((f) => [f.fix, f.message])).toEqual([['held', 'fix /Resources/A']]);
  });
});

// ---------------------------------------------------------------------------------------------
// Real transforms on templates shaped to tempt them into a cycle: each must still fix what it
// can without one (the engine would refuse a fix that closes a cycle, and say so).

const registry = await loadTransforms();
const byId = (id: string): Transform => registry.find((t) => t.meta.id === id)!;

interface Tempted {
  result: FileResult;
  resources: Record<string, JsonObject>;
  /** Findings of the transform, as `fix: message`. */
  findings: string[];
}

function tempt(id: string, yaml: string, options: Record<string, unknown> = {}): Tempted {
  const run = (text: string) => fixText(text, { transforms: [byId(id)], unsafe: true, format: 'yaml', settings: { [id]: { options } } });
  const result = run(yaml);
  expect(result.errors).toEqual([]);
  expect(run(result.output).findings.filter((f) => f.fix === 'applied')).toEqual([]);
  const refused = result.findings.filter((f) => /not fixed: .*dependency cycle/.test(f.message));
  expect(refused.map((f) => f.message)).toEqual([]);
  const before = deepFreeze(parseSource('yaml', yaml).value) as unknown as Template;
  const after = (result.after ?? result.before) as unknown as Template;
  expect(newDependencyCycle(before, after)).toBeUndefined();
  return {
    result,
    resources: (after as unknown as { Resources: Record<string, JsonObject> }).Resources,
    findings: result.findings.map((f) => `${f.fix}: ${f.message}`),
  };
}

/** Template text the cases share. */
const kmsKey = (id: string, role: string, actions: string) => `  ${id}:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: '2012-10-17'
        Statement:
          - {Effect: Allow, Principal: {AWS: !Sub 'arn:\${AWS::Partition}:iam::\${AWS::AccountId}:root'}, Action: 'kms:*', Resource: '*'}
          - {Effect: Allow, Principal: {AWS: !GetAtt ${role}.Arn}, Action: ${actions}, Resource: '*'}`;
const encryptedBucket = (id: string, key: string) => `  ${id}:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: 'aws:kms', KMSMasterKeyID: !GetAtt ${key}.Arn}`;
const LAMBDA_TRUST = "Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: 'sts:AssumeRole'}]";
const functionCode = (role: string) =>
  `Runtime: python3.12
      Handler: app.handler
      Role: !Sub 'arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${role}'
      Code: {ZipFile: 'def handler(e, c): pass'}`;

const properties = (resource: JsonObject | undefined): JsonObject => (resource?.['Properties'] ?? {}) as JsonObject;

describe('transforms tempted into a dependency cycle', () => {
  it('ec2-role-kms: a role the key policy names gets its grant in a policy of its own', () => {
    const { resources, findings } = tempt(
      'ec2-role-kms',
      `Resources:
${kmsKey('DataKey', 'WriterRole', "'kms:DescribeKey'")}
${encryptedBucket('DataBucket', 'DataKey')}
  WriterRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        ${LAMBDA_TRUST}
  WriterPolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: write
      Roles: [!Ref WriterRole]
      PolicyDocument:
        Statement: [{Effect: Allow, Action: 's3:PutObject', Resource: !Sub '\${DataBucket.Arn}/*'}]
`,
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(/^applied: /);
    expect(properties(resources['WriterRoleKmsAccessForEncryptedData'])['Roles']).toEqual([{ Ref: 'WriterRole' }]);
    expect(properties(resources['WriterRole'])['Policies']).toBeUndefined();
  });

  it('s3-customer-managed-key: a key whose policy names a role that uses the bucket is not reused', () => {
    const { resources, findings } = tempt(
      's3-customer-managed-key',
      `Resources:
${kmsKey('SharedKey', 'ReaderRole', "'kms:Decrypt'")}
${encryptedBucket('ArchiveBucket', 'SharedKey')}
  ReportsBucket:
    Type: AWS::S3::Bucket
  ReaderRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        ${LAMBDA_TRUST}
      Policies:
        - PolicyName: read
          PolicyDocument:
            Statement: [{Effect: Allow, Action: 's3:GetObject', Resource: !Sub '\${ReportsBucket.Arn}/*'}]
`,
    );
    expect(findings.every((f) => f.startsWith('applied: '))).toBe(true);
    const rule = (properties(resources['ReportsBucket'])['BucketEncryption'] as { ServerSideEncryptionConfiguration: JsonObject[] }).ServerSideEncryptionConfiguration[0]!;
    expect(rule['ServerSideEncryptionByDefault']).toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': ['S3EncryptionKey', 'Arn'] } });
  });

  it('s3-enforce-tls: a policy that names its bucket by name keeps doing so when the bucket depends on it', () => {
    const { resources, findings } = tempt(
      's3-enforce-tls',
      `Resources:
  UploadsBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub 'uploads-\${AWS::AccountId}'
      NotificationConfiguration:
        LambdaConfigurations:
          - {Event: 's3:ObjectCreated:*', Function: !GetAtt ScanFunction.Arn}
  UploadsBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Sub 'uploads-\${AWS::AccountId}'
      PolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {AWS: !Sub 'arn:\${AWS::Partition}:iam::\${AWS::AccountId}:root'}, Action: 's3:GetObject', Resource: !Sub 'arn:\${AWS::Partition}:s3:::uploads-\${AWS::AccountId}/*'}
  # Reads the uploads as soon as it exists, so it waits for the policy.
  ScanFunction:
    Type: AWS::Lambda::Function
    DependsOn: UploadsBucketPolicy
    Properties:
      ${functionCode('scan')}
`,
    );
    expect(findings.filter((f) => f.includes('plain HTTP'))).toHaveLength(1);
    expect(findings.every((f) => f.startsWith('applied: '))).toBe(true);
    const statements = (properties(resources['UploadsBucketPolicy'])['PolicyDocument'] as { Statement: JsonObject[] }).Statement;
    expect(statements[1]!['Resource']).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::uploads-${AWS::AccountId}' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::uploads-${AWS::AccountId}/*' },
    ]);
  });

  it('elb-log-principal: fixing the principal adds no reference between resources', () => {
    const { findings } = tempt(
      'elb-log-principal',
      `Resources:
  LogBucket:
    Type: AWS::S3::Bucket
  LogBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref LogBucket
      PolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: elasticloadbalancing.amazonaws.com}, Action: 's3:PutObject', Resource: !Sub '\${LogBucket.Arn}/*'}
  LoadBalancer:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    DependsOn: LogBucketPolicy
    Properties:
      Subnets: [subnet-1, subnet-2]
      LoadBalancerAttributes:
        - {Key: access_logs.s3.enabled, Value: 'true'}
        - {Key: access_logs.s3.bucket, Value: !Ref LogBucket}
`,
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(/^applied: /);
  });

  it('elb-log-principal: a bucket that waits for its policy is named there by its name; a policy that names the load balancer is not waited for', () => {
    const { resources, findings } = tempt(
      'elb-log-principal',
      `Resources:
  LogBucket:
    Type: AWS::S3::Bucket
    DependsOn: LogNotifier
    Properties:
      BucketName: !Sub 'lb-logs-\${AWS::AccountId}'
  # Subscribes to the bucket's events once the policy allows them, so the bucket waits for it.
  LogNotifier:
    Type: AWS::SNS::Topic
    DependsOn: LogBucketPolicy
  LogBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Sub 'lb-logs-\${AWS::AccountId}'
      PolicyDocument:
        Statement:
          - {Effect: Deny, Principal: '*', Action: 's3:*', Resource: !Sub 'arn:\${AWS::Partition}:s3:::lb-logs-\${AWS::AccountId}/*', Condition: {Bool: {'aws:SecureTransport': 'false'}}}
  LoadBalancer:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [subnet-1, subnet-2]
      LoadBalancerAttributes:
        - {Key: access_logs.s3.enabled, Value: 'true'}
        - {Key: access_logs.s3.bucket, Value: !Ref LogBucket}
        - {Key: access_logs.s3.prefix, Value: web}
  SelfLogs:
    Type: AWS::S3::Bucket
  SelfLogsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref SelfLogs
      PolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: logdelivery.elasticloadbalancing.amazonaws.com}, Action: 's3:PutObject', Resource: !Sub '\${SelfLogs.Arn}/*', Condition: {ArnEquals: {'aws:SourceArn': !Ref SelfLogging}}}
  SelfLogging:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [subnet-1, subnet-2]
      LoadBalancerAttributes:
        - {Key: access_logs.s3.enabled, Value: 'true'}
        - {Key: access_logs.s3.bucket, Value: !Ref SelfLogs}
`,
    );
    const statements = (properties(resources['LogBucketPolicy'])['PolicyDocument'] as { Statement: JsonObject[] }).Statement;
    expect(statements[1]!['Resource']).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::lb-logs-${AWS::AccountId}/web/AWSLogs/${AWS::AccountId}/*' });
    // It waits for the policy already, through the bucket.
    expect(resources['LoadBalancer']!['DependsOn']).toBeUndefined();
    expect(resources['SelfLogging']!['DependsOn']).toBeUndefined();
    expect(findings.filter((f) => f.startsWith('none: '))).toHaveLength(1);
  });

  it('lambda-log-group: a named function waits for its group, which names what the function is named after', () => {
    const { resources, findings } = tempt(
      'lambda-log-group',
      `Resources:
  JobsQueue:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Lambda::Function
    DependsOn: JobsQueue
    Properties:
      FunctionName: !Sub '\${JobsQueue.QueueName}-worker'
      ${functionCode('worker')}
  WorkerSource:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt JobsQueue.Arn
      FunctionName: !Ref Worker
  Unnamed:
    Type: AWS::Lambda::Function
    Properties:
      ${functionCode('other')}
`,
    );
    expect(findings.map((f) => f.slice(0, f.indexOf(':')))).toEqual(['applied', 'applied']);
    expect(resources['Worker']!['DependsOn']).toEqual(['JobsQueue', 'WorkerLogGroup']);
    expect(resources['UnnamedLogGroup']).toBeDefined();
    expect(resources['Unnamed']!['DependsOn']).toBeUndefined();
  });

  it('lambda-alarms: an alarm topic that invokes the function itself', () => {
    const { resources, findings } = tempt(
      'lambda-alarms',
      `Resources:
  AlertTopic:
    Type: AWS::SNS::Topic
    Properties:
      Subscription:
        - {Protocol: lambda, Endpoint: !GetAtt Notifier.Arn}
  Notifier:
    Type: AWS::Lambda::Function
    Properties:
      Timeout: 30
      ${functionCode('notifier')}
`,
      { alarmTopic: 'AlertTopic' },
    );
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.startsWith('applied: '))).toBe(true);
    expect(Object.values(resources).filter((r) => r['Type'] === 'AWS::CloudWatch::Alarm').length).toBeGreaterThan(0);
  });

  it('apigw-alarms: an alarm topic whose subscriber is behind the API', () => {
    const { findings } = tempt(
      'apigw-alarms',
      `Resources:
  AlertTopic:
    Type: AWS::SNS::Topic
    Properties:
      Subscription:
        - {Protocol: https, Endpoint: !Sub 'https://\${Api}.execute-api.\${AWS::Region}.amazonaws.com/prod/alerts'}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: alerts
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref Api
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      DeploymentId: !Ref Deployment
      StageName: prod
`,
      { alarmTopic: 'AlertTopic' },
    );
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.startsWith('applied: '))).toBe(true);
  });

  it('s3-access-logging: a log bucket named after its source is not used for it', () => {
    const { resources, findings } = tempt(
      's3-access-logging',
      `Resources:
  DataBucket:
    Type: AWS::S3::Bucket
  DataLogs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub '\${DataBucket}-logs'
      AccessControl: LogDeliveryWrite
      OwnershipControls:
        Rules: [{ObjectOwnership: BucketOwnerPreferred}]
  SharedLogs:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: LogDeliveryWrite
      OwnershipControls:
        Rules: [{ObjectOwnership: BucketOwnerPreferred}]
`,
    );
    expect(findings.every((f) => f.startsWith('applied: '))).toBe(true);
    // Another existing log bucket that does not depend on it is used instead.
    expect(properties(resources['DataBucket'])['LoggingConfiguration']).toEqual({ DestinationBucketName: { Ref: 'SharedLogs' }, LogFilePrefix: 'DataBucket/' });
    expect(resources['AccessLogsBucket']).toBeUndefined();
  });

  it('s3-access-logging: a bucket that waits for the log bucket policy', () => {
    const { resources, findings } = tempt(
      's3-access-logging',
      `Resources:
  LogBucket:
    Type: AWS::S3::Bucket
  LogBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref LogBucket
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: logging.s3.amazonaws.com}
            Action: 's3:PutObject'
            Resource: !Sub '\${LogBucket.Arn}/*'
            Condition:
              ArnLike: {'aws:SourceArn': [!GetAtt AppBucket.Arn]}
  AppBucket:
    Type: AWS::S3::Bucket
    Properties:
      LoggingConfiguration: {DestinationBucketName: !Ref LogBucket, LogFilePrefix: app/}
  # Enables logging only once delivery is allowed.
  DataBucket:
    Type: AWS::S3::Bucket
    DependsOn: LogBucketPolicy
    Properties:
      BucketName: !Sub 'data-\${AWS::AccountId}-\${AWS::Region}'
`,
    );
    expect(findings.every((f) => f.startsWith('applied: '))).toBe(true);
    // Named in the policy it waits for by its name, not by a reference.
    expect(JSON.stringify(properties(resources['LogBucketPolicy'])['PolicyDocument'])).toContain(
      JSON.stringify([{ 'Fn::GetAtt': ['AppBucket', 'Arn'] }, { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::data-${AWS::AccountId}-${AWS::Region}' }]),
    );
  });

  it('cloudtrail-cloudwatch-logs: a declared log group named after the trail is not wired to it', () => {
    const { resources, findings } = tempt(
      'cloudtrail-cloudwatch-logs',
      `Resources:
  TrailBucket:
    Type: AWS::S3::Bucket
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: !Ref TrailBucket
  TrailLogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub '/aws/cloudtrail/\${Trail}'
      RetentionInDays: 90
`,
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(/^applied: .*adds log group TrailLogGroup2/);
    expect(properties(resources['Trail'])['CloudWatchLogsLogGroupArn']).toEqual({ 'Fn::GetAtt': ['TrailLogGroup2', 'Arn'] });
  });

  it('flowlog-least-privilege: a log group whose key policy names the flow log role', () => {
    const { resources, findings } = tempt(
      'flowlog-least-privilege',
      `Resources:
${kmsKey('FlowLogKey', 'FlowLogRole', "['kms:Encrypt', 'kms:GenerateDataKey*']")}
  FlowLogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /vpc/flow-logs
      KmsKeyId: !GetAtt FlowLogKey.Arn
  FlowLogRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: vpc-flow-logs.amazonaws.com}, Action: 'sts:AssumeRole'}]
      ManagedPolicyArns: ['arn:aws:iam::aws:policy/CloudWatchLogsFullAccess']
  FlowLog:
    Type: AWS::EC2::FlowLog
    Properties:
      ResourceId: vpc-0123456789abcdef0
      ResourceType: VPC
      TrafficType: ALL
      LogGroupName: !Ref FlowLogGroup
      DeliverLogsPermissionArn: !GetAtt FlowLogRole.Arn
`,
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(/^applied: /);
    const policy = JSON.stringify(properties(resources['FlowLogRole'])['Policies']);
    expect(policy).toContain('log-group:/vpc/flow-logs');
    expect(policy).not.toContain('FlowLogGroup');
  });

  it('lambda-dedicated-sg: groups that admit each other', () => {
    const { resources, findings } = tempt(
      'lambda-dedicated-sg',
      `Resources:
  AppGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: app
      VpcId: vpc-1
      SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}]
  AppToDb:
    Type: AWS::EC2::SecurityGroupEgress
    Properties: {GroupId: !Ref AppGroup, IpProtocol: tcp, FromPort: 5432, ToPort: 5432, DestinationSecurityGroupId: !Ref DbGroup}
  DbGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: db
      VpcId: vpc-1
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: !Ref AppGroup}]
  Box:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-12345678, SecurityGroupIds: [!Ref AppGroup]}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      ${functionCode('fn')}
      VpcConfig: {SubnetIds: [subnet-1], SecurityGroupIds: [!Ref AppGroup]}
`,
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(/^applied: /);
    expect(resources['FnToDbGroupEgress']?.['Type']).toBe('AWS::EC2::SecurityGroupEgress');
  });

  it('single-instance: the group waited for the listener that forwards to its target group', () => {
    const { resources, findings } = tempt(
      'single-instance',
      `Resources:
  Template:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData: {ImageId: ami-12345678, InstanceType: t3.micro}
  Balancer:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Subnets: [subnet-1, subnet-2]}
  Targets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Port: 80, Protocol: HTTP, VpcId: vpc-1}
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Balancer
      Port: 80
      Protocol: HTTP
      DefaultActions: [{Type: forward, TargetGroupArn: !Ref Targets}]
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    DependsOn: Listener
    Properties:
      MinSize: '1'
      MaxSize: '1'
      VPCZoneIdentifier: [subnet-1]
      LaunchTemplate: {LaunchTemplateId: !Ref Template, Version: !GetAtt Template.LatestVersionNumber}
      TargetGroupARNs: [!Ref Targets]
`,
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(/^applied: /);
    expect(resources['EC2Instance']).toMatchObject({ Type: 'AWS::EC2::Instance' });
    expect(resources['EC2Instance']!['DependsOn']).toBeUndefined();
  });
});
