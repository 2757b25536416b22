import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import {
  attributeNames,
  isStateful,
  nameProperty,
  propertyNames,
  propertyPathExists,
  replacingProperties,
  resourceSpec,
  resourceTypes,
  specSource,
  supportsSnapshot,
  tagInfo,
} from '../src/cfn/spec.js';

interface GenSpecLib {
  buildResourceSpec(db: unknown): { source: string; resources: Record<string, unknown> };
  serializeResourceSpec(data: unknown): string;
  SPEC_PACKAGE_VERSION: string;
  SNAPSHOT_TYPES: readonly string[];
  NAME_PROPERTIES: Readonly<Record<string, string>>;
}

// Imported through a URL so the .mjs generator needs no TypeScript declaration file.
const lib = (await import(new URL('../scripts/gen-spec-lib.mjs', import.meta.url).href)) as GenSpecLib;
const dataFile = fileURLToPath(new URL('../data/resource-spec.json', import.meta.url));

describe('data/resource-spec.json', () => {
  it('reads lazily, type by type, exactly what parsing the whole file gives', () => {
    const whole = JSON.parse(readFileSync(dataFile, 'utf8')) as { source: string; resources: Record<string, unknown> };
    expect(resourceTypes()).toEqual(Object.keys(whole.resources));
    for (const type of resourceTypes()) expect(resourceSpec(type), type).toEqual(whole.resources[type]);
    expect(specSource()).toBe(whole.source);
    expect(resourceSpec('AWS::Nothing::Here')).toBeUndefined();
    expect(resourceSpec('constructor')).toBeUndefined();
  });

  it('is up to date with the installed @aws-cdk/aws-service-spec (else run `npm run gen:spec`)', async () => {
    const db = await loadAwsServiceSpec();
    const built = lib.buildResourceSpec(db);
    const committedText = readFileSync(dataFile, 'utf8');
    const committed = JSON.parse(committedText) as { source: string; resources: Record<string, unknown> };

    const stale = 'data/resource-spec.json is stale: run `npm run gen:spec` and commit the result';
    expect(committed.source, stale).toBe(built.source);
    // Name the differing resource types instead of dumping a multi-megabyte diff.
    const types = new Set([...Object.keys(committed.resources), ...Object.keys(built.resources)]);
    const differing = [...types]
      .filter((t) => JSON.stringify(committed.resources[t]) !== JSON.stringify(built.resources[t]))
      .slice(0, 20);
    expect(differing, stale).toEqual([]);
    // Byte-exact too (key order, layout).
    expect(committedText === lib.serializeResourceSpec(built), stale).toBe(true);
  });

  it('names its source', () => {
    expect(specSource()).toBe(`@aws-cdk/aws-service-spec@${lib.SPEC_PACKAGE_VERSION}`);
  });
});

describe('resource spec accessors', () => {
  it('covers only AWS:: types, including the common ones', () => {
    const types = resourceTypes();
    expect(types.length).toBeGreaterThan(1000);
    expect(types.every((t) => t.startsWith('AWS::'))).toBe(true);
    expect(types).toContain('AWS::S3::Bucket');
  });

  it('describes AWS::S3::Bucket', () => {
    expect(tagInfo('AWS::S3::Bucket')).toEqual({ property: 'Tags', variant: 'standard', replaces: false });
    expect(isStateful('AWS::S3::Bucket')).toBe(true);
    expect(supportsSnapshot('AWS::S3::Bucket')).toBe(false);
    expect(replacingProperties('AWS::S3::Bucket')).toContain('BucketName');
    expect(replacingProperties('AWS::S3::Bucket')).not.toContain('Tags');
    expect(attributeNames('AWS::S3::Bucket')).toContain('Arn');
    expect(propertyNames('AWS::S3::Bucket')).toEqual(expect.arrayContaining(['BucketEncryption', 'Tags', 'VersioningConfiguration']));
  });

  it('knows the tag variants', () => {
    expect(tagInfo('AWS::AutoScaling::AutoScalingGroup')?.variant).toBe('asg');
    expect(tagInfo('AWS::SSM::Parameter')).toEqual({ property: 'Tags', variant: 'map', replaces: false });
    expect(tagInfo('AWS::Cognito::UserPool')).toEqual({ property: 'UserPoolTags', variant: 'map', replaces: false });
    expect(tagInfo('AWS::EFS::FileSystem')?.property).toBe('FileSystemTags');
    expect(tagInfo('AWS::Lambda::Permission')).toBeUndefined();
    // Tags whose update replaces the resource.
    expect(tagInfo('AWS::RedshiftServerless::Snapshot')?.replaces).toBe(true);
  });

  it('knows stateful and snapshot types', () => {
    expect(supportsSnapshot('AWS::RDS::DBInstance')).toBe(true);
    expect(supportsSnapshot('AWS::EC2::Volume')).toBe(true);
    expect(supportsSnapshot('AWS::DynamoDB::Table')).toBe(false);
    expect(isStateful('AWS::DynamoDB::Table')).toBe(true);
    expect(isStateful('AWS::EC2::VPC')).toBe(false);
    expect(isStateful('AWS::Lambda::Function')).toBe(false);
    // Every type that can be snapshotted holds data.
    for (const t of lib.SNAPSHOT_TYPES) expect(isStateful(t), t).toBe(true);
  });

  it('knows the property that names a resource', () => {
    // The primary identifier, the value Ref returns, the variable of the ARN.
    expect(nameProperty('AWS::S3::Bucket')).toBe('BucketName');
    expect(nameProperty('AWS::Logs::LogGroup')).toBe('LogGroupName');
    expect(nameProperty('AWS::Elasticsearch::Domain')).toBe('DomainName');
    expect(nameProperty('AWS::SQS::Queue')).toBe('QueueName');
    expect(nameProperty('AWS::Lambda::Function')).toBe('FunctionName');
    // Listed from the service documentation.
    expect(nameProperty('AWS::SecretsManager::Secret')).toBe('Name');
    // Generated identifiers, and names that need not be unique.
    expect(nameProperty('AWS::EFS::FileSystem')).toBeUndefined();
    expect(nameProperty('AWS::KMS::Key')).toBeUndefined();
    expect(nameProperty('AWS::EMR::Cluster')).toBeUndefined();
    expect(nameProperty('AWS::Cognito::UserPool')).toBeUndefined();
    expect(nameProperty('Custom::Thing')).toBeUndefined();
    for (const [t, p] of Object.entries(lib.NAME_PROPERTIES)) expect(nameProperty(t), t).toBe(p);
  });

  it('checks nested property paths', () => {
    const bucket = 'AWS::S3::Bucket';
    expect(propertyPathExists(bucket, ['BucketEncryption', 'ServerSideEncryptionConfiguration', '0', 'BucketKeyEnabled'])).toBe(true);
    expect(
      propertyPathExists(bucket, [
        'BucketEncryption',
        'ServerSideEncryptionConfiguration',
        '0',
        'ServerSideEncryptionByDefault',
        'SSEAlgorithm',
      ]),
    ).toBe(true);
    expect(propertyPathExists(bucket, ['BucketEncryption', 'ServerSideEncryptionConfiguration', '0', 'BucketKeyEnabledX'])).toBe(false);
    expect(propertyPathExists(bucket, ['BucketEncryption', 'ServerSideEncryptionConfiguration', '0'])).toBe(true);
    expect(propertyPathExists(bucket, ['BucketEncryption'])).toBe(true);
    expect(propertyPathExists(bucket, [])).toBe(true);
    expect(propertyPathExists(bucket, ['NoSuchProperty'])).toBe(false);
    // A list needs an index; a scalar has nothing below it.
    expect(propertyPathExists(bucket, ['BucketEncryption', 'ServerSideEncryptionConfiguration', 'BucketKeyEnabled'])).toBe(false);
    expect(propertyPathExists(bucket, ['BucketName', 'x'])).toBe(false);
    // Builtin tags: list of {Key, Value}.
    expect(propertyPathExists(bucket, ['Tags', '3', 'Key'])).toBe(true);
    expect(propertyPathExists(bucket, ['Tags', '3', 'PropagateAtLaunch'])).toBe(false);
    expect(propertyPathExists('AWS::AutoScaling::AutoScalingGroup', ['Tags', '0', 'PropagateAtLaunch'])).toBe(true);
    // Maps skip the key; free-form JSON accepts anything below.
    expect(propertyPathExists('AWS::SSM::Parameter', ['Tags', 'team'])).toBe(true);
    expect(propertyPathExists('AWS::SSM::Parameter', ['Tags', 'team', 'x'])).toBe(false);
    expect(propertyPathExists('AWS::IAM::Role', ['AssumeRolePolicyDocument', 'Statement', '0', 'Effect'])).toBe(true);
    // Unions: Policies is a document or a list of documents/templates.
    expect(propertyPathExists('AWS::Serverless::Function', ['Policies', '0', 'Statement'])).toBe(true);
  });

  it('returns undefined / empty for unknown types', () => {
    expect(resourceSpec('Custom::Thing')).toBeUndefined();
    expect(resourceSpec('AWS::Nope::Nope')).toBeUndefined();
    expect(resourceSpec('toString')).toBeUndefined();
    expect(propertyPathExists('Custom::Thing', ['A'])).toBeUndefined();
    expect(propertyPathExists('AWS::Nope::Nope', [])).toBeUndefined();
    expect(tagInfo('Custom::Thing')).toBeUndefined();
    expect(isStateful('Custom::Thing')).toBe(false);
    expect(supportsSnapshot('Custom::Thing')).toBe(false);
    expect(replacingProperties('Custom::Thing')).toEqual([]);
    expect(attributeNames('Custom::Thing')).toEqual([]);
    expect(propertyNames('Custom::Thing')).toEqual([]);
  });

  it('defines every type it references, in well-formed expressions', () => {
    const wellFormed = /^(?:[A-Za-z0-9_@]+|\*|[\[\]{}|])*$/;
    const problems: string[] = [];
    for (const type of resourceTypes()) {
      const spec = resourceSpec(type)!;
      const typeNames = new Set(Object.keys(spec.types));
      const exprs = [...Object.values(spec.props), ...Object.values(spec.types).flatMap((t) => Object.values(t))];
      for (const expr of exprs) {
        if (!wellFormed.test(expr)) problems.push(`${type}: malformed ${expr}`);
        for (const name of expr.split(/[|[\]{}*]/).filter(Boolean)) {
          if (!typeNames.has(name)) problems.push(`${type}: ${expr} references undefined ${name}`);
        }
      }
      for (const prop of Object.keys(spec.props)) {
        if (!spec.properties.includes(prop)) problems.push(`${type}: props.${prop} is not a property`);
      }
      // Exercises the expression parser on every top-level property (it throws on malformed input).
      for (const prop of spec.properties) {
        if (propertyPathExists(type, [prop]) !== true) problems.push(`${type}: ${prop} not found`);
        if (typeof propertyPathExists(type, [prop, '0', 'x']) !== 'boolean') problems.push(`${type}: ${prop}/0/x`);
      }
    }
    expect(problems).toEqual([]);
  });
});
