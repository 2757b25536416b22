import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

describe('ecr-repository', () => {
  it('turns scan on push on (safe), adds the untagged-image lifecycle (unsafe) and reports mutable tags', () => {
    const r = runTransform('ecr-repository', { Resources: { Repo: { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'app' } } } });
    expect(r.ids).toEqual(['noScanOnPush', 'noLifecyclePolicy', 'mutableTags']);
    expect(r.findings.map((f) => f.safety)).toEqual(['safe', 'unsafe', undefined]);
    const props = r.template.Resources.Repo.Properties;
    expect(props.ImageScanningConfiguration).toEqual({ ScanOnPush: true });
    expect(JSON.parse(props.LifecyclePolicy.LifecyclePolicyText).rules[0]).toMatchObject({
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 },
      action: { type: 'expire' },
    });
    expect(props.ImageTagMutability).toBeUndefined();
    expectIdempotent('ecr-repository', r);
    const safeOnly = runTransform('ecr-repository', { Resources: { Repo: { Type: 'AWS::ECR::Repository' } } }, { unsafe: false });
    expect(safeOnly.template.Resources.Repo.Properties).toEqual({ ImageScanningConfiguration: { ScanOnPush: true } });
  });

  it('makes tags immutable with the option, and keeps an explicit MUTABLE', () => {
    const r = runTransform(
      'ecr-repository',
      {
        Resources: {
          A: { Type: 'AWS::ECR::Repository', Properties: { ImageScanningConfiguration: { ScanOnPush: true }, LifecyclePolicy: { LifecyclePolicyText: '{}' } } },
          B: { Type: 'AWS::ECR::Repository', Properties: { ImageTagMutability: 'MUTABLE', ImageScanningConfiguration: { ScanOnPush: true }, LifecyclePolicy: { LifecyclePolicyText: '{}' } } },
        },
      },
      { options: { immutableTags: true, untaggedDays: 7 } },
    );
    expect(r.ids).toEqual(['mutableTags', 'mutableTagsChosen']);
    expect(r.template.Resources.A.Properties.ImageTagMutability).toBe('IMMUTABLE');
    expect(r.template.Resources.B.Properties.ImageTagMutability).toBe('MUTABLE');
  });

  it('reports scan on push turned off and leaves computed values alone', () => {
    const r = runTransform('ecr-repository', {
      Resources: {
        Off: { Type: 'AWS::ECR::Repository', Properties: { ImageTagMutability: 'IMMUTABLE', LifecyclePolicy: { LifecyclePolicyText: '{}' }, ImageScanningConfiguration: { ScanOnPush: false } } },
        If: { Type: 'AWS::ECR::Repository', Properties: { ImageTagMutability: 'IMMUTABLE', LifecyclePolicy: { LifecyclePolicyText: '{}' }, ImageScanningConfiguration: { 'Fn::If': ['C', {}, {}] } } },
        Computed: { Type: 'AWS::ECR::Repository', Properties: { 'Fn::If': ['C', {}, {}] } },
      },
    });
    expect(r.ids).toEqual(['scanOnPushOff']);
    expect(r.changed).toBe(false);
  });

  it('keeps YAML comments', () => {
    const yaml = ['Resources:', '  Repo:', '    Type: AWS::ECR::Repository', '    Properties:', '      RepositoryName: app # the service', '      ImageTagMutability: IMMUTABLE', "      LifecyclePolicy: { LifecyclePolicyText: '{}' }", ''].join('\n');
    const r = runTransform('ecr-repository', yaml, { format: 'yaml' });
    expect(r.output).toBe(yaml + '      ImageScanningConfiguration:\n        ScanOnPush: true\n');
  });
});
