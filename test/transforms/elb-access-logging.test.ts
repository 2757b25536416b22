import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'elb-access-logging';
const V2 = 'AWS::ElasticLoadBalancingV2::LoadBalancer';
const CLB = 'AWS::ElasticLoadBalancing::LoadBalancer';
const alb = (extra: Record<string, unknown> = {}) => ({ Type: V2, Properties: { Type: 'application', Subnets: ['s-1', 's-2'], ...extra } });
const attrs = (r: any, id: string) => r.template.Resources[id].Properties.LoadBalancerAttributes;

describe(ID, () => {
  it('creates one log bucket and policy for every load balancer of the stack, and orders them after the policy', () => {
    const r = runTransform(ID, { Resources: { A: alb(), B: alb(), C: { Type: CLB, Properties: { Listeners: [] } } } });
    expect(r.ids).toEqual(['noAccessLogs', 'noAccessLogs', 'noAccessLogs']);
    for (const id of ['A', 'B']) {
      expect(attrs(r, id)).toEqual([
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: { Ref: 'LoadBalancerLogsBucket' } },
      ]);
      expect(r.template.Resources[id].DependsOn).toBe('LoadBalancerLogsBucketPolicy');
    }
    expect(r.template.Resources.C.Properties.AccessLoggingPolicy).toEqual({ Enabled: true, S3BucketName: { Ref: 'LoadBalancerLogsBucket' } });
    const bucket = r.template.Resources.LoadBalancerLogsBucket;
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    const statements = r.template.Resources.LoadBalancerLogsBucketPolicy.Properties.PolicyDocument.Statement;
    expect(statements.map((s: any) => s.Sid)).toEqual(['AllowELBAccessLogs', 'DenyInsecureTransport']);
    expect(statements[0].Principal.AWS['Fn::Sub'][1].ElbAccount['Fn::FindInMap'][0]).toBe('ElbLogAccounts');
    expect(r.template.Mappings.ElbLogAccounts['us-east-1']).toEqual({ AccountId: '127311923021' });
    expect(Object.keys(r.template.Resources).filter((id) => r.template.Resources[id].Type === 'AWS::S3::Bucket')).toEqual(['LoadBalancerLogsBucket']);
    expectIdempotent(ID, r);
  });

  it('grants the service principal in a region without an ELB account', () => {
    const r = runTransform(ID, { Resources: { A: alb() } }, { region: 'ap-southeast-4' });
    const grant = r.template.Resources.LoadBalancerLogsBucketPolicy.Properties.PolicyDocument.Statement[0];
    expect(grant.Principal).toEqual({ Service: 'logdelivery.elasticloadbalancing.amazonaws.com' });
    expect(r.template.Mappings).toBeUndefined();
  });

  it('leaves nothing for elb-log-principal and s3-access-logging to change on the new bucket', () => {
    const alone = runTransform(ID, { Resources: { A: alb() } });
    const together = runTransform(ID, { Resources: { A: alb() } }, { with: ['elb-log-principal', 's3-access-logging', 's3-enforce-tls'] });
    expect(together.template).toEqual(alone.template);
  });

  it('reuses the log bucket, prefix and policy another load balancer already writes to', () => {
    const t = {
      Resources: {
        Logs: { Type: 'AWS::S3::Bucket' },
        LogsPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'Logs' }, PolicyDocument: { Statement: [] } } },
        Old: alb({ LoadBalancerAttributes: [{ Key: 'access_logs.s3.enabled', Value: 'true' }, { Key: 'access_logs.s3.bucket', Value: { Ref: 'Logs' } }, { Key: 'access_logs.s3.prefix', Value: 'lb' }] }),
        New: alb(),
      },
    };
    const r = runTransform(ID, t);
    expect(r.ids).toEqual(['noAccessLogs']);
    expect(attrs(r, 'New')).toEqual([
      { Key: 'access_logs.s3.enabled', Value: 'true' },
      { Key: 'access_logs.s3.bucket', Value: { Ref: 'Logs' } },
      { Key: 'access_logs.s3.prefix', Value: 'lb' },
    ]);
    expect(r.template.Resources.New.DependsOn).toBe('LogsPolicy');
    expect(r.template.Resources.LoadBalancerLogsBucket).toBeUndefined();
  });

  it('gives a bucket to a load balancer that turns logging on without one', () => {
    const r = runTransform(ID, { Resources: { A: alb({ LoadBalancerAttributes: [{ Key: 'access_logs.s3.enabled', Value: true }] }) } });
    expect(attrs(r, 'A')).toEqual([
      { Key: 'access_logs.s3.enabled', Value: 'true' },
      { Key: 'access_logs.s3.bucket', Value: { Ref: 'LoadBalancerLogsBucket' } },
    ]);
  });

  it('reports logging turned off and network load balancers, without creating anything', () => {
    const r = runTransform(ID, {
      Resources: {
        Off: alb({ LoadBalancerAttributes: [{ Key: 'access_logs.s3.enabled', Value: 'false' }] }),
        Nlb: { Type: V2, Properties: { Type: 'network' } },
        ClbOff: { Type: CLB, Properties: { AccessLoggingPolicy: { Enabled: false, S3BucketName: 'x' } } },
      },
    });
    expect(r.ids).toEqual(['accessLogsOff', 'networkNotLogging', 'accessLogsOff']);
    expect(r.changed).toBe(false);
  });

  it('leaves logging, gateway, computed and opted-out load balancers alone', () => {
    for (const resource of [
      alb({ LoadBalancerAttributes: [{ Key: 'access_logs.s3.enabled', Value: 'true' }, { Key: 'access_logs.s3.bucket', Value: 'my-logs' }] }),
      alb({ LoadBalancerAttributes: [{ Key: 'access_logs.s3.enabled', Value: { Ref: 'Logs' } }] }),
      alb({ LoadBalancerAttributes: { 'Fn::If': ['C', [], []] } }),
      { Type: V2, Properties: { Type: 'gateway' } },
      { Type: V2, Properties: { Type: { Ref: 'Kind' } } },
      { ...alb(), Metadata: { tapfix: { skip: [ID] } } },
      { Type: CLB, Properties: { AccessLoggingPolicy: { 'Fn::If': ['C', {}, {}] } } },
    ]) {
      const r = runTransform(ID, { Parameters: { Logs: { Type: 'String' }, Kind: { Type: 'String' } }, Conditions: { C: { 'Fn::Equals': ['a', 'a'] } }, Resources: { Lb: resource } });
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });

  it('honours expirationDays', () => {
    const r = runTransform(ID, { Resources: { A: alb() } }, { options: { expirationDays: 30 } });
    expect(r.template.Resources.LoadBalancerLogsBucket.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(30);
  });
});

describe(`${ID}: the author's bucket`, () => {
  it('never replaces a bucket the author named; reports it when logging is not on', () => {
    const r = runTransform(ID, { Resources: { A: alb({ LoadBalancerAttributes: [{ Key: 'access_logs.s3.bucket', Value: 'team-logs' }] }) } });
    expect(r.ids).toEqual(['logBucketNotUsed']);
    expect(r.changed).toBe(false);
  });
});
