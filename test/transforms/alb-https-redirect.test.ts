import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const ID = 'alb-https-redirect';
const LISTENER = 'AWS::ElasticLoadBalancingV2::Listener';
const forward = [{ Type: 'forward', TargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/g/1' }];
const stack = (http: Record<string, unknown>, https?: Record<string, unknown> | null, extra: Record<string, unknown> = {}) => ({
  Conditions: { Prod: { 'Fn::Equals': ['a', 'a'] } },
  Resources: {
    Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Subnets: ['s-1', 's-2'] } },
    ...(https === null ? {} : { Https: { Type: LISTENER, Properties: { LoadBalancerArn: { Ref: 'Lb' }, Port: 443, Protocol: 'HTTPS', Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/c' }], DefaultActions: forward }, ...https } }),
    Http: { Type: LISTENER, Properties: { LoadBalancerArn: { Ref: 'Lb' }, Port: 80, Protocol: 'HTTP', DefaultActions: forward, ...http } },
    ...extra,
  },
});

describe(ID, () => {
  it('redirects the HTTP listener to the HTTPS listener port, as an unsafe fix', () => {
    const r = runTransform(ID, stack({}, {}));
    expect(r.ids).toEqual(['httpNotRedirected']);
    expect(r.template.Resources.Http.Properties.DefaultActions).toEqual([{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }]);
    expectIdempotent(ID, r);
    const safeOnly = runTransform(ID, stack({}, {}), { unsafe: false });
    expect(safeOnly.ids).toEqual(['httpNotRedirected']);
    expect(safeOnly.changed).toBe(false);
  });

  it('names the listener rules that still answer over HTTP', () => {
    const rule = { Rule: { Type: 'AWS::ElasticLoadBalancingV2::ListenerRule', Properties: { ListenerArn: { Ref: 'Http' }, Priority: 1, Conditions: [], Actions: forward } } };
    const r = runTransform(ID, stack({}, {}, rule));
    expect(r.findings[0]!.message).toContain('listener rules Rule still answer over HTTP');
  });

  it('reports an HTTP listener without an HTTPS listener to redirect to', () => {
    for (const t of [
      stack({}, null),
      stack({ LoadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/x/1' }, {}),
      stack({}, { Condition: 'Prod' }),
      stack({}, { Properties: { LoadBalancerArn: { Ref: 'Lb' }, Port: { 'Fn::FindInMap': ['M', 'a', 'b'] }, Protocol: 'HTTPS', DefaultActions: forward } }),
    ]) {
      const r = runTransform(ID, t);
      expect(r.ids).toEqual(['noHttpsListener']);
      expect(r.changed).toBe(false);
    }
  });

  it('leaves redirecting, computed and non-HTTP listeners alone', () => {
    for (const http of [
      { DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', StatusCode: 'HTTP_302' } }] },
      { DefaultActions: { 'Fn::If': ['Prod', forward, forward] } },
      { Protocol: { Ref: 'Proto' } },
      { Protocol: 'HTTPS' },
    ]) {
      const r = runTransform(ID, { ...stack(http, {}), Parameters: { Proto: { Type: 'String' } } });
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });

  it('keeps YAML comments around the listener', () => {
    const yaml = [
      'Resources:',
      '  Lb:',
      '    Type: AWS::ElasticLoadBalancingV2::LoadBalancer',
      '  Https:',
      '    Type: AWS::ElasticLoadBalancingV2::Listener',
      '    Properties: {LoadBalancerArn: !Ref Lb, Port: 443, Protocol: HTTPS, DefaultActions: [{Type: fixed-response, FixedResponseConfig: {StatusCode: "404"}}]}',
      '  Http:',
      '    Type: AWS::ElasticLoadBalancingV2::Listener',
      '    Properties:',
      '      LoadBalancerArn: !Ref Lb # the public one',
      '      Port: 80',
      '      Protocol: HTTP',
      '      DefaultActions:',
      '        - Type: fixed-response',
      '          FixedResponseConfig: {StatusCode: "200"}',
      '',
    ].join('\n');
    const r = runTransform(ID, yaml, { format: 'yaml' });
    expect(r.output).toContain('LoadBalancerArn: !Ref Lb # the public one\n');
    expect(r.output).toContain('        - Type: redirect\n          RedirectConfig:\n            Protocol: HTTPS\n            Port: "443"\n            StatusCode: HTTP_301\n');
  });
});
