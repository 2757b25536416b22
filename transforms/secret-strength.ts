import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { parsePointer } from '../src/cfn/pointer.js';
import { property, resource, resources, type ResourceView } from '../src/cfn/query.js';
import { referencesTo } from '../src/cfn/template.js';
import { asObject, intrinsicName, subText } from '../src/cfn/values.js';
import type { Finding, Template } from '../src/types.js';

interface Options extends Record<string, unknown> {
  /** Minimum PasswordLength of a generated secret. */
  minLength: number;
}

/**
 * Characters RDS rejects in master passwords: "/", '"' and "@" (RDS CreateDBInstance
 * MasterUserPassword: "Can include any printable ASCII character except '/', '"', or '@'"), plus
 * "\" which breaks connection strings and shell/JSON quoting. The same set the catalogue uses.
 */
const DB_EXCLUDED = '"@/\\';

/** Oracle master passwords are at most 30 characters (RDS MasterUserPassword constraints). */
const ORACLE_MAX_LENGTH = 30;

const DB_WORDS = new Set(['db', 'rds', 'database', 'aurora', 'postgres', 'postgresql', 'mysql', 'mariadb', 'redshift', 'docdb', 'documentdb', 'sql', 'oracle']);
const DB_TYPES = new Set(['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster', 'AWS::Redshift::Cluster', 'AWS::DocDB::DBCluster', 'AWS::Neptune::DBCluster']);

/** Words of a name: camelCase, PascalCase with acronyms, kebab and snake case. */
function words(name: string): string[] {
  return name
    .replace(/\$\{[^}]*\}/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.toLowerCase())
    .filter(Boolean);
}

/** The resources that use the secret: those whose body refers to it (Ref, GetAtt, Sub, DependsOn). */
function users(t: Template, secretId: string): ResourceView[] {
  const out = new Map<string, ResourceView>();
  for (const r of referencesTo(t, secretId)) {
    const [section, owner, ...within] = parsePointer(r.pointer);
    const view = section === 'Resources' && owner !== undefined && within.length > 0 ? resource(t, owner) : undefined;
    if (view) out.set(view.id, view);
  }
  return [...out.values()];
}

/** Why the secret holds database credentials, or undefined. */
function databaseEvidence(secret: ResourceView, secretUsers: readonly ResourceView[]): string | undefined {
  for (const user of secretUsers) {
    if (DB_TYPES.has(user.type)) return `${user.id} uses it`;
    if (user.type === 'AWS::SecretsManager::SecretTargetAttachment') return `${user.id} attaches it to a database`;
  }
  const template = subText(property(secret, 'GenerateSecretString', 'SecretStringTemplate')?.value);
  if (template && /"?user(name)?"?\s*:/i.test(template)) return 'its SecretStringTemplate has a username';
  const name = subText(property(secret, 'Name')?.value) ?? '';
  if ([...words(secret.id), ...words(name)].some((w) => DB_WORDS.has(w))) return 'its name says so';
  return undefined;
}

function isOracle(secretUsers: readonly ResourceView[]): boolean {
  return secretUsers.some((u) => {
    const engine = property(u, 'Engine')?.value;
    return DB_TYPES.has(u.type) && typeof engine === 'string' && engine.toLowerCase().startsWith('oracle');
  });
}

export default defineTransform<Options>({
  meta: {
    id: 'secret-strength',
    title: 'Generate strong secrets and database-safe passwords',
    severity: 'medium',
    safety: 'unsafe',
    seeds: ['000#9'],
    equivalents: [],
    defaultOptions: { minLength: 32 },
    optionsSchema: { type: 'object', additionalProperties: false, properties: { minLength: { type: 'integer', minimum: 1, maximum: 4096 } } },
    docs: `## Why
A 16-character generated password has about 96 bits of entropy; 32 characters double that, at no
cost for a secret nobody types. \`RequireEachIncludedType\` guarantees every character class is
present. RDS rejects master passwords containing \`/\`, \`"\` or \`@\`, so a generated database
password that happens to contain one fails the stack (or a rotation) at random: they must be
excluded, together with \`\\\` which breaks connection strings and JSON.

## Fix
For every \`AWS::SecretsManager::Secret\` with \`GenerateSecretString\`:
- \`PasswordLength\` below 32 is raised to 32 (30 for a secret an Oracle DB instance uses: Oracle
  master passwords are at most 30 characters). A missing \`PasswordLength\` already means 32.
- \`RequireEachIncludedType: false\` becomes \`true\`. A missing value already means "every type";
  it is written explicitly only alongside another change, so no secret is regenerated for it alone.
- For database credentials, \`ExcludeCharacters\` gets whichever of \`"@/\\\` it lacks, appended to
  the characters already excluded. A secret holds database credentials when an RDS, Redshift,
  DocumentDB or Neptune resource or a \`SecretTargetAttachment\` references it (e.g. a
  \`{{resolve:secretsmanager:\${Secret}...}}\` MasterUserPassword), its \`SecretStringTemplate\`
  has a username, or its logical id or Name has a word like db, rds or database.
  With \`ExcludePunctuation: true\` no exclusion is needed.

Values given by intrinsics (e.g. \`PasswordLength: !Ref Length\`) are left alone.

## Fix safety
Unsafe: CloudFormation generates a new secret value when \`GenerateSecretString\` changes. A
database master password resolved from the secret is updated with it in the same stack update,
but every client holding the old value must fetch the new one.

## Options
- \`minLength\` (default 32): the minimum \`PasswordLength\`.
`,
  },
  check({ template: t, options }) {
    const findings: Finding[] = [];
    const fx = new Fixer(t);
    const minLength = typeof options.minLength === 'number' && Number.isInteger(options.minLength) && options.minLength >= 1 ? Math.min(options.minLength, 4096) : 32;
    for (const secret of resources(t, 'AWS::SecretsManager::Secret')) {
      const generate = property(secret, 'GenerateSecretString');
      const g = asObject(generate?.value);
      if (!generate || !g || intrinsicName(g)) continue;
      const at = generate.pointer;
      const secretUsers = users(t, secret.id);
      const problems: string[] = [];

      const target = isOracle(secretUsers) ? Math.min(minLength, ORACLE_MAX_LENGTH) : minLength;
      const rawLength = g['PasswordLength'];
      const length = typeof rawLength === 'number' ? rawLength : typeof rawLength === 'string' && /^\d+$/.test(rawLength) ? Number(rawLength) : undefined;
      if (length !== undefined && length < target) {
        fx.set(`${at}/PasswordLength`, target);
        problems.push(`PasswordLength ${length} is below ${target}`);
      }

      const evidence = databaseEvidence(secret, secretUsers);
      const exclude = g['ExcludeCharacters'];
      if (evidence && g['ExcludePunctuation'] !== true && g['ExcludePunctuation'] !== 'true' && (exclude === undefined || typeof exclude === 'string')) {
        const current = exclude ?? '';
        const missing = [...DB_EXCLUDED].filter((c) => !current.includes(c)).join('');
        if (missing) {
          fx.set(`${at}/ExcludeCharacters`, current + missing);
          problems.push(`it holds database credentials (${evidence}) but its password may contain ${[...missing].join(' ')} (RDS rejects " @ / in master passwords; \\ breaks connection strings)`);
        }
      }

      const require = g['RequireEachIncludedType'];
      if (require === false || require === 'false') {
        fx.set(`${at}/RequireEachIncludedType`, true);
        problems.push('RequireEachIncludedType is false');
      } else if (require === undefined && fx.pending) {
        fx.set(`${at}/RequireEachIncludedType`, true);
      }

      if (problems.length === 0) continue;
      findings.push({ pointer: at, messageId: 'weakSecret', message: `Secret ${secret.id}: ${problems.join('; ')}`, fix: fx.take() });
    }
    return findings;
  },
});
