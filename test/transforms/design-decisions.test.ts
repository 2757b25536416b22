import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTransforms } from '../../src/engine/registry.js';
import { parseSource } from '../../src/template/load.js';
import type { JsonValue } from '../../src/types.js';
import { checkTemplates } from '../../scripts/controls.js';
import { runTransform } from '../harness.js';

const golden = join(import.meta.dirname, '..', '..', 'golden', 'design-decisions');
const cases = ['report.input.yaml', 'valid-decided.input.json'];
const transform = (await loadTransforms()).find((t) => t.meta.id === 'design-decisions')!;
const controls = (transform.meta.equivalents ?? []).map((e) => e.id);
// The control each messageId reports.
const CONTROL_OF: Record<string, string> = {
  noObjectLock: 'CT.S3.PR.9',
  noEventNotifications: 'CT.S3.PR.4',
  noLifecycleRules: 'CT.S3.PR.6',
  functionOutsideVpc: 'CT.LAMBDA.PR.3',
  subnetAssignsPublicIp: 'CT.EC2.PR.11',
  singleZoneGroup: 'CT.AUTOSCALING.PR.1',
  singleInstanceType: 'CT.AUTOSCALING.PR.6',
  defaultDatabasePort: 'CT.RDS.PR.20',
};

describe('design-decisions', () => {
  it('is off by default and only reports', () => {
    expect(transform.meta.enabledByDefault).toBe(false);
    expect((transform.meta.equivalents ?? []).every((e) => e.tool === 'control-tower' && e.reportOnly)).toBe(true);
    expect(Object.values(CONTROL_OF).sort()).toEqual([...controls].sort());
  });

  it('reports exactly what cfn-guard finds for its controls on the golden templates', async () => {
    const templates = new Map<string, JsonValue>();
    const reported = new Map<string, string[]>();
    for (const name of cases) {
      const text = readFileSync(join(golden, name), 'utf8');
      templates.set(name, parseSource(name.endsWith('.json') ? 'json' : 'yaml', text).value as JsonValue);
      const r = runTransform('design-decisions', text, { format: name.endsWith('.json') ? 'json' : 'yaml' });
      expect(r.changed).toBe(false);
      reported.set(
        name,
        r.findings.map((f) => `${CONTROL_OF[f.messageId!]} ${f.pointer.split('/')[2]}`).sort(),
      );
    }
    const found = await checkTemplates(templates, { controls });
    for (const name of cases) {
      expect(reported.get(name), name).toEqual(found.get(name)!.map((v) => `${v.control} ${v.logicalId}`).sort());
    }
    expect(reported.get('report.input.yaml')!.length).toBe(controls.length);
  }, 120_000);

  it('reports only the controls the options name', () => {
    const text = readFileSync(join(golden, 'report.input.yaml'), 'utf8');
    const r = runTransform('design-decisions', text, { format: 'yaml', options: { controls: ['CT.S3.PR.9', 'CT.RDS.PR.20'] } });
    expect(r.ids.sort()).toEqual(['defaultDatabasePort', 'noObjectLock']);
  });

  it('does not guess computed values', () => {
    const r = runTransform('design-decisions', {
      Parameters: { Public: { Type: 'String', AllowedValues: ['true', 'false'] } },
      Resources: {
        Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: 'vpc-1', CidrBlock: '10.0.0.0/24', MapPublicIpOnLaunch: { Ref: 'Public' } } },
        Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: 'r', Code: {}, VpcConfig: { 'Fn::If': ['InVpc', { SubnetIds: ['s'] }, { Ref: 'AWS::NoValue' }] } } },
        Db: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: { 'Fn::ImportValue': 'engine' }, DBInstanceClass: 'db.t4g.micro' } },
        Member: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'aurora-postgresql', DBClusterIdentifier: 'c', DBInstanceClass: 'db.r7g.large' } },
      },
    });
    expect(r.findings).toEqual([]);
  });
});
