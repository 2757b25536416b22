import { describe, expect, it } from 'vitest';
import { expectIdempotent, runTransform } from '../harness.js';

const instance = (props: Record<string, unknown>) => ({ Resources: { Db: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceClass: 'db.t3.micro', ...props } } } });

describe('rds-minor-version-upgrade', () => {
  it('reports a pinned minor version without changing it', () => {
    const r = runTransform('rds-minor-version-upgrade', instance({ Engine: 'postgres', AutoMinorVersionUpgrade: false }));
    expect(r.ids).toEqual(['minorUpgradesOff']);
    expect(r.changed).toBe(false);
  });

  it('writes the text "true" as the boolean', () => {
    const r = runTransform('rds-minor-version-upgrade', instance({ Engine: 'aurora-postgresql', AutoMinorVersionUpgrade: 'TRUE' }));
    expect(r.ids).toEqual(['booleanAsText']);
    expect(r.template.Resources.Db.Properties.AutoMinorVersionUpgrade).toBe(true);
    expectIdempotent('rds-minor-version-upgrade', r);
  });

  it('adds nothing where the default applies, and leaves other engines and computed values alone', () => {
    for (const props of [
      { Engine: 'mysql' },
      { Engine: 'mysql', AutoMinorVersionUpgrade: true },
      { Engine: 'mysql', AutoMinorVersionUpgrade: { Ref: 'Upgrade' } },
      { Engine: 'custom-sqlserver-ee', AutoMinorVersionUpgrade: false },
    ]) {
      const r = runTransform('rds-minor-version-upgrade', instance(props));
      expect(r.findings).toEqual([]);
      expect(r.changed).toBe(false);
    }
  });
});
