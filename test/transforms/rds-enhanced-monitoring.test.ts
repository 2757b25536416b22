import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const instance = (props: Record<string, unknown>) => ({ Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceClass: 'db.t3.micro', ...props } });

describe('rds-enhanced-monitoring', () => {
  it('sets the interval and one shared role for every instance', () => {
    const r = runTransform('rds-enhanced-monitoring', {
      Resources: { A: instance({ Engine: 'mysql' }), B: instance({ Engine: 'SQLServer-EX' }) },
    });
    expect(r.ids).toEqual(['noEnhancedMonitoring', 'noEnhancedMonitoring']);
    const res = r.template.Resources;
    expect(res.A.Properties.MonitoringInterval).toBe(60);
    expect(res.A.Properties.MonitoringRoleArn).toEqual({ 'Fn::GetAtt': ['DatabaseMonitoringRole', 'Arn'] });
    expect(res.B.Properties.MonitoringRoleArn).toEqual({ 'Fn::GetAtt': ['DatabaseMonitoringRole', 'Arn'] });
    expect(res.DatabaseMonitoringRole.Properties).toEqual({
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'monitoring.rds.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      ManagedPolicyArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole' }],
    });
    expect(Object.keys(res)).toHaveLength(3);
    expectIdempotent('rds-enhanced-monitoring', r);
  });

  it('reuses the role of the template and writes the interval option', () => {
    const role = {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: { Statement: { Effect: 'Allow', Principal: { Service: ['monitoring.rds.amazonaws.com'] }, Action: 'sts:AssumeRole' } },
        ManagedPolicyArns: ['arn:aws-cn:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole'],
      },
    };
    const r = runTransform('rds-enhanced-monitoring', { Resources: { Mon: role, Db: instance({ Engine: 'aurora-mysql', DBClusterIdentifier: 'c' }) } }, { options: { interval: 5 } });
    expect(r.ids).toEqual(['noEnhancedMonitoring']);
    expect(r.template.Resources.Db.Properties).toMatchObject({ MonitoringInterval: 5, MonitoringRoleArn: { 'Fn::GetAtt': ['Mon', 'Arn'] } });
  });

  it('keeps an author role and adds only the interval', () => {
    const r = runTransform('rds-enhanced-monitoring', { Resources: { Db: instance({ Engine: 'postgres', MonitoringRoleArn: 'arn:aws:iam::111122223333:role/em' }) } });
    expect(r.ids).toEqual(['noEnhancedMonitoring']);
    expect(r.template.Resources.Db.Properties.MonitoringInterval).toBe(60);
    expect(Object.keys(r.template.Resources)).toEqual(['Db']);
  });

  it('reports monitoring turned off and intervals RDS refuses', () => {
    const r = runTransform('rds-enhanced-monitoring', {
      Resources: { Off: instance({ Engine: 'mysql', MonitoringInterval: 0 }), Odd: instance({ Engine: 'mysql', MonitoringInterval: '7' }) },
    });
    expect(r.ids).toEqual(['monitoringOff', 'invalidInterval']);
    expect(r.changed).toBe(false);
  });

  it('leaves computed values, unknown engines and old classes alone', () => {
    for (const props of [
      { Engine: 'mysql', MonitoringInterval: { 'Fn::If': ['C', 60, 0] } },
      { Engine: 'mysql', MonitoringRoleArn: { 'Fn::If': ['C', 'a', 'b'] } },
      { Engine: { Ref: 'AnyEngine' } },
      { Engine: { Ref: 'MixedEngine' } },
      { Engine: 'custom-oracle-ee' },
      { Engine: 'mysql', DBInstanceClass: 'db.m1.small' },
      {},
    ]) {
      const r = runTransform('rds-enhanced-monitoring', {
        Parameters: { AnyEngine: { Type: 'String' }, MixedEngine: { Type: 'String', Default: 'mysql', AllowedValues: ['mysql', 'postgres'] } },
        Resources: { Db: instance(props) },
      });
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
    const computed = runTransform('rds-enhanced-monitoring', { Resources: { Db: { Type: 'AWS::RDS::DBInstance', Properties: { 'Fn::If': ['C', {}, {}] } } } });
    expect(computed.findings).toEqual([]);
  });

  it('uses a parameter default whose allowed values are one family, and keeps YAML layout', () => {
    const yaml = [
      'Parameters:',
      '  Engine:',
      '    Type: String',
      '    Default: mysql',
      '    AllowedValues: [mysql, MySQL]',
      'Resources:',
      '  Db:',
      '    Type: AWS::RDS::DBInstance',
      '    Properties:',
      '      Engine: !Ref Engine # chosen at deploy time',
      '      DBInstanceClass: db.t3.micro',
      '',
    ].join('\n');
    const r = runTransform('rds-enhanced-monitoring', yaml, { format: 'yaml' });
    expect(r.ids).toEqual(['noEnhancedMonitoring']);
    expect(r.output.startsWith(yaml.replace('db.t3.micro\n', 'db.t3.micro\n      MonitoringInterval: 60\n      MonitoringRoleArn: !GetAtt DatabaseMonitoringRole.Arn\n'))).toBe(true);
    expectIdempotent('rds-enhanced-monitoring', r);
  });
});
