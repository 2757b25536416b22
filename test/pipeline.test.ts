// The two catalogue seeds end to end: every transform enabled by default (unsafe fixes included,
// region us-west-1) runs over golden/pipeline/seed-000.input.json and seed-001.input.json, and
// the written result must have the properties both seed documents (../shared/seeds/000_*, 001_*)
// list for the ideal template. The checks look at the template, not at which transform did what,
// so they also catch transforms that undo, duplicate or contradict each other.
// Every check must be real: the last test asserts the unfixed inputs fail them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tagInfo, tagLintRejection } from '../src/cfn/spec.js';
import { danglingReferences } from '../src/cfn/template.js';
import { fixText } from '../src/engine/fix.js';
import { loadTransforms } from '../src/engine/registry.js';
import { parseSource } from '../src/template/load.js';
import type { JsonObject, JsonValue, Template } from '../src/types.js';

const REGION = 'us-west-1';
const dir = join(import.meta.dirname, '..', 'golden', 'pipeline');
const transforms = (await loadTransforms()).filter((t) => t.meta.enabledByDefault !== false);

// ---------------------------------------------------------------------------------------------
// Small helpers over the parsed template

type Res = { id: string; type: string; props: JsonObject; resource: JsonObject };

function obj(v: unknown): JsonObject | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : undefined;
}
function list(v: unknown): JsonValue[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v as JsonValue];
}
function resources(t: Template, ...types: string[]): Res[] {
  return Object.entries(t.Resources ?? {})
    .map(([id, r]) => ({ id, type: String(r?.Type), props: obj(r?.Properties) ?? {}, resource: r as unknown as JsonObject }))
    .filter((r) => types.length === 0 || types.includes(r.type));
}
/** The logical id a `Ref` / `Fn::GetAtt` (list or dotted form) names, else undefined. */
function target(v: unknown): string | undefined {
  const o = obj(v);
  if (!o) return undefined;
  if (typeof o['Ref'] === 'string') return o['Ref'];
  const g = o['Fn::GetAtt'];
  if (Array.isArray(g) && typeof g[0] === 'string') return g[0];
  if (typeof g === 'string') return g.split('.')[0];
  return undefined;
}
function walkStrings(v: unknown, visit: (s: string, path: string) => void, path = ''): void {
  if (typeof v === 'string') visit(v, path);
  else if (Array.isArray(v)) v.forEach((x, i) => walkStrings(x, visit, `${path}/${i}`));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walkStrings(x, visit, `${path}/${k}`);
}
function walkKeys(v: unknown, visit: (key: string, value: JsonValue, path: string) => void, path = ''): void {
  if (Array.isArray(v)) v.forEach((x, i) => walkKeys(x, visit, `${path}/${i}`));
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v as JsonObject)) {
      visit(k, x, `${path}/${k}`);
      walkKeys(x, visit, `${path}/${k}`);
    }
}
/** Text of a string, an Fn::Sub string or an Fn::Join of strings (intrinsic parts as `${..}`), for pattern checks. */
function flatText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  const o = obj(v);
  if (!o) return undefined;
  const sub = o['Fn::Sub'];
  if (typeof sub === 'string') return sub;
  if (Array.isArray(sub) && typeof sub[0] === 'string') return sub[0];
  const join = o['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return join[1].map((p) => flatText(p) ?? (target(p) ? `\${${target(p)}}` : '${?}')).join(join[0]);
  }
  return undefined;
}
function bucketOf(policy: Res): string | undefined {
  return target(policy.props['Bucket']);
}
function statements(policy: Res): JsonObject[] {
  return list(obj(policy.props['PolicyDocument'])?.['Statement']).map(obj).filter((s): s is JsonObject => !!s);
}
function isSseS3(bucket: Res): boolean {
  const rules = list(obj(bucket.props['BucketEncryption'])?.['ServerSideEncryptionConfiguration']);
  return rules.every((r) => obj(obj(r)?.['ServerSideEncryptionByDefault'])?.['SSEAlgorithm'] === 'AES256');
}
/** Buckets a load balancer writes its access logs to. */
function elbLogBuckets(t: Template): Set<string> {
  const out = new Set<string>();
  for (const lb of resources(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    for (const a of list(lb.props['LoadBalancerAttributes'])) {
      if (obj(a)?.['Key'] === 'access_logs.s3.bucket') {
        const b = target(obj(a)?.['Value']);
        if (b) out.add(b);
      }
    }
  }
  return out;
}
/** Security groups (logical ids) named in a list of group references. */
function groupIds(v: unknown): string[] {
  return list(v).map(target).filter((x): x is string => !!x);
}

// ---------------------------------------------------------------------------------------------
// The checks: each returns the problems it finds (empty = the property holds).

type Check = (t: Template) => string[];

const AZ_NAME = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/;
const EVERY_BUCKET = new Set(['arn:aws:s3', 'arn:aws:s3:::', 'arn:aws:s3:::*', 'arn:aws:s3:::*/', 'arn:aws:s3:::*/*']);

const checks: Record<string, Check> = {
  // 000#2, 001#2
  'parameter-groups': (t) => {
    const out: string[] = [];
    const groups = list(obj(obj(t.Metadata)?.['AWS::CloudFormation::Interface'])?.['ParameterGroups']);
    const parameters = Object.keys(t.Parameters ?? {});
    if (groups.length === 0) return ['no Metadata.AWS::CloudFormation::Interface.ParameterGroups'];
    if (parameters.length === 0) out.push('no parameters at all');
    const seen = new Map<string, number>();
    for (const g of groups) {
      for (const p of list(obj(g)?.['Parameters'])) {
        if (typeof p !== 'string' || !parameters.includes(p)) out.push(`group lists unknown parameter ${JSON.stringify(p)}`);
        else seen.set(p, (seen.get(p) ?? 0) + 1);
      }
    }
    for (const p of parameters) if (seen.get(p) !== 1) out.push(`parameter ${p} is in ${seen.get(p) ?? 0} groups`);
    return out;
  },

  // 000#3: Name, Environment and Project on every taggable resource (whose tags the linter
  // teams run accepts: a tag it rejects would fail their lint gate)
  'standard-tags': (t) => {
    const out: string[] = [];
    for (const r of resources(t)) {
      const info = tagInfo(r.type);
      if (!info || r.type.startsWith('Custom::') || r.type.startsWith('AWS::Serverless::')) continue;
      if (tagLintRejection(r.type, REGION) !== undefined) continue;
      const tags = r.props[info.property];
      const keys =
        info.variant === 'map'
          ? Object.keys(obj(tags) ?? {})
          : list(tags)
              .map((x) => obj(x)?.['Key'])
              .filter((k): k is string => typeof k === 'string');
      const lower = new Set(keys.map((k) => k.toLowerCase()));
      const missing = ['Name', 'Environment', 'Project'].filter((k) => !lower.has(k.toLowerCase()));
      if (missing.length) out.push(`${r.id} (${r.type}) lacks ${missing.join(', ')}`);
    }
    return out;
  },

  // 000#4, 001#9
  'retain-buckets': (t) => {
    const buckets = resources(t, 'AWS::S3::Bucket');
    if (buckets.length === 0) return ['no bucket'];
    return buckets
      .filter((b) => b.resource['DeletionPolicy'] !== 'Retain' || b.resource['UpdateReplacePolicy'] !== 'Retain')
      .map((b) => `${b.id}: DeletionPolicy ${String(b.resource['DeletionPolicy'])}, UpdateReplacePolicy ${String(b.resource['UpdateReplacePolicy'])}`);
  },

  // 000#1, 001#1: no literal AZ; every AvailabilityZone(s) comes from Fn::GetAZs
  'az-dynamic': (t) => {
    const out: string[] = [];
    walkStrings(t.Resources, (s, path) => {
      if (AZ_NAME.test(s)) out.push(`literal AZ ${s} at /Resources${path}`);
    });
    const fromGetAZs = (v: unknown): boolean => {
      const o = obj(v);
      if (o && 'Fn::GetAZs' in o) return true;
      const sel = o?.['Fn::Select'];
      return Array.isArray(sel) && sel.length === 2 && typeof sel[0] === 'number' && !!obj(sel[1]) && 'Fn::GetAZs' in obj(sel[1])!;
    };
    let count = 0;
    for (const r of resources(t)) {
      walkKeys(r.props, (key, value, path) => {
        if (key !== 'AvailabilityZone' && key !== 'AvailabilityZones') return;
        count++;
        const ok = key === 'AvailabilityZone' ? fromGetAZs(value) : fromGetAZs(value) || (Array.isArray(value) && value.every(fromGetAZs));
        if (!ok) out.push(`${r.id}${path} is not chosen with Fn::GetAZs: ${JSON.stringify(value)}`);
      });
    }
    if (count === 0) out.push('no AvailabilityZone property at all');
    return out;
  },

  // 000#5
  'no-literal-ami': (t) => {
    const out: string[] = [];
    walkStrings({ Parameters: t.Parameters ?? {}, Mappings: t.Mappings ?? {}, Resources: t.Resources }, (s, path) => {
      if (/\bami-[0-9a-f]{8,17}\b/.test(s)) out.push(`literal AMI ${s} at ${path}`);
    });
    return out;
  },

  // 000#10, 000#11, 001#5: a log group with a retention and Errors + Duration alarms per function
  'lambda-logs-and-alarms': (t) => {
    const out: string[] = [];
    const functions = resources(t, 'AWS::Lambda::Function');
    if (functions.length === 0) return ['no Lambda function'];
    const groups = resources(t, 'AWS::Logs::LogGroup');
    const alarms = resources(t, 'AWS::CloudWatch::Alarm');
    for (const fn of functions) {
      const name = fn.props['FunctionName'];
      const accepted: JsonValue[] = [{ 'Fn::Sub': `/aws/lambda/\${${fn.id}}` }];
      if (typeof name === 'string') accepted.push(`/aws/lambda/${name}`, { 'Fn::Sub': `/aws/lambda/${name}` });
      const nameSub = obj(name)?.['Fn::Sub'];
      if (typeof nameSub === 'string') accepted.push({ 'Fn::Sub': `/aws/lambda/${nameSub}` });
      const own = target(obj(fn.props['LoggingConfig'])?.['LogGroup']);
      const group = groups.find((g) => g.id === own || accepted.some((a) => isDeepStrictEqual(a, g.props['LogGroupName'])));
      if (!group) out.push(`${fn.id} has no log group`);
      else if (group.props['RetentionInDays'] === undefined) out.push(`${fn.id}'s log group ${group.id} has no RetentionInDays`);
      for (const metric of ['Errors', 'Duration']) {
        const found = alarms.some(
          (a) =>
            a.props['Namespace'] === 'AWS/Lambda' &&
            a.props['MetricName'] === metric &&
            list(a.props['Dimensions']).some((d) => {
              const v = obj(d)?.['Value'];
              return obj(d)?.['Name'] === 'FunctionName' && (target(v) === fn.id || (name !== undefined && isDeepStrictEqual(v, name)));
            }),
        );
        if (!found) out.push(`${fn.id} has no ${metric} alarm`);
      }
    }
    return out;
  },

  // 001#5: 4XX and 5XX alarms per REST API, on the API's name
  'api-alarms': (t) => {
    const out: string[] = [];
    const apis = resources(t, 'AWS::ApiGateway::RestApi');
    if (apis.length === 0) return ['no REST API'];
    const alarms = resources(t, 'AWS::CloudWatch::Alarm');
    for (const api of apis) {
      for (const metric of ['4XXError', '5XXError']) {
        const found = alarms.some(
          (a) =>
            a.props['Namespace'] === 'AWS/ApiGateway' &&
            a.props['MetricName'] === metric &&
            list(a.props['Dimensions']).some((d) => obj(d)?.['Name'] === 'ApiName' && isDeepStrictEqual(obj(d)?.['Value'], api.props['Name'])),
        );
        if (!found) out.push(`${api.id} has no ${metric} alarm on its ApiName`);
      }
    }
    return out;
  },

  // 000#12
  'trail-cloudwatch-logs': (t) => {
    const out: string[] = [];
    const trails = resources(t, 'AWS::CloudTrail::Trail');
    if (trails.length === 0) return ['no trail'];
    for (const trail of trails) {
      const group = target(trail.props['CloudWatchLogsLogGroupArn']);
      if (!group || resources(t, 'AWS::Logs::LogGroup').every((g) => g.id !== group)) out.push(`${trail.id} has no CloudWatchLogsLogGroupArn on a template log group`);
      if (!trail.props['CloudWatchLogsRoleArn']) out.push(`${trail.id} has no CloudWatchLogsRoleArn`);
    }
    return out;
  },

  // 000#8
  'flowlog-role-least-privilege': (t) => {
    const out: string[] = [];
    const roles = resources(t, 'AWS::IAM::Role').filter((r) => JSON.stringify(r.props['AssumeRolePolicyDocument'] ?? {}).includes('vpc-flow-logs.amazonaws.com'));
    if (roles.length === 0) return ['no role trusted by vpc-flow-logs.amazonaws.com'];
    for (const role of roles) {
      for (const arn of list(role.props['ManagedPolicyArns'])) {
        const text = flatText(arn) ?? JSON.stringify(arn);
        if (/FullAccess|AdministratorAccess|PowerUserAccess/.test(text)) out.push(`${role.id} has managed policy ${text}`);
      }
      for (const p of list(role.props['Policies'])) {
        for (const s of list(obj(obj(p)?.['PolicyDocument'])?.['Statement']).map(obj)) {
          const actions = list(s?.['Action']);
          if (s?.['Effect'] === 'Allow' && actions.some((a) => a === '*' || a === 'logs:*') && list(s['Resource']).includes('*')) {
            out.push(`${role.id} allows ${JSON.stringify(s['Action'])} on every resource`);
          }
        }
      }
    }
    return out;
  },

  // 000#15: every bucket (and so every bucket policy) denies requests without TLS
  'tls-only-buckets': (t) => {
    const out: string[] = [];
    const policies = resources(t, 'AWS::S3::BucketPolicy');
    const denies = (p: Res) =>
      statements(p).some((s) => {
        const bool = obj(obj(s['Condition'])?.['Bool']);
        const v = bool?.['aws:SecureTransport'];
        return s['Effect'] === 'Deny' && (v === 'false' || v === false);
      });
    for (const p of policies) if (!denies(p)) out.push(`bucket policy ${p.id} does not deny aws:SecureTransport false`);
    for (const b of resources(t, 'AWS::S3::Bucket')) {
      const own = policies.filter((p) => bucketOf(p) === b.id);
      if (own.length !== 1) out.push(`bucket ${b.id} has ${own.length} bucket policies`);
      else if (!denies(own[0]!)) out.push(`bucket ${b.id} accepts plain HTTP`);
    }
    return out;
  },

  // 000#16: the ELB log-delivery principal comes from a region mapping, never a literal account
  'elb-principal-mapping': (t) => {
    const out: string[] = [];
    const buckets = elbLogBuckets(t);
    if (buckets.size === 0) return ['no load balancer log bucket'];
    let grants = 0;
    for (const p of resources(t, 'AWS::S3::BucketPolicy').filter((p) => buckets.has(bucketOf(p) ?? ''))) {
      for (const s of statements(p)) {
        const aws = obj(s['Principal'])?.['AWS'];
        if (s['Effect'] !== 'Allow' || aws === undefined) continue;
        grants++;
        const text = JSON.stringify(aws);
        if (!text.includes('Fn::FindInMap')) out.push(`${p.id}: ELB principal is not Fn::FindInMap-based: ${text}`);
        if (/\d{12}/.test(text)) out.push(`${p.id}: ELB principal holds a literal account: ${text}`);
      }
    }
    if (grants === 0) out.push('no bucket policy grants the ELB log-delivery account');
    return out;
  },

  // 000#9
  'secret-length': (t) => {
    const secrets = resources(t, 'AWS::SecretsManager::Secret').filter((s) => obj(s.props['GenerateSecretString']));
    if (secrets.length === 0) return ['no generated secret'];
    return secrets
      .map((s) => ({ s, length: obj(s.props['GenerateSecretString'])!['PasswordLength'] }))
      .filter(({ length }) => length !== undefined && !(typeof length === 'number' && length >= 32))
      .map(({ s, length }) => `${s.id}: PasswordLength ${String(length)}`);
  },

  // 000#7: a VPC function has its own group (no inbound rules, not shared with instances),
  // and every database security group still admits it
  'lambda-dedicated-sg': (t) => {
    const out: string[] = [];
    const functions = resources(t, 'AWS::Lambda::Function').filter((f) => obj(f.props['VpcConfig']));
    if (functions.length === 0) return ['no VPC Lambda function'];
    const usedByCompute = new Set<string>();
    for (const r of resources(t, 'AWS::EC2::Instance', 'AWS::AutoScaling::LaunchConfiguration')) {
      for (const g of [...groupIds(r.props['SecurityGroupIds']), ...groupIds(r.props['SecurityGroups'])]) usedByCompute.add(g);
    }
    for (const lt of resources(t, 'AWS::EC2::LaunchTemplate')) {
      const data = obj(lt.props['LaunchTemplateData']) ?? {};
      for (const g of [...groupIds(data['SecurityGroupIds']), ...groupIds(data['SecurityGroups'])]) usedByCompute.add(g);
      for (const ni of list(data['NetworkInterfaces'])) for (const g of groupIds(obj(ni)?.['Groups'])) usedByCompute.add(g);
    }
    const ingressSources = (sg: string): string[] => [
      ...list(resources(t, 'AWS::EC2::SecurityGroup').find((g) => g.id === sg)?.props['SecurityGroupIngress']).map((r) => target(obj(r)?.['SourceSecurityGroupId'])),
      ...resources(t, 'AWS::EC2::SecurityGroupIngress')
        .filter((r) => target(r.props['GroupId']) === sg)
        .map((r) => target(r.props['SourceSecurityGroupId'])),
    ].filter((x): x is string => !!x);
    const hasInbound = (sg: string): boolean =>
      list(resources(t, 'AWS::EC2::SecurityGroup').find((g) => g.id === sg)?.props['SecurityGroupIngress']).length > 0 ||
      resources(t, 'AWS::EC2::SecurityGroupIngress').some((r) => target(r.props['GroupId']) === sg);
    const dbGroups = resources(t, 'AWS::RDS::DBInstance').map((db) => groupIds(db.props['VPCSecurityGroups']));
    for (const fn of functions) {
      const own = groupIds(obj(fn.props['VpcConfig'])!['SecurityGroupIds']);
      if (own.length === 0) out.push(`${fn.id} names no template security group`);
      for (const sg of own) {
        if (usedByCompute.has(sg)) out.push(`${fn.id} shares ${sg} with EC2 instances`);
        if (hasInbound(sg)) out.push(`${fn.id}'s group ${sg} has inbound rules`);
      }
      for (const groups of dbGroups) {
        if (!groups.some((g) => ingressSources(g).some((src) => own.includes(src)))) out.push(`database group ${groups.join(', ')} does not admit ${fn.id}`);
      }
    }
    return out;
  },

  // 001#7
  'no-account-id-literal': (t) => {
    const out: string[] = [];
    walkStrings({ Resources: t.Resources, Outputs: t.Outputs ?? {} }, (s, path) => {
      if (/(?<![0-9])[0-9]{12}(?![0-9])/.test(s)) out.push(`literal account id in ${JSON.stringify(s)} at ${path}`);
    });
    return out;
  },

  // 001#6: CIDR parameters validate their value
  'cidr-parameters-validated': (t) => {
    const out: string[] = [];
    const cidr = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;
    const params = Object.entries(t.Parameters ?? {}).filter(([name, p]) => /cidr/i.test(name) || (typeof p?.Default === 'string' && cidr.test(p.Default)));
    if (params.length === 0) return ['no CIDR parameter (the network is hard-coded)'];
    for (const [name, p] of params) {
      const pattern = p?.AllowedPattern;
      if (typeof pattern !== 'string') {
        out.push(`${name} has no AllowedPattern`);
        continue;
      }
      const re = new RegExp(pattern);
      if (typeof p.Default === 'string' && !re.test(p.Default)) out.push(`${name}: AllowedPattern rejects its own Default ${p.Default}`);
      for (const bad of ['not-a-cidr', '10.0.0.0/33', '10.0.0.256/16', '10.0.0/16']) if (re.test(bad)) out.push(`${name}: AllowedPattern accepts ${bad}`);
    }
    return out;
  },

  // 001#10 (and the 000 prompt): every security group rule says what it is for
  'sg-rule-descriptions': (t) => {
    const out: string[] = [];
    const described = (rule: unknown) => typeof obj(rule)?.['Description'] === 'string' && (obj(rule)!['Description'] as string).trim() !== '';
    for (const g of resources(t, 'AWS::EC2::SecurityGroup')) {
      for (const key of ['SecurityGroupIngress', 'SecurityGroupEgress']) {
        list(g.props[key]).forEach((rule, i) => {
          if (!described(rule)) out.push(`${g.id}.${key}[${i}] has no Description`);
        });
      }
    }
    for (const r of resources(t, 'AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroupEgress')) if (!described(r.props)) out.push(`${r.id} has no Description`);
    return out;
  },

  // 001#8: no event selector logs the object events of every bucket
  'data-events-scoped': (t) => {
    const out: string[] = [];
    const trails = resources(t, 'AWS::CloudTrail::Trail');
    if (trails.length === 0) return ['no trail'];
    for (const trail of trails) {
      for (const sel of list(trail.props['EventSelectors']).map(obj)) {
        for (const dr of list(sel?.['DataResources']).map(obj)) {
          if (dr?.['Type'] !== 'AWS::S3::Object') continue;
          for (const v of list(dr['Values'])) {
            const text = (flatText(v) ?? '').replace('${AWS::Partition}', 'aws');
            if (EVERY_BUCKET.has(text)) out.push(`${trail.id} logs object events of every bucket (${text})`);
          }
        }
      }
      for (const sel of list(trail.props['AdvancedEventSelectors']).map(obj)) {
        const fields = list(sel?.['FieldSelectors']).map(obj);
        const field = (name: string) => fields.find((f) => f?.['Field'] === name);
        if (list(field('eventCategory')?.['Equals']).includes('Data') && list(field('resources.type')?.['Equals']).includes('AWS::S3::Object') && !field('resources.ARN')) {
          out.push(`${trail.id} has an advanced selector logging object events of every bucket`);
        }
      }
    }
    return out;
  },

  // 001#4 and the AWS facts: log destinations that only support SSE-S3 use it, no bucket logs
  // into itself or into the audit trail's bucket, and every log bucket can be created
  'log-buckets-sound': (t) => {
    const out: string[] = [];
    const buckets = new Map(resources(t, 'AWS::S3::Bucket').map((b) => [b.id, b]));
    const trailBuckets = new Set(resources(t, 'AWS::CloudTrail::Trail').map((tr) => target(tr.props['S3BucketName'])));
    for (const b of buckets.values()) {
      const dest = target(obj(b.props['LoggingConfiguration'])?.['DestinationBucketName']);
      if (!dest) continue;
      if (dest === b.id) out.push(`${b.id} logs into itself`);
      if (trailBuckets.has(dest)) out.push(`${b.id} logs into ${dest}, the CloudTrail bucket`);
      const d = buckets.get(dest);
      if (d && !isSseS3(d)) out.push(`${b.id} logs into ${dest}, which is not SSE-S3 (server access log destinations support SSE-S3 only)`);
    }
    for (const id of elbLogBuckets(t)) {
      const b = buckets.get(id);
      if (b && !isSseS3(b)) out.push(`load balancer log bucket ${id} is not SSE-S3`);
    }
    // New buckets have ACLs disabled (BucketOwnerEnforced) since April 2023: a canned ACL other
    // than private fails the creation (InvalidBucketAclWithObjectOwnership) unless the bucket
    // enables ACLs with ObjectWriter / BucketOwnerPreferred ownership.
    for (const b of buckets.values()) {
      const acl = b.props['AccessControl'];
      if (acl === undefined || acl === 'Private') continue;
      const ownership = list(obj(b.props['OwnershipControls'])?.['Rules']).map((r) => obj(r)?.['ObjectOwnership']);
      if (!ownership.some((o) => o === 'ObjectWriter' || o === 'BucketOwnerPreferred')) out.push(`${b.id} sets AccessControl ${String(acl)} with ACLs disabled: the bucket cannot be created`);
    }
    return out;
  },
};

// ---------------------------------------------------------------------------------------------
// The seeds and the checks that apply to each

interface Seed {
  file: string;
  checks: string[];
  /** Checks the unfixed input already passes (the model got that part right in the catalogue). */
  passingInput: string[];
}

const seeds: Seed[] = [
  {
    file: 'seed-000.input.json',
    checks: [
      'parameter-groups',
      'standard-tags',
      'retain-buckets',
      'az-dynamic',
      'no-literal-ami',
      'lambda-logs-and-alarms',
      'trail-cloudwatch-logs',
      'flowlog-role-least-privilege',
      'tls-only-buckets',
      'elb-principal-mapping',
      'secret-length',
      'lambda-dedicated-sg',
      'cidr-parameters-validated',
      'sg-rule-descriptions',
      'log-buckets-sound',
    ],
    passingInput: ['sg-rule-descriptions'],
  },
  {
    file: 'seed-001.input.json',
    checks: [
      'parameter-groups',
      'standard-tags',
      'retain-buckets',
      'az-dynamic',
      'lambda-logs-and-alarms',
      'api-alarms',
      'trail-cloudwatch-logs',
      'flowlog-role-least-privilege',
      'tls-only-buckets',
      'lambda-dedicated-sg',
      'no-account-id-literal',
      'cidr-parameters-validated',
      'sg-rule-descriptions',
      'data-events-scoped',
      'log-buckets-sound',
    ],
    passingInput: ['trail-cloudwatch-logs', 'flowlog-role-least-privilege', 'lambda-dedicated-sg'],
  },
];

function run(file: string) {
  const path = join(dir, file);
  const input = readFileSync(path, 'utf8');
  // The golden's options: seed 000 names its project in the config, as a team would.
  const optionsFile = path.replace(/\.input\.json$/, '.options.json');
  const options = existsSync(optionsFile) ? (JSON.parse(readFileSync(optionsFile, 'utf8')) as { settings?: Record<string, { options?: Record<string, unknown> }> }) : {};
  const settings = { transforms, settings: options.settings ?? {}, unsafe: true, region: REGION, filePath: path };
  const result = fixText(input, settings);
  return { input, result, settings };
}

for (const seed of seeds) {
  describe(`pipeline: ${seed.file}`, () => {
    const { input, result, settings } = run(seed.file);
    const fixed = (result.errors.length ? parseSource('json', input) : parseSource('json', result.output)).value as unknown as Template;

    it('fixes without errors, idempotently, without dangling references', () => {
      expect(result.errors).toEqual([]);
      expect(result.status).toBe('changed');
      expect(danglingReferences(fixed).map((r) => `${r.kind} ${r.target} at ${r.pointer}`)).toEqual([]);
      const again = fixText(result.output, settings);
      expect(again.errors).toEqual([]);
      expect(again.operations).toEqual([]);
    });

    for (const name of seed.checks) {
      it(name, () => {
        expect(checks[name]!(fixed)).toEqual([]);
      });
    }
  });
}

describe('pipeline: the checks are real', () => {
  it('the unfixed inputs fail them (each check fails on at least one seed)', () => {
    const failedSomewhere = new Set<string>();
    for (const seed of seeds) {
      const template = parseSource('json', readFileSync(join(dir, seed.file), 'utf8')).value as unknown as Template;
      const passing = seed.checks.filter((name) => checks[name]!(template).length === 0);
      expect(passing, `${seed.file}: checks the unfixed input passes`).toEqual(seed.passingInput);
      for (const name of seed.checks) if (!passing.includes(name)) failedSomewhere.add(name);
    }
    expect(Object.keys(checks).filter((name) => !failedSomewhere.has(name))).toEqual([]);
  });
});
