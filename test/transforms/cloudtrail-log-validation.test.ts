import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

describe('cloudtrail-log-validation', () => {
  it('turns validation on, in place, keeping YAML comments', () => {
    const yaml = ['Resources:', '  Trail:', '    Type: AWS::CloudTrail::Trail', '    Properties:', '      S3BucketName: logs # shared', '      IsLogging: true', ''].join('\n');
    const r = runTransform('cloudtrail-log-validation', yaml, { format: 'yaml' });
    expect(r.ids).toEqual(['noValidation']);
    expect(r.output).toBe(yaml + '      EnableLogFileValidation: true\n');
    expectIdempotent('cloudtrail-log-validation', r);
  });

  it('reports an explicit or computed value and leaves true and computed Properties alone', () => {
    const r = runTransform('cloudtrail-log-validation', {
      Resources: {
        Off: { Type: 'AWS::CloudTrail::Trail', Properties: { S3BucketName: 'l', IsLogging: true, EnableLogFileValidation: false } },
        If: { Type: 'AWS::CloudTrail::Trail', Properties: { S3BucketName: 'l', IsLogging: true, EnableLogFileValidation: { 'Fn::If': ['C', true, false] } } },
        On: { Type: 'AWS::CloudTrail::Trail', Properties: { S3BucketName: 'l', IsLogging: true, EnableLogFileValidation: true } },
        Computed: { Type: 'AWS::CloudTrail::Trail', Properties: { 'Fn::If': ['C', {}, {}] } },
      },
    });
    expect(r.ids).toEqual(['validationOff', 'validationOff']);
    expect(r.changed).toBe(false);
  });
});
