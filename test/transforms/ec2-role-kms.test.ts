import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'ec2-role-kms';
const kmsBucket = (key: unknown, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::S3::Bucket',
  Properties: { ...extra, BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key } }] } },
});
const role = (statements: unknown[], extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::IAM::Role',
  ...extra,
  Properties: { Policies: [{ PolicyName: 'app', PolicyDocument: { Version: '2012-10-17', Statement: statements } }] },
});
const allow = (Action: unknown, Resource: unknown) => ({ Effect: 'Allow', Action, Resource });
const lambda = { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] } } };
const policies = (r: ReturnType<typeof runTransform>, id = 'Role') => r.template.Resources[id].Properties.Policies;
const grant = (Action: unknown, keys: string[]) => ({
  PolicyName: 'KmsAccessForEncryptedData',
  PolicyDocument: { Version: '2012-10-17', Statement: [allow(Action, keys.length === 1 ? { 'Fn::GetAtt': [keys[0], 'Arn'] } : keys.map((k) => ({ 'Fn::GetAtt': [k, 'Arn'] })))] },
});

describe('ec2-role-kms: roles', () => {
  it('grants kms:Decrypt and kms:GenerateDataKey to a Lambda role that writes objects, on that key only', () => {
    const r = runTransform(ID, {
      Resources: {
        Key: { Type: 'AWS::KMS::Key' },
        Data: kmsBucket({ 'Fn::GetAtt': ['Key', 'Arn'] }),
        Role: role([allow(['s3:GetObject', 's3:PutObject'], { 'Fn::Sub': '${Data.Arn}/*' })]),
        Fn: lambda,
      },
    });
    expect(r.ids).toEqual(['roleCannotDecrypt']);
    expect(policies(r)[1]).toEqual(grant(['kms:Decrypt', 'kms:GenerateDataKey'], ['Key']));
    expectIdempotent(ID, r);
  });

  it('reads bucket ARNs in every form, and not a bucket ARN without objects', () => {
    const key = { 'Fn::GetAtt': ['Key', 'Arn'] };
    for (const arn of [
      { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Data}/uploads/*' },
      { 'Fn::Join': ['', ['arn:aws:s3:::', { Ref: 'Data' }, '/*']] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Data', 'Arn'] }, '/*']] },
      { 'Fn::Sub': ['arn:aws:s3:::${Name}/*', { Name: { Ref: 'Data' } }] },
      'arn:aws-cn:s3:::my-data/*',
    ]) {
      const r = runTransform(ID, { Resources: { Key: { Type: 'AWS::KMS::Key' }, Data: kmsBucket(key, { BucketName: 'my-data' }), Role: role([allow('s3:Get*', arn)]) } });
      expect(r.ids).toEqual(['roleCannotDecrypt']);
      expect(policies(r)[1]).toEqual(grant('kms:Decrypt', ['Key']));
    }
    for (const arn of [{ 'Fn::GetAtt': ['Data', 'Arn'] }, 'arn:aws:s3:::my-data-2/*', 'arn:aws:s3:::*', '*']) {
      const r = runTransform(ID, { Resources: { Key: { Type: 'AWS::KMS::Key' }, Data: kmsBucket(key, { BucketName: 'my-data' }), Role: role([allow('s3:GetObject', arn)]) } });
      expect(r.findings).toEqual([]);
    }
  });

  it('resolves the key of a secret in every form, through aliases, and reads secret ARNs by Name', () => {
    for (const keyRef of [
      { Ref: 'Key' },
      { 'Fn::GetAtt': 'Key.KeyId' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${Key}' },
      { Ref: 'Alias' },
      'alias/data',
      { 'Fn::Sub': 'arn:aws:kms:${AWS::Region}:${AWS::AccountId}:alias/data' },
    ]) {
      const r = runTransform(ID, {
        Resources: {
          Key: { Type: 'AWS::KMS::Key' },
          Alias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/data', TargetKeyId: { 'Fn::GetAtt': ['Key', 'KeyId'] } } },
          Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'app/db', KmsKeyId: keyRef } },
          Role: role([allow('secretsmanager:GetSecretValue', { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:app/db-*' })]),
        },
      });
      expect(r.ids).toEqual(['roleCannotDecrypt']);
      expect(policies(r)[1]).toEqual(grant('kms:Decrypt', ['Key']));
    }
    const outside = runTransform(ID, {
      Resources: { Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { KmsKeyId: { 'Fn::ImportValue': 'k' } } }, Role: role([allow('secretsmanager:*', { Ref: 'Secret' })]) },
    });
    expect(outside.findings).toEqual([]);
  });

  it('leaves a role that may already decrypt, through the alias ARN and a wildcard action', () => {
    const r = runTransform(ID, {
      Resources: {
        Key: { Type: 'AWS::KMS::Key' },
        Alias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/data', TargetKeyId: { Ref: 'Key' } } },
        Data: kmsBucket({ Ref: 'Key' }),
        Role: role([
          allow('s3:GetObject', { 'Fn::Sub': '${Data.Arn}/*' }),
          allow('KMS:De*', { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/data' }),
        ]),
      },
    });
    expect(r.findings).toEqual([]);
  });

  it('extends its own policy instead of adding a second one', () => {
    const r = runTransform(ID, {
      Resources: {
        K1: { Type: 'AWS::KMS::Key' },
        K2: { Type: 'AWS::KMS::Key' },
        B2: kmsBucket({ Ref: 'K2' }),
        R: {
          Type: 'AWS::IAM::Role',
          Properties: {
            Policies: [
              { PolicyName: 'read', PolicyDocument: { Statement: [allow('s3:GetObject', { 'Fn::Sub': '${B2.Arn}/*' })] } },
              { PolicyName: 'KmsAccessForEncryptedData', PolicyDocument: { Statement: [allow('kms:Decrypt', { 'Fn::GetAtt': ['K1', 'Arn'] })] } },
            ],
          },
        },
        F: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['R', 'Arn'] } } },
      },
    });
    expect(r.ids).toEqual(['roleCannotDecrypt']);
    expect(policies(r, 'R')).toHaveLength(2);
    expect(policies(r, 'R')[1].PolicyDocument.Statement).toEqual([allow('kms:Decrypt', { 'Fn::GetAtt': ['K1', 'Arn'] }), allow('kms:Decrypt', { 'Fn::GetAtt': ['K2', 'Arn'] })]);
  });

  it('puts the grant into a separate policy, under the role Condition, when the key policy names the role', () => {
    const r = runTransform(ID, {
      Conditions: { WithApp: { 'Fn::Equals': ['a', 'a'] } },
      Resources: {
        Key: {
          Type: 'AWS::KMS::Key',
          Properties: { KeyPolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': ['Role', 'Arn'] } }, Action: 'kms:DescribeKey', Resource: '*' }] } },
        },
        Data: kmsBucket({ Ref: 'Key' }),
        Role: role([allow('s3:GetObject', { 'Fn::Sub': '${Data.Arn}/*' })], { Condition: 'WithApp' }),
      },
    });
    expect(r.ids).toEqual(['roleCannotDecrypt']);
    expect(r.template.Resources.RoleKmsAccessForEncryptedData).toEqual({
      Type: 'AWS::IAM::Policy',
      Condition: 'WithApp',
      Properties: { PolicyName: 'KmsAccessForEncryptedData', Roles: [{ Ref: 'Role' }], PolicyDocument: grant('kms:Decrypt', ['Key']).PolicyDocument },
    });
    expect(policies(r)).toHaveLength(1);
    expectIdempotent(ID, r);
  });

  it('needs no IAM grant when the key policy names the role with the actions, and none for a key under another Condition', () => {
    const keyPolicy = (actions: string[]) => ({ Statement: [{ Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': ['Role', 'Arn'] } }, Action: actions, Resource: '*' }] });
    const template = (key: Record<string, unknown>) => ({
      Conditions: { Other: { 'Fn::Equals': ['a', 'b'] } },
      Resources: { Key: { Type: 'AWS::KMS::Key', ...key }, Data: kmsBucket({ Ref: 'Key' }), Role: role([allow('s3:GetObject', { 'Fn::Sub': '${Data.Arn}/*' })]) },
    });
    expect(runTransform(ID, template({ Properties: { KeyPolicy: keyPolicy(['kms:Decrypt']) } })).findings).toEqual([]);
    expect(runTransform(ID, template({ Condition: 'Other' })).findings).toEqual([]);
  });

  it('limits itself to EC2 instance and Lambda roles with allRoles false', () => {
    const resources = {
      Key: { Type: 'AWS::KMS::Key' },
      Data: kmsBucket({ Ref: 'Key' }),
      Role: role([allow('s3:GetObject', { 'Fn::Sub': '${Data.Arn}/*' })]),
      Firehose: role([allow('s3:PutObject', { 'Fn::Sub': '${Data.Arn}/*' })]),
      Profile: { Type: 'AWS::IAM::InstanceProfile', Properties: { Roles: [{ Ref: 'Role' }] } },
      Instance: { Type: 'AWS::EC2::Instance', Properties: { IamInstanceProfile: { Ref: 'Profile' } } },
    };
    const r = runTransform(ID, { Resources: resources }, { options: { allRoles: false } });
    expect(r.findings.map((f) => f.pointer)).toEqual(['/Resources/Role']);
    expect(runTransform(ID, { Resources: resources }).findings.map((f) => f.pointer)).toEqual(['/Resources/Role', '/Resources/Firehose']);
  });
});

describe('ec2-role-kms: Auto Scaling service-linked roles', () => {
  const root = { Sid: 'Root', Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*', Resource: '*' };
  const launchTemplate = (keyId: unknown) => ({
    Type: 'AWS::EC2::LaunchTemplate',
    Properties: { LaunchTemplateData: { BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, KmsKeyId: keyId } }] } },
  });
  const group = (extra: Record<string, unknown> = {}) => ({
    Type: 'AWS::AutoScaling::AutoScalingGroup',
    Properties: { MinSize: '1', MaxSize: '2', LaunchTemplate: { LaunchTemplateId: { Ref: 'LT' }, Version: '$Latest' }, ...extra },
  });
  const slr = (suffix: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling${suffix}` });
  const keyStatements = (r: ReturnType<typeof runTransform>) => r.template.Resources.Key.Properties.KeyPolicy.Statement as Array<Record<string, unknown>>;

  it('gives a key without KeyPolicy the account root and both statements for the default role', () => {
    const r = runTransform(ID, { Resources: { Key: { Type: 'AWS::KMS::Key' }, LT: launchTemplate({ Ref: 'Key' }), G: group() } });
    expect(r.ids).toEqual(['autoScalingRoleLacksKey']);
    expect(keyStatements(r).map((s) => [s['Sid'], s['Principal']])).toEqual([
      ['EnableIAMPolicies', { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }],
      ['AllowAutoScalingServiceLinkedRoleUseOfKey', { AWS: slr('') }],
      ['AllowAutoScalingServiceLinkedRoleGrants', { AWS: slr('') }],
    ]);
    expect(keyStatements(r)[2]!['Condition']).toEqual({ Bool: { 'kms:GrantIsForAWSResource': true } });
    expectIdempotent(ID, r);
  });

  it('turns a single Statement object into a list', () => {
    const r = runTransform(ID, { Resources: { Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: root } } }, LT: launchTemplate({ 'Fn::GetAtt': ['Key', 'Arn'] }), G: group() } });
    expect(keyStatements(r).map((s) => s['Sid'])).toEqual(['Root', 'AllowAutoScalingServiceLinkedRoleUseOfKey', 'AllowAutoScalingServiceLinkedRoleGrants']);
  });

  it('adds for a second group only the role it lacks, under a Sid of its own', () => {
    const granted = { Sid: 'AllowAutoScalingServiceLinkedRoleUseOfKey', Effect: 'Allow', Principal: { AWS: slr('') }, Action: 'kms:*', Resource: '*' };
    const r = runTransform(ID, {
      Resources: {
        Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [root, granted] } } },
        LT: launchTemplate({ 'Fn::GetAtt': ['Key', 'Arn'] }),
        Default: group(),
        Custom: group({ ServiceLinkedRoleARN: slr('_custom') }),
      },
    });
    expect(r.ids).toEqual(['autoScalingRoleLacksKey']);
    expect(keyStatements(r).slice(2).map((s) => [s['Sid'], s['Principal']])).toEqual([
      ['AllowAutoScalingServiceLinkedRoleUseOfKey2', { AWS: slr('_custom') }],
      ['AllowAutoScalingServiceLinkedRoleGrants', { AWS: slr('_custom') }],
    ]);
  });

  it('recognises the role however its ARN is written, and any principal', () => {
    const template = (AWS: unknown, Action: unknown = 'kms:*') => ({
      Resources: {
        Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [root, { Effect: 'Allow', Principal: { AWS }, Action, Resource: '*' }] } } },
        LT: launchTemplate({ Ref: 'Key' }),
        G: group(),
      },
    });
    for (const AWS of [
      'arn:aws-us-gov:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling',
      { 'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'AWS::AccountId' }, ':role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling']] },
      '*',
    ]) {
      expect(runTransform(ID, template(AWS)).findings).toEqual([]);
    }
    expect(runTransform(ID, template(slr('_other'))).ids).toEqual(['autoScalingRoleLacksKey']);
    // The account root does not reach a service-linked role.
    expect(runTransform(ID, template({ 'Fn::Sub': 'arn:aws:iam::${AWS::AccountId}:root' })).ids).toEqual(['autoScalingRoleLacksKey']);
    // Grants alone are not use of the key.
    const grantsOnly = runTransform(ID, template(slr(''), 'kms:CreateGrant'));
    expect(keyStatements(grantsOnly).slice(2).map((s) => s['Sid'])).toEqual(['AllowAutoScalingServiceLinkedRoleUseOfKey']);
  });

  it('reports without a fix a role ARN built from a resource that waits for the key, and a key defined outside the template', () => {
    const cyclic = runTransform(ID, {
      Resources: {
        Key: { Type: 'AWS::KMS::Key' },
        Role: { Type: 'AWS::IAM::ServiceLinkedRole', DependsOn: 'Key', Properties: { AWSServiceName: 'autoscaling.amazonaws.com', CustomSuffix: 'app' } },
        LT: launchTemplate({ Ref: 'Key' }),
        G: group({ ServiceLinkedRoleARN: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/autoscaling.amazonaws.com/${Role}' } }),
      },
    });
    expect(cyclic.ids).toEqual(['autoScalingRoleLacksKey']);
    expect(cyclic.findings[0]!.fix).toBe('none');
    expect(cyclic.changed).toBe(false);
    const outside = runTransform(ID, { Parameters: { KeyArn: { Type: 'String' } }, Resources: { LT: launchTemplate({ Ref: 'KeyArn' }), G: group() } });
    expect(outside.ids).toEqual(['volumeKeyOutsideTemplate']);
    expect(outside.findings[0]!.severity).toBe('low');
    expect(runTransform(ID, { Resources: { LT: launchTemplate('alias/aws/ebs'), G: group() } }).findings).toEqual([]);
  });

  it('leaves groups that opt out, launch configurations and odd shapes alone', () => {
    const r = runTransform(ID, {
      Resources: {
        Key: { Type: 'AWS::KMS::Key' },
        LT: launchTemplate({ Ref: 'Key' }),
        G: { ...group(), Metadata: { tapfix: { skip: ['ec2-role-kms'] } } },
        LC: { Type: 'AWS::AutoScaling::LaunchConfiguration', Properties: { BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true } }] } },
        G2: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { LaunchConfigurationName: { Ref: 'LC' } } },
        G3: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { LaunchTemplate: { LaunchTemplateId: { 'Fn::GetAtt': ['LT', 'LatestVersionNumber'] } } } },
        G4: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { MixedInstancesPolicy: { LaunchTemplate: { Overrides: 'x' } } } },
        G5: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: [] },
        LT2: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { BlockDeviceMappings: [null, { Ebs: 'x' }] } } },
        G6: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { LaunchTemplate: { LaunchTemplateId: { Ref: 'LT2' } } } },
      },
    });
    expect(r.findings).toEqual([]);
    expect(r.changed).toBe(false);
  });
});
