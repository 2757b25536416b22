import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'retain-stateful';
const run = (t: unknown, options?: Record<string, unknown>) => runTransform(ID, t, options ? { options } : {});
type Run = ReturnType<typeof run>;
/** The two policies of resource `id` after the run. */
const policies = (r: Run, id: string) => {
  const { DeletionPolicy, UpdateReplacePolicy } = r.template.Resources[id];
  return { DeletionPolicy, UpdateReplacePolicy };
};
const RETAIN = { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' };

describe('retain-stateful', () => {
  it('follows the author for the missing partner attribute', () => {
    const f = run({ Resources: { D: { Type: 'AWS::RDS::DBInstance', DeletionPolicy: 'Retain', Properties: {} } } });
    expect(f.ids).toEqual(['noPolicy']);
    expect(f.result.operations).toEqual([{ op: 'add', path: '/Resources/D/UpdateReplacePolicy', value: 'Retain' }]);
    expectIdempotent(ID, f);
    const g = run({ Resources: { T: { Type: 'AWS::DynamoDB::Table', DeletionPolicy: 'RetainExceptOnCreate' } } });
    expect(policies(g, 'T')).toEqual({ DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
  });

  it('snapshots what can be snapshotted, and notes the RDS default it writes out', () => {
    const f = run({ Resources: { V: { Type: 'AWS::EC2::Volume', Properties: { Size: 8 } }, D: { Type: 'AWS::RDS::DBCluster', UpdateReplacePolicy: 'Snapshot', Properties: {} } } });
    expect(f.ids).toEqual(['noPolicy', 'implicitSnapshot']);
    expect(f.findings.map((x) => x.severity)).toEqual(['critical', 'low']);
    expect(policies(f, 'V')).toEqual({ DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
    expect(policies(f, 'D')).toEqual({ DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
  });

  it('reports a computed policy without a partner, and an explicit Delete unless told to override it', () => {
    const computed = run({ Resources: { B: { Type: 'AWS::S3::Bucket', DeletionPolicy: { 'Fn::If': ['Prod', 'Retain', 'Delete'] } } } });
    expect(computed.ids).toEqual(['computedPolicy']);
    expect(computed.changed).toBe(false);
    const deleted = { Resources: { B: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Delete' } } };
    const kept = run(deleted);
    expect(kept.ids).toEqual(['explicitDelete']);
    expect(kept.findings[0]!.pointer).toBe('/Resources/B/DeletionPolicy');
    expect(kept.changed).toBe(false);
    const overridden = run(deleted, { overrideExplicitDelete: true });
    expect(overridden.ids).toEqual(['explicitDeleteOverridden']);
    expect(policies(overridden, 'B')).toEqual(RETAIN);
  });

  it('skips cluster members, read replicas, memcached, nested stacks and excluded types', () => {
    const r = run(
      {
        Resources: {
          M: { Type: 'AWS::RDS::DBInstance', Properties: { DBClusterIdentifier: { Ref: 'C' } } },
          R: { Type: 'AWS::RDS::DBInstance', Properties: { SourceDBInstanceIdentifier: 'x' } },
          Mc: { Type: 'AWS::ElastiCache::CacheCluster', Properties: { Engine: 'memcached' } },
          S: { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: 'x' } },
          L: { Type: 'AWS::Logs::LogGroup' },
        },
      },
      { excludeTypes: ['AWS::Logs::LogGroup'] },
    );
    expect(r.findings).toEqual([]);
    expect(r.changed).toBe(false);
  });

  describe('resources that bill by the hour', () => {
    const emr = { Type: 'AWS::EMR::Cluster', Properties: { Name: 'etl', ReleaseLabel: 'emr-7.1.0' } };
    const stream = { Type: 'AWS::Kinesis::Stream', Properties: { Name: 'clicks', ShardCount: 2 } };
    const search = { Type: 'AWS::OpenSearchService::Domain', Properties: { DomainName: 'logs' } };
    const legacySearch = { Type: 'AWS::Elasticsearch::Domain', Properties: { DomainName: 'legacy' } };

    it('never retains an EMR cluster or a Kinesis stream', () => {
      const r = run({ Resources: { Emr: emr, Stream: stream } });
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    });

    it('reports a search domain without retaining it: its indices go with it', () => {
      const f = run({ Resources: { Search: search, Legacy: legacySearch } });
      expect(f.findings.map((x) => [x.pointer, x.messageId, x.severity, x.fix])).toEqual([
        ['/Resources/Search', 'notRetained', 'medium', 'none'],
        ['/Resources/Legacy', 'notRetained', 'medium', 'none'],
      ]);
      expect(f.changed).toBe(false);
    });

    it('reports a cache cluster whose engine is computed (memcached cannot snapshot) without retaining it', () => {
      const f = run({ Parameters: { Engine: { Type: 'String' } }, Resources: { C: { Type: 'AWS::ElastiCache::CacheCluster', Properties: { Engine: { Ref: 'Engine' } } } } });
      expect(f.ids).toEqual(['notRetained']);
      expect(f.changed).toBe(false);
    });

    it('agrees with an explicit Delete, even with overrideExplicitDelete, and follows an explicit Retain', () => {
      const deleted = { ...search, DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' };
      expect(run({ Resources: { Search: deleted, Emr: { ...emr, DeletionPolicy: 'Delete' } } }, { overrideExplicitDelete: true }).findings).toEqual([]);
      const f = run({ Resources: { Search: { ...search, DeletionPolicy: 'Retain' } } });
      expect(f.result.operations).toEqual([{ op: 'add', path: '/Resources/Search/UpdateReplacePolicy', value: 'Retain' }]);
    });
  });

  describe('named resources', () => {
    const fn = (name?: unknown) => ({ Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs20.x', ...(name === undefined ? {} : { FunctionName: name }) } });
    const logGroup = (name: unknown, extra: Record<string, unknown> = {}) => ({ Type: 'AWS::Logs::LogGroup', ...extra, Properties: { LogGroupName: name } });

    it('retains a resource with a fixed name and says that re-creating the stack then fails', () => {
      const f = run({ Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::Sub': '${AWS::StackName}-data' } } } } });
      expect(f.ids).toEqual(['fixedNameRetained']);
      expect(policies(f, 'B')).toEqual(RETAIN);
      const s = run({ Resources: { S: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'db-credentials' } } } });
      expect(s.ids).toEqual(['fixedNameRetained']);
    });

    it('says nothing of names for a generated name, a name made unique per stack or a snapshot', () => {
      const f = run({
        Resources: {
          Generated: { Type: 'AWS::S3::Bucket' },
          PerStack: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::Join': ['-', ['data', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }]] } } },
          OfUnnamed: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::Sub': '${Generated}-events' } } },
          Db: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceIdentifier: 'orders', Engine: 'postgres' } },
        },
      });
      expect(f.ids).toEqual(['noPolicy', 'noPolicy', 'noPolicy', 'noPolicy']);
      expect(policies(f, 'Db')).toEqual({ DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
    });

    it('gives no policy to the log group of a function with a fixed name, however the name is written', () => {
      const f = run({
        Parameters: { Env: { Type: 'String' } },
        Resources: {
          Literal: fn('orders'),
          LiteralLogs: logGroup('/aws/lambda/orders'),
          BySub: fn({ 'Fn::Sub': '${Env}-payments' }),
          BySubLogs: logGroup({ 'Fn::Sub': '/aws/lambda/${Env}-payments' }),
          ByRef: fn('refunds'),
          ByRefLogs: logGroup({ 'Fn::Sub': '/aws/lambda/${ByRef}' }),
          ByJoin: fn({ 'Fn::If': ['IsProd', 'invoices', { Ref: 'AWS::NoValue' }] }),
          ByJoinLogs: logGroup({ 'Fn::Join': ['', ['/aws/lambda/', { Ref: 'ByJoin' }]] }),
          Disposable: logGroup('/aws/lambda/orders-v2', { DeletionPolicy: 'Delete' }),
          OrdersV2: fn('orders-v2'),
          Sam: { Type: 'AWS::Serverless::Function', Properties: { FunctionName: { 'Fn::Sub': '${Env}-sam' } } },
          SamLogs: logGroup({ 'Fn::Sub': '/aws/lambda/${Sam}' }),
        },
      });
      expect(f.findings).toEqual([]);
      expect(f.changed).toBe(false);
    });

    it('retains the log group of a function whose name is generated, and a /aws/lambda/ group of a function elsewhere', () => {
      const f = run({ Resources: { Fn: fn(), FnLogs: logGroup({ 'Fn::Sub': '/aws/lambda/${Fn}' }), Other: logGroup('/aws/lambda/shared-auth') } });
      expect(f.findings.map((x) => [x.pointer, x.messageId])).toEqual([
        ['/Resources/FnLogs', 'noPolicy'],
        ['/Resources/Other', 'fixedNameRetained'],
      ]);
      expect([policies(f, 'FnLogs'), policies(f, 'Other')]).toEqual([RETAIN, RETAIN]);
    });

    it('recognises every log group lambda-log-group writes for a function with a fixed name', () => {
      const names: unknown[] = ['production-lambda', { 'Fn::Sub': '${AWS::StackName}-api' }, { Ref: 'Name' }, { 'Fn::Join': ['-', [{ Ref: 'Name' }, 'x']] }, { 'Fn::If': ['C', 'a', 'b'] }];
      const template = {
        Parameters: { Name: { Type: 'String' } },
        Conditions: { C: { 'Fn::Equals': [{ Ref: 'Name' }, 'a'] } },
        Resources: Object.fromEntries(names.map((name, i) => [`Fn${i}`, fn(name)])),
      };
      const result = runTransform(ID, template, { with: ['lambda-log-group'] });
      const added = Object.values(result.template.Resources as Record<string, { Type: string; DeletionPolicy?: string }>).filter((r) => r.Type === 'AWS::Logs::LogGroup');
      expect(added).toHaveLength(names.length);
      expect(added.filter((r) => r.DeletionPolicy !== undefined)).toEqual([]);
      expect(result.findings).toEqual([]);
    });
  });

  describe('KMS keys follow the data they encrypt', () => {
    const key = { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Version: '2012-10-17', Statement: [] } } };
    const alias = { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/app', TargetKeyId: { Ref: 'Key' } } };
    const cluster = (kms: unknown, extra: Record<string, unknown> = {}) => ({ Type: 'AWS::RDS::DBCluster', ...extra, Properties: { Engine: 'aurora-postgresql', StorageEncrypted: true, KmsKeyId: kms } });
    const deletedCluster = (kms: unknown) => cluster(kms, { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    const member = { Type: 'AWS::RDS::DBInstance', Properties: { DBClusterIdentifier: { Ref: 'Db' }, DBInstanceClass: 'db.r6g.large', PerformanceInsightsKMSKeyId: { Ref: 'Key' } } };
    const role = {
      Type: 'AWS::IAM::Role',
      Properties: { Policies: [{ PolicyName: 'kms', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': ['Key', 'Arn'] } }] } }] },
    };
    const bucket = (kms: unknown) => ({
      Type: 'AWS::S3::Bucket',
      Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kms } }] } },
    });
    const keyFinding = (r: Run) => r.findings.filter((x) => x.pointer.startsWith('/Resources/Key'));

    it('gives no policy to a key whose data all goes with the stack (a cluster set to Delete, its members)', () => {
      const f = run({ Resources: { Key: key, Alias: alias, Db: deletedCluster({ 'Fn::GetAtt': ['Key', 'Arn'] }), Member: member, Role: role } });
      expect(f.findings.map((x) => [x.pointer, x.messageId])).toEqual([['/Resources/Db/DeletionPolicy', 'explicitDelete']]);
      expect(f.changed).toBe(false);
    });

    it('gives no policy to a key used only by the log group of a function with a fixed name', () => {
      const f = run({
        Resources: {
          Key: key,
          Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'orders' } },
          Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/aws/lambda/orders', KmsKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } },
        },
      });
      expect(f.findings).toEqual([]);
    });

    it('retains a key that encrypts data the stack keeps, however the data names it, and says which', () => {
      for (const kms of [{ Ref: 'Key' }, { 'Fn::GetAtt': ['Key', 'Arn'] }, { Ref: 'Alias' }, 'alias/app', { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/app' }]) {
        const r = run({ Resources: { Key: key, Alias: alias, Data: bucket(kms), Db: deletedCluster({ Ref: 'Key' }) } });
        const f = keyFinding(r);
        expect(f.map((x) => x.messageId), JSON.stringify(kms)).toEqual(['keyOfKeptData']);
        expect(policies(r, 'Key'), JSON.stringify(kms)).toEqual(RETAIN);
        // The finding names the data (the only place it is said).
        expect(f[0]!.message).toContain('(Data)');
      }
      // A snapshot needs its key as much as a retained resource does.
      const g = keyFinding(run({ Resources: { Key: key, Db: cluster({ Ref: 'Key' }) } }));
      expect(g.map((x) => x.messageId)).toEqual(['keyOfKeptData']);
      expect(g[0]!.message).toContain('(Db)');
      // So does a policy the author computes.
      const h = run({ Resources: { Key: key, Db: cluster({ Ref: 'Key' }, { DeletionPolicy: { 'Fn::If': ['Prod', 'Snapshot', 'Delete'] }, UpdateReplacePolicy: 'Delete' }) } });
      expect(keyFinding(h)).toHaveLength(1);
      expect(policies(h, 'Key')).toEqual(RETAIN);
    });

    it('retains a key whose use it cannot see: no user in the template, an export, a resource that is not a data store', () => {
      expect(keyFinding(run({ Resources: { Key: key } }))).toHaveLength(1);
      const exports = { KeyArn: { Value: { 'Fn::GetAtt': ['Key', 'Arn'] }, Export: { Name: 'app-key' } } };
      expect(keyFinding(run({ Resources: { Key: key, Db: deletedCluster({ Ref: 'Key' }) }, Outputs: exports }))).toHaveLength(1);
      // Data in view that stays is named all the same.
      const named = keyFinding(run({ Resources: { Key: key, Data: bucket({ Ref: 'Key' }) }, Outputs: exports }));
      expect(named.map((x) => x.messageId)).toEqual(['keyOfKeptData']);
      expect(named[0]!.message).toContain('(Data)');
      const topic = { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { Ref: 'Key' } } };
      expect(keyFinding(run({ Resources: { Key: key, Db: deletedCluster({ Ref: 'Key' }), Topic: topic } }))).toHaveLength(1);
    });

    it('agrees with a Delete the author wrote on a key whose data goes, and explains one whose data stays', () => {
      const deletedKey = { ...key, DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' };
      expect(keyFinding(run({ Resources: { Key: deletedKey, Db: deletedCluster({ Ref: 'Key' }) } }))).toEqual([]);
      const f = run({ Resources: { Key: deletedKey, Data: bucket({ Ref: 'Key' }) } });
      expect(keyFinding(f).map((x) => [x.messageId, x.fix])).toEqual([['keyDeletedWithKeptData', 'none']]);
      expect(policies(f, 'Key')).toEqual({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
      const g = run({ Resources: { Key: deletedKey, Data: bucket({ Ref: 'Key' }) } }, { overrideExplicitDelete: true });
      expect(keyFinding(g).map((x) => x.messageId)).toEqual(['explicitDeleteOverridden']);
      expect(policies(g, 'Key')).toEqual(RETAIN);
    });
  });

  it('never throws on odd shapes', () => {
    const key = { Type: 'AWS::KMS::Key' };
    for (const t of [
      { Resources: null },
      { Resources: { A: 'x', B: { Type: 3 }, C: { Type: 'AWS::S3::Bucket', Properties: [] } } },
      { Resources: { Key: key, Odd: { Type: 3, Properties: { K: { Ref: 'Key' } } }, Alias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/x', TargetKeyId: { Ref: 'Key' } } }, S: { Properties: ['alias/x'] } } },
    ]) {
      expect(() => run(t)).not.toThrow();
    }
  });
});
