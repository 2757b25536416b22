import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'asg-elb-health-check';
const group = (props: Record<string, unknown>) => ({
  Resources: { Asg: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { MinSize: '1', MaxSize: '2', LaunchConfigurationName: 'lc', ...props } } },
});

describe(ID, () => {
  it('switches a group behind a target group to ELB health checks with a grace period', () => {
    const r = runTransform(ID, group({ TargetGroupARNs: ['arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef'] }));
    expect(r.ids).toEqual(['ec2HealthCheckOnly']);
    expect(r.findings[0]!.safety).toBe('unsafe');
    expect(r.template.Resources.Asg.Properties).toMatchObject({ HealthCheckType: 'ELB', HealthCheckGracePeriod: 300 });
    expectIdempotent(ID, r);
  });

  it('replaces an explicit EC2 type and keeps the grace period there is', () => {
    const r = runTransform(ID, group({ LoadBalancerNames: [{ Ref: 'Clb' }], HealthCheckType: 'EC2', HealthCheckGracePeriod: 0 }));
    expect(r.ids).toEqual(['ec2HealthCheckOnly']);
    expect(r.template.Resources.Asg.Properties).toMatchObject({ HealthCheckType: 'ELB', HealthCheckGracePeriod: 0 });
  });

  it('takes the grace period from the options', () => {
    const r = runTransform(ID, group({ TargetGroupARNs: [{ Ref: 'Tg' }] }), { options: { gracePeriod: 120 } });
    expect(r.template.Resources.Asg.Properties.HealthCheckGracePeriod).toBe(120);
  });

  it('reports other health check types', () => {
    const r = runTransform(ID, group({ TargetGroupARNs: [{ Ref: 'Tg' }], HealthCheckType: 'ELB,EBS' }));
    expect(r.ids).toEqual(['otherHealthCheckType']);
    expect(r.changed).toBe(false);
  });

  it('leaves groups without a load balancer, computed values and ELB groups alone', () => {
    for (const t of [
      group({}),
      group({ TargetGroupARNs: [] }),
      group({ TargetGroupARNs: { 'Fn::If': ['C', [{ Ref: 'Tg' }], { Ref: 'AWS::NoValue' }] } }),
      group({ TargetGroupARNs: [{ Ref: 'Tg' }], HealthCheckType: { Ref: 'Type' } }),
      group({ TargetGroupARNs: [{ Ref: 'Tg' }], HealthCheckType: 'ELB' }),
      { Resources: { Asg: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { 'Fn::If': ['C', {}, {}] } } } },
    ]) {
      const r = runTransform(ID, t);
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });

  it('keeps YAML layout and comments', () => {
    const yaml = ['Resources:', '  Asg:', '    Type: AWS::AutoScaling::AutoScalingGroup', '    Properties:', "      MinSize: '1' # one", "      MaxSize: '2'", '      TargetGroupARNs: [!Ref Tg]', '      HealthCheckType: EC2 # default', ''].join('\n');
    const r = runTransform(ID, yaml, { format: 'yaml' });
    expect(r.output).toBe(yaml.replace('EC2 # default\n', 'ELB # default\n      HealthCheckGracePeriod: 300\n'));
  });
});
