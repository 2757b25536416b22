// Amazon RDS facts the rds-* transforms share: which engine a DB instance or cluster runs (a
// literal, or a parameter whose default and allowed values agree on the engine family), whether an
// instance takes its settings from a cluster or a source (read replica, snapshot restore), and
// what each engine supports. One place, so every transform skips the same engines.
import type { Finding, JsonObject, JsonValue, Template } from '../types.js';
import { newResource } from './edits.js';
import type { Fixer } from './fixer.js';
import { policyDocument, principalsOf } from './iam.js';
import { createdKeyProperties, isSymmetricEncryptionKey, keyOf } from './kms.js';
import { parameter, property, resource, resources, type ResourceView } from './query.js';
import { resolve, subText, toList } from './values.js';

export const DB_INSTANCE = 'AWS::RDS::DBInstance';
export const DB_CLUSTER = 'AWS::RDS::DBCluster';
const KMS_KEY = 'AWS::KMS::Key';

/** Engines grouped by what they support. */
export type EngineFamily = 'mysql' | 'mariadb' | 'postgres' | 'oracle' | 'sqlserver' | 'aurora-mysql' | 'aurora-postgresql' | 'other';

/** The family of an engine name (lower case), as RDS spells engines in CreateDBInstance/CreateDBCluster. */
export function engineFamily(engine: string): EngineFamily {
  if (engine === 'mysql' || engine === 'mariadb' || engine === 'postgres') return engine;
  if (engine === 'aurora' || engine === 'aurora-mysql') return 'aurora-mysql';
  if (engine === 'aurora-postgresql') return 'aurora-postgresql';
  if (/^oracle-(ee|se2|se1|se)(-cdb)?$/.test(engine)) return 'oracle';
  if (/^sqlserver-(ee|se|ex|web)$/.test(engine)) return 'sqlserver';
  return 'other';
}

/** True for the Aurora families (storage, encryption and most settings live on the cluster). */
export function isAurora(family: EngineFamily): boolean {
  return family === 'aurora-mysql' || family === 'aurora-postgresql';
}

/** A DB instance or cluster whose engine is known. */
export interface Database {
  view: ResourceView;
  /** The engine, lower case: the literal, or the default of the parameter it refers to. */
  engine: string;
  family: EngineFamily;
  /** True when the engine comes from a parameter default (the deployer may pass another engine of the same family). */
  fromParameter: boolean;
}

/**
 * The engine of a DB instance or cluster: a literal string, or a Ref to a parameter whose Default
 * is a string and whose AllowedValues (when given) are all of the same family as the default.
 * Undefined when the Engine is missing (snapshot restores and read replicas inherit it) or
 * computed otherwise.
 */
export function engineOf(t: Template, view: ResourceView): Omit<Database, 'view'> | undefined {
  const value = property(view, 'Engine')?.value;
  if (typeof value === 'string') {
    const engine = value.toLowerCase();
    return { engine, family: engineFamily(engine), fromParameter: false };
  }
  const r = resolve(value);
  if (r.kind !== 'ref') return undefined;
  const p = parameter(t, r.target);
  const fallback = p?.['Default'];
  if (typeof fallback !== 'string') return undefined;
  const engine = fallback.toLowerCase();
  const family = engineFamily(engine);
  const allowed = p?.['AllowedValues'];
  if (allowed !== undefined && !(Array.isArray(allowed) && allowed.every((a) => typeof a === 'string' && engineFamily(a.toLowerCase()) === family))) return undefined;
  return { engine, family, fromParameter: true };
}

/** The DB instances (or clusters) of `type` with plain Properties and a known engine, in template order. */
export function databases(t: Template, type: typeof DB_INSTANCE | typeof DB_CLUSTER): Database[] {
  const out: Database[] = [];
  for (const view of resources(t, type)) {
    if (!view.properties) continue;
    const engine = engineOf(t, view);
    if (engine) out.push({ view, ...engine });
  }
  return out;
}

/** True when an instance belongs to a DB cluster (Aurora or Multi-AZ DB cluster): the cluster holds its storage, backup and protection settings. */
export function inCluster(view: ResourceView): boolean {
  return property(view, 'DBClusterIdentifier') !== undefined;
}

/**
 * True when an instance is created from another database: a read replica
 * (SourceDBInstanceIdentifier, SourceDBClusterIdentifier), a snapshot restore
 * (DBSnapshotIdentifier, DBClusterSnapshotIdentifier) or a point-in-time restore
 * (SourceDbiResourceId, RestoreTime, UseLatestRestorableTime). Encryption comes from the source.
 */
export function fromSource(view: ResourceView): boolean {
  return ['SourceDBInstanceIdentifier', 'SourceDBClusterIdentifier', 'DBSnapshotIdentifier', 'DBClusterSnapshotIdentifier', 'SourceDbiResourceId', 'RestoreTime', 'UseLatestRestorableTime']
    .some((name) => property(view, name) !== undefined);
}

/** True when a cluster is Aurora Serverless v1 (EngineMode serverless), which lacks IAM authentication and log exports. */
export function isServerlessV1(view: ResourceView): boolean {
  const mode = property(view, 'EngineMode')?.value;
  return typeof mode === 'string' && mode.toLowerCase() === 'serverless';
}

/** The literal value of a boolean property (`true`/`false` or their strings), 'computed' for anything else written, undefined when missing. */
export function booleanProperty(view: ResourceView, name: string): boolean | 'computed' | undefined {
  const at = property(view, name);
  if (at === undefined) return undefined;
  const v = at.value;
  if (v === true || (typeof v === 'string' && v.toLowerCase() === 'true')) return true;
  if (v === false || (typeof v === 'string' && v.toLowerCase() === 'false')) return false;
  return 'computed';
}

/** The literal number of a property (a number or a numeric string), 'computed' for anything else written, undefined when missing. */
export function numberProperty(view: ResourceView, name: string): number | 'computed' | undefined {
  const at = property(view, name);
  if (at === undefined) return undefined;
  const v = at.value;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) return Number(v);
  return 'computed';
}

// ---------------------------------------------------------------------------------------------
// Enhanced Monitoring

/** The managed policy RDS Enhanced Monitoring roles use (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonRDSEnhancedMonitoringRole.html). */
export const ENHANCED_MONITORING_POLICY_ARN = 'arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole';
const MONITORING_PRINCIPAL = 'monitoring.rds.amazonaws.com';

/**
 * The template's Enhanced Monitoring role: the first unconditional IAM role that
 * monitoring.rds.amazonaws.com may assume and that has the AmazonRDSEnhancedMonitoringRole
 * managed policy (in any partition).
 */
export function enhancedMonitoringRoleOf(t: Template): string | undefined {
  for (const role of resources(t, 'AWS::IAM::Role')) {
    if (role.condition !== undefined || !role.properties) continue;
    const trust = policyDocument(role.properties['AssumeRolePolicyDocument'], `${role.propertiesPointer}/AssumeRolePolicyDocument`);
    const trusted = trust.statements.some((s) => s.effect === 'Allow' && principalsOf(s, 'Service').includes(MONITORING_PRINCIPAL));
    const managed = toList(role.properties['ManagedPolicyArns'] as JsonValue | undefined).some((arn) =>
      (subText(arn) ?? '').endsWith(':policy/service-role/AmazonRDSEnhancedMonitoringRole'),
    );
    if (trusted && managed) return role.id;
  }
  return undefined;
}

const rolesAdded = new WeakMap<Fixer, string>();

/**
 * The Enhanced Monitoring role for the instances a check fixes, as `{"Fn::GetAtt": [role, "Arn"]}`:
 * the template's role ({@link enhancedMonitoringRoleOf}), else one added with `fx` the first time a
 * check asks (monitoring.rds.amazonaws.com trusted, the AWS managed policy with the partition),
 * as "Creating the IAM role manually" in the RDS User Guide describes
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html).
 */
export function enhancedMonitoringRoleArn(fx: Fixer): JsonValue {
  let id = rolesAdded.get(fx) ?? enhancedMonitoringRoleOf(fx.template);
  if (id === undefined) {
    const properties: JsonObject = {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: MONITORING_PRINCIPAL }, Action: 'sts:AssumeRole' }],
      },
      ManagedPolicyArns: [{ 'Fn::Sub': ENHANCED_MONITORING_POLICY_ARN }],
    };
    id = fx.addResource('DatabaseMonitoringRole', newResource('AWS::IAM::Role', properties));
    rolesAdded.set(fx, id);
  }
  return { 'Fn::GetAtt': [id, 'Arn'] };
}

// ---------------------------------------------------------------------------------------------
// CloudWatch Logs exports

/**
 * The log types an RDS DB instance of `family` exports to CloudWatch Logs: every type the AWS
 * Control Tower control CT.RDS.PR.14 asks for, each valid for the engine in the
 * EnableCloudwatchLogsExports list of CreateDBInstance
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html).
 * SQL Server Express has no SQL Server Agent, so exports only its error log. Undefined for Aurora
 * (the cluster exports) and engines outside the control.
 */
export function instanceLogTypes(engine: string): string[] | undefined {
  switch (engineFamily(engine)) {
    case 'mysql':
    case 'mariadb':
      return ['audit', 'error', 'general', 'slowquery'];
    case 'postgres':
      return ['postgresql', 'upgrade'];
    case 'oracle':
      return ['alert', 'audit', 'listener', 'oemagent', 'trace'];
    case 'sqlserver':
      return engine === 'sqlserver-ex' ? ['error'] : ['agent', 'error'];
    default:
      return undefined;
  }
}

/**
 * The log types a DB cluster exports (CT.RDS.PR.25), as CreateDBCluster lists them
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html): Aurora
 * MySQL audit, error, general, slowquery; Aurora PostgreSQL postgresql; Multi-AZ DB clusters of
 * PostgreSQL postgresql, upgrade and of MySQL error, general, slowquery (no audit log there).
 */
export function clusterLogTypes(engine: string): string[] | undefined {
  switch (engineFamily(engine)) {
    case 'aurora-mysql':
      return ['audit', 'error', 'general', 'slowquery'];
    case 'aurora-postgresql':
      return ['postgresql'];
    case 'postgres':
      return ['postgresql', 'upgrade'];
    case 'mysql':
      return ['error', 'general', 'slowquery'];
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Settings that must be true

/** A database a transform looks at, with how messages name it. */
export interface Candidate {
  view: ResourceView;
  /** 'DB instance' or 'DB cluster'. */
  kind: string;
}

/** The instances and clusters (with a known engine) that pass `instance` and `cluster`, with their kind. */
export function candidates(t: Template, instance: (db: Database) => boolean, cluster: (db: Database) => boolean): Array<Candidate & { db: Database }> {
  return [
    ...databases(t, DB_INSTANCE).filter(instance).map((db) => ({ db, view: db.view, kind: 'DB instance' })),
    ...databases(t, DB_CLUSTER).filter(cluster).map((db) => ({ db, view: db.view, kind: 'DB cluster' })),
  ];
}

/**
 * Findings for a boolean setting every candidate should have true: a missing property is set to
 * true (`messageIds.missing`, message `<kind> <id> <missing>`); an explicit false is reported
 * without a fix (`messageIds.off`, message `<kind> <id> <off>`): the author chose it. The text
 * "true" becomes the boolean (messageId `booleanAsText`): CloudFormation accepts both, cfn-guard
 * rules compare with the boolean. True and computed values (Fn::If, a parameter) give nothing.
 */
export function requireTrue(
  fx: Fixer,
  list: readonly Candidate[],
  name: string,
  messageIds: { missing: string; off: string },
  texts: { missing: string; off: string },
): Finding[] {
  const findings: Finding[] = [];
  for (const { view, kind } of list) {
    const value = booleanProperty(view, name);
    if (value === 'computed') continue;
    if (value === true) {
      const at = property(view, name)!;
      if (at.value === true) continue;
      // CloudFormation reads "true" as true, but checkers (AWS Control Tower's cfn-guard rules) want the boolean.
      fx.set(at.pointer, true);
      findings.push({ pointer: at.pointer, messageId: 'booleanAsText', message: `${kind} ${view.id} writes ${name} as the text ${JSON.stringify(at.value)}; checkers expect the boolean true`, fix: fx.take() });
      continue;
    }
    if (value === false) {
      findings.push({ pointer: property(view, name)!.pointer, messageId: messageIds.off, message: `${kind} ${view.id} ${texts.off}` });
      continue;
    }
    fx.setProperty(view.id, [name], true);
    findings.push({ pointer: view.pointer, messageId: messageIds.missing, message: `${kind} ${view.id} ${texts.missing}`, fix: fx.take() });
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Storage encryption key

/**
 * The customer managed key the template's DB instances already use: the first unconditional
 * symmetric AWS::KMS::Key that the KmsKeyId of a DB instance names.
 */
export function databaseKeyOf(t: Template): string | undefined {
  for (const view of resources(t, DB_INSTANCE)) {
    const id = keyOf(t, property(view, 'KmsKeyId')?.value);
    const key = id === undefined ? undefined : resource(t, id);
    if (key && key.condition === undefined && isSymmetricEncryptionKey(key)) return id;
  }
  return undefined;
}

const databaseKeysAdded = new WeakMap<Fixer, string>();

/**
 * The key for the DB instances a check encrypts, as `{"Fn::GetAtt": [key, "Arn"]}`: the key the
 * template's instances use ({@link databaseKeyOf}), else one added with `fx` the first time a check
 * asks, built by createdKeyProperties (rotation, account root, the CT.KMS.PR.3 grant
 * restriction; RDS uses the key through grants it creates for the caller, so no service statement
 * is needed). The key is retained on stack deletion and replacement: snapshots (the final one
 * included) stay encrypted with it and could not be restored without it.
 */
export function databaseKeyArn(fx: Fixer): JsonValue {
  let id = databaseKeysAdded.get(fx) ?? databaseKeyOf(fx.template);
  if (id === undefined) {
    id = fx.addResource('DatabaseKey', {
      Type: KMS_KEY,
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: createdKeyProperties('Encrypts the storage of the RDS databases of this stack', []),
    });
    databaseKeysAdded.set(fx, id);
  }
  return { 'Fn::GetAtt': [id, 'Arn'] };
}
