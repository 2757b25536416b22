import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const bucket = (props?: unknown) => ({ Resources: { B: { Type: 'AWS::S3::Bucket', ...(props === undefined ? {} : { Properties: props }) } } });
const ours = { Id: 'ExpireNoncurrentVersions', Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 90 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } };

describe('s3-versioning', () => {
  it('enables versioning with a noncurrent-version lifecycle rule', () => {
    const r = runTransform('s3-versioning', bucket(), { unsafe: false });
    expect(r.ids).toEqual(['noVersioning']);
    expect(r.findings[0]!.fix).toBe('applied');
    expect(r.template.Resources.B.Properties).toEqual({ VersioningConfiguration: { Status: 'Enabled' }, LifecycleConfiguration: { Rules: [ours] } });
    expectIdempotent('s3-versioning', r);
  });

  it('bounds noncurrent versions of expiring rules by their own days, and adds a rule beside transitions-only rules', () => {
    const expiring = runTransform('s3-versioning', bucket({ LifecycleConfiguration: { Rules: [{ Status: 'Enabled', ExpirationInDays: 5 }] } }));
    expect(expiring.template.Resources.B.Properties.LifecycleConfiguration.Rules).toEqual([{ Status: 'Enabled', ExpirationInDays: 5, NoncurrentVersionExpiration: { NoncurrentDays: 5 } }]);
    const byDate = runTransform('s3-versioning', bucket({ LifecycleConfiguration: { Rules: [{ Status: 'Enabled', ExpirationDate: '2030-01-01T00:00:00Z' }] } }));
    expect(byDate.template.Resources.B.Properties.LifecycleConfiguration.Rules[0].NoncurrentVersionExpiration).toEqual({ NoncurrentDays: 90 });
    const transitions = { Id: 'ExpireNoncurrentVersions', Status: 'Enabled', Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: 30 }] };
    const r = runTransform('s3-versioning', bucket({ LifecycleConfiguration: { Rules: [transitions] } }));
    expect(r.template.Resources.B.Properties.LifecycleConfiguration.Rules).toEqual([transitions, { ...ours, Id: 'ExpireNoncurrentVersions2' }]);
    expectIdempotent('s3-versioning', r);
  });

  it('leaves lifecycle rules that already limit noncurrent versions as they are', () => {
    const rules = [{ Status: 'Enabled', NoncurrentVersionExpirationInDays: 10 }];
    const r = runTransform('s3-versioning', bucket({ LifecycleConfiguration: { Rules: rules } }));
    expect(r.template.Resources.B.Properties).toEqual({ LifecycleConfiguration: { Rules: rules }, VersioningConfiguration: { Status: 'Enabled' } });
  });

  it('honours noncurrentExpirationDays, 0 keeping every version', () => {
    const r = runTransform('s3-versioning', bucket({}), { options: { noncurrentExpirationDays: 0 } });
    expect(r.template.Resources.B.Properties.LifecycleConfiguration.Rules).toEqual([{ Id: 'AbortIncompleteUploads', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }]);
    const week = runTransform('s3-versioning', bucket({}), { options: { noncurrentExpirationDays: 7 } });
    expect(week.template.Resources.B.Properties.LifecycleConfiguration.Rules[0].NoncurrentVersionExpiration).toEqual({ NoncurrentDays: 7 });
  });

  it('reports Suspended and leaves computed or versioned buckets alone', () => {
    const suspended = runTransform('s3-versioning', bucket({ VersioningConfiguration: { Status: 'Suspended' } }));
    expect(suspended.ids).toEqual(['versioningSuspended']);
    expect(suspended.changed).toBe(false);
    for (const t of [
      bucket({ VersioningConfiguration: { Status: 'Enabled' } }),
      bucket({ VersioningConfiguration: { Status: { 'Fn::If': ['C', 'Enabled', 'Suspended'] } } }),
      bucket({ VersioningConfiguration: { 'Fn::If': ['C', { Status: 'Enabled' }, { Ref: 'AWS::NoValue' }] } }),
      bucket({ LifecycleConfiguration: { 'Fn::If': ['C', { Rules: [] }, { Ref: 'AWS::NoValue' }] } }),
      bucket({ 'Fn::If': ['C', {}, {}] }),
    ]) {
      const r = runTransform('s3-versioning', t);
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });

  it('keeps YAML layout and comments', () => {
    const yaml = ['Resources:', '  B: # data', '    Type: AWS::S3::Bucket', '    Properties:', '      BucketName: data # fixed name', ''].join('\n');
    const r = runTransform('s3-versioning', yaml, { format: 'yaml' });
    expect(r.output.startsWith(yaml + '      VersioningConfiguration:\n        Status: Enabled\n')).toBe(true);
  });
});
