import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property } from '../src/cfn/query.js';
import { candidates, inCluster, isServerlessV1, requireTrue, type Database } from '../src/cfn/rds.js';

/** A MariaDB version before 10.6, which has no IAM database authentication. */
function oldMariaDb(db: Database): boolean {
  const version = property(db.view, 'EngineVersion')?.value;
  const m = typeof version === 'string' ? /^10\.(\d+)/.exec(version) : null;
  return db.family === 'mariadb' && m !== null && Number(m[1]) < 6;
}

export default defineTransform({
  meta: {
    id: 'rds-iam-auth',
    title: 'Turn on IAM database authentication for RDS databases',
    severity: 'medium',
    safety: 'safe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.RDS.PR.7', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/rds/ct-rds-pr-7.guard' },
      { tool: 'control-tower', id: 'CT.RDS.PR.4', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/rds/ct-rds-pr-4.guard' },
      { tool: 'checkov', id: 'CKV_AWS_161', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/RDSIAMAuthentication.py' },
      { tool: 'checkov', id: 'CKV_AWS_162', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/RDSClusterIAMAuthentication.py' },
    ],
    defaultOptions: {},
    docs: `## Why
With IAM database authentication, applications connect with a short-lived token signed by
their IAM role instead of a long-lived database password kept in configuration: access is
granted and revoked in IAM (\`rds-db:connect\`), logged in CloudTrail, and connections use TLS.
It has to be turned on for the database before any user can be mapped to IAM.

## Fix
Sets \`EnableIAMDatabaseAuthentication: true\` on
- \`AWS::RDS::DBInstance\` resources of MySQL, MariaDB (10.6 and later, or no version pinned)
  and PostgreSQL that do not belong to a cluster (AWS Control Tower control CT.RDS.PR.7);
- \`AWS::RDS::DBCluster\` resources of Aurora MySQL and Aurora PostgreSQL (CT.RDS.PR.4).

Left alone: Oracle, SQL Server and RDS Custom (no IAM database authentication), instances of a
cluster (the cluster decides; cfn-lint E3682 refuses the property on Aurora instances), Aurora
Serverless v1 clusters (not supported), MariaDB before 10.6, engines that are computed or from
a parameter whose allowed values mix families, and an explicit \`false\` (reported: a deliberate
choice).

## Fix safety
Safe. The setting is changed in place without interruption, and password authentication keeps
working: nothing changes for existing users until a database user is created with the
\`AWSAuthenticationPlugin\` (MySQL, MariaDB) or granted \`rds_iam\` (PostgreSQL).

## Options
None.
`,
  },
  check({ template }) {
    const list = candidates(
      template,
      (db) => ['mysql', 'mariadb', 'postgres'].includes(db.family) && !inCluster(db.view) && !oldMariaDb(db),
      (db) => ['aurora-mysql', 'aurora-postgresql'].includes(db.family) && !isServerlessV1(db.view),
    );
    return requireTrue(new Fixer(template), list, 'EnableIAMDatabaseAuthentication', { missing: 'noIamAuth', off: 'iamAuthOff' }, {
      missing: 'does not allow IAM database authentication',
      off: 'turns IAM database authentication off',
    });
  },
});
