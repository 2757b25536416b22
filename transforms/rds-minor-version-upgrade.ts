import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property } from '../src/cfn/query.js';
import { candidates, requireTrue } from '../src/cfn/rds.js';

export default defineTransform({
  meta: {
    id: 'rds-minor-version-upgrade',
    title: 'Keep automatic minor version upgrades on for RDS DB instances',
    severity: 'low',
    safety: 'safe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.RDS.PR.5', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/rds/ct-rds-pr-5.guard' },
    ],
    defaultOptions: {},
    docs: `## Why
Minor engine versions carry security and bug fixes. With \`AutoMinorVersionUpgrade\` on (the
default), RDS applies them in the maintenance window; turned off, an instance stays on the
version it was created with until someone upgrades it by hand, and RDS eventually forces the
upgrade at end of support, at a time of its choosing.

## Fix
RDS upgrades by default, so a missing property is fine and nothing is added. For
\`AWS::RDS::DBInstance\` resources of MySQL, MariaDB, PostgreSQL, Oracle, SQL Server and Aurora
(AWS Control Tower control CT.RDS.PR.5):
- \`AutoMinorVersionUpgrade: false\` is reported, not changed: pinning the minor version is a
  deliberate choice (an application certified on one version, a change-managed upgrade process);
- the text \`'true'\` becomes the boolean \`true\`, which CloudFormation reads the same and the
  control compares with.

Computed values and other engines are left alone.

## Fix safety
Safe: no change of behaviour (the text and the boolean mean the same to CloudFormation).

## Options
None.
`,
  },
  check({ template }) {
    const list = candidates(template, (db) => db.family !== 'other' && property(db.view, 'AutoMinorVersionUpgrade') !== undefined, () => false);
    return requireTrue(new Fixer(template), list, 'AutoMinorVersionUpgrade', { missing: 'noMinorUpgrades', off: 'minorUpgradesOff' }, {
      missing: 'does not upgrade minor versions automatically',
      off: 'turns automatic minor version upgrades off',
    });
  },
});
