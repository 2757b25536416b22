import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { dependsOnResource } from '../src/cfn/graph.js';
import { property, propertyValues, resource, resources, targetOfValue, type ResourceView } from '../src/cfn/query.js';
import { parsePointer } from '../src/cfn/pointer.js';
import { bucketByArn } from '../src/cfn/s3.js';
import { referencesTo } from '../src/cfn/template.js';
import type { Finding, JsonValue, Template } from '../src/types.js';

const PERMISSION = 'AWS::Lambda::Permission';
const SERVICE_PRINCIPAL = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/;
const ACCOUNT_PRINCIPAL = /^(\d{12}|arn:aws[a-z0-9-]*:iam::\d{12}:.+)$/;

/**
 * Services whose AWS documentation scopes the Lambda permission they need with the source account
 * (`--source-account`): they send `aws:SourceAccount` when they invoke a function, so the
 * condition keeps them working. Other services get a SourceArn the template determines, or a report.
 */
const SOURCE_ACCOUNT_SERVICES: readonly string[] = ['s3', 'secretsmanager', 'logs', 'config'];

const API_TYPES = ['AWS::ApiGateway::RestApi', 'AWS::ApiGatewayV2::Api'];
/** Resources that make an API call a function, and the property naming their API. */
const API_PARTS: Readonly<Record<string, string>> = {
  'AWS::ApiGateway::Method': 'RestApiId',
  'AWS::ApiGateway::Authorizer': 'RestApiId',
  'AWS::ApiGatewayV2::Integration': 'ApiId',
  'AWS::ApiGatewayV2::Authorizer': 'ApiId',
};

/**
 * The APIs of the template that invoke function `fn`: through a method, integration or
 * authorizer that names both, or an API definition (Body) naming the function. Undefined when a
 * part naming the function belongs to an API that is not a resource of the template.
 */
function apisInvoking(t: Template, fn: string): Set<string> | undefined {
  const apis = new Set<string>();
  for (const ref of referencesTo(t, fn)) {
    if (ref.kind === 'DependsOn') continue;
    const [section, id] = parsePointer(ref.pointer);
    const view = section === 'Resources' && id !== undefined ? resource(t, id) : undefined;
    if (!view) continue;
    if (API_TYPES.includes(view.type)) {
      apis.add(view.id);
      continue;
    }
    const apiProperty = API_PARTS[view.type];
    if (!apiProperty) continue;
    const api = targetOfValue(t, property(view, apiProperty)?.value);
    if (api.kind !== 'resource' || !API_TYPES.includes(api.view.type)) return undefined;
    apis.add(api.id);
  }
  return apis;
}

function serviceOf(principal: string): string {
  return principal.replace(/\.amazonaws\.com(\.cn)?$/, '');
}

/** The logical id of the function a permission (or a target, an endpoint) names by Ref or GetAtt. */
function functionOf(t: Template, value: unknown): string | undefined {
  const target = targetOfValue(t, value);
  return target.kind === 'resource' && target.view.type === 'AWS::Lambda::Function' ? target.id : undefined;
}

/** Ids of the resources of `views` whose values at `path` name function `fn`. */
function naming(t: Template, views: readonly ResourceView[], fn: string, ...path: string[]): string[] {
  return views.filter((v) => propertyValues(v, ...path).some((x) => functionOf(t, x.value) === fn)).map((v) => v.id);
}

/**
 * The resource a SourceArn can name for the service that invokes function `fn`, when the template
 * says which one unambiguously: the one EventBridge rule or SNS topic that targets the function,
 * the one API of an API Gateway permission.
 */
function sourceArnFor(t: Template, service: string, fn: string): { id: string; value: JsonValue } | undefined {
  if (service === 'events') {
    const rules = [...new Set(naming(t, resources(t, 'AWS::Events::Rule'), fn, 'Targets', '*', 'Arn'))];
    return rules.length === 1 ? { id: rules[0]!, value: { 'Fn::GetAtt': [rules[0]!, 'Arn'] } } : undefined;
  }
  if (service === 'sns') {
    const topics = new Set<string>();
    let unknown = false;
    for (const sub of resources(t, 'AWS::SNS::Subscription')) {
      if (!propertyValues(sub, 'Endpoint').some((x) => functionOf(t, x.value) === fn)) continue;
      const topic = targetOfValue(t, property(sub, 'TopicArn')?.value);
      if (topic.kind === 'resource' && topic.view.type === 'AWS::SNS::Topic' && !topic.attribute) topics.add(topic.id);
      else unknown = true;
    }
    for (const id of naming(t, resources(t, 'AWS::SNS::Topic'), fn, 'Subscription', '*', 'Endpoint')) topics.add(id);
    if (unknown || topics.size !== 1) return undefined;
    const id = [...topics][0]!;
    return { id, value: { Ref: id } };
  }
  if (service === 'apigateway') {
    const apis = apisInvoking(t, fn);
    if (apis === undefined || apis.size !== 1) return undefined;
    const id = [...apis][0]!;
    return { id, value: { 'Fn::Sub': `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${id}}/*` } };
  }
  return undefined;
}

function isSet(value: JsonValue | undefined): boolean {
  return value !== undefined && value !== '' && !(typeof value === 'string' && value.trim() === '');
}

export default defineTransform({
  meta: {
    id: 'lambda-permission-source',
    title: 'Scope Lambda permissions for AWS services to their source',
    severity: 'high',
    safety: 'safe',
    seeds: [],
    equivalents: [
      {
        tool: 'control-tower',
        id: 'CT.LAMBDA.PR.2',
        source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/lambda/ct-lambda-pr-2.guard',
        note: 'read from the template, accepts only a literal string or a Ref/GetAtt of a resource: a SourceArn built with Fn::Sub or SourceAccount {"Ref": "AWS::AccountId"} fails it until deployment resolves them; also fails FunctionUrlAuthType NONE, which this transform leaves to others',
      },
      {
        tool: 'cfn-lint',
        id: 'W3663',
        source: 'https://github.com/aws-cloudformation/cfn-lint/blob/main/src/cfnlint/rules/resources/lmbd/PermissionSourceAccount.py',
        note: 'asks for SourceAccount beside a SourceArn that names an S3 bucket or carries no account id; fixed for buckets of the template',
      },
      { tool: 'checkov', id: 'CKV_AWS_364', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/LambdaServicePermission.py' },
      {
        tool: 'cfn_nag',
        id: 'F13',
        source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/LambdaPermissionWildcardPrincipalRule.rb',
        note: 'the wildcard principal is reported, not fixed',
      },
    ],
    defaultOptions: {},
    docs: `## Why
An \`AWS::Lambda::Permission\` for a service principal (\`s3.amazonaws.com\`,
\`events.amazonaws.com\`, ...) without \`SourceArn\` or \`SourceAccount\` lets that service invoke
the function on behalf of any resource in any AWS account: anyone who points their bucket
notification, rule or API at the function's ARN can invoke it (the confused deputy problem).
A permission for \`*\` without a source opens the function to everyone.

## Fix
For a permission whose \`Principal\` is a service principal and that sets neither \`SourceArn\`
nor \`SourceAccount\`, adds the narrowest source the template determines:
- \`events.amazonaws.com\`: \`SourceArn: {"Fn::GetAtt": [<Rule>, "Arn"]}\` when exactly one
  \`AWS::Events::Rule\` targets the function;
- \`sns.amazonaws.com\`: \`SourceArn: {"Ref": <Topic>}\` when the function subscribes to exactly one
  topic of the template (an \`AWS::SNS::Subscription\` or a topic's \`Subscription\` list);
- \`apigateway.amazonaws.com\`: \`SourceArn\` the execute-api ARN of the one API of the template
  (\`AWS::ApiGateway::RestApi\` or \`AWS::ApiGatewayV2::Api\`) that invokes the function through
  a method, integration or authorizer, or names it in its definition; every stage, method and path:
  \`arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${Api}/*\`;
- \`s3\`, \`secretsmanager\`, \`logs\`, \`config\`: \`SourceAccount: {"Ref": "AWS::AccountId"}\`, as
  the services' guides do (for S3 it is the one that matters: a bucket ARN carries no account,
  and a deleted bucket's name can be taken by another account). An S3 permission whose
  \`SourceArn\` names a bucket of the template but that has no \`SourceAccount\` gets the
  \`SourceAccount\` too (what cfn-lint W3663 asks); a \`SourceArn\` of a bucket from elsewhere may
  be another account's, so it is left alone.

A source resource that has another \`Condition\` than the permission, or that depends on the
permission (a bucket or target group usually does, because the service checks the permission
when the resource is created), is not named: that would fail or close a dependency cycle.
Permissions whose source the template does not settle (several rules or APIs, an API from
another stack, a service not listed above such as \`elasticloadbalancing\`) are reported without a fix, and so is a \`*\`
principal without \`SourceAccount\`, \`SourceArn\` or \`PrincipalOrgID\`: which callers were meant
is the author's decision. Permissions for an account id or an IAM ARN are left alone, as are a
computed \`Principal\` and computed Properties.

AWS Control Tower's CT.LAMBDA.PR.2, read from the template by cfn-guard, accepts only a literal
string or a \`Ref\`/\`GetAtt\` of a resource: the rule and topic sources pass it, while the
execute-api \`Fn::Sub\` and \`{"Ref": "AWS::AccountId"}\` only pass once CloudFormation resolves
them (the proactive-control hook evaluates the resolved properties). The exception is recorded
in data/control-exceptions.json.

## Fix safety
Safe: the permission is updated in place and the service keeps invoking the function for the
named source; only callers from other resources or accounts are refused.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    for (const permission of resources(template, PERMISSION)) {
      const props = permission.properties;
      if (!props) continue;
      const principal = props['Principal'];
      if (typeof principal !== 'string' || ACCOUNT_PRINCIPAL.test(principal)) continue;
      const hasArn = isSet(props['SourceArn']);
      const hasAccount = isSet(props['SourceAccount']);
      if (principal === '*') {
        if (!hasArn && !hasAccount && !isSet(props['PrincipalOrgID'])) {
          findings.push({
            pointer: `${permission.propertiesPointer}/Principal`,
            messageId: 'publicPrincipal',
            message: `Permission ${permission.id} lets anyone invoke the function: give SourceAccount, SourceArn or PrincipalOrgID, or name the callers`,
          });
        }
        continue;
      }
      if (!SERVICE_PRINCIPAL.test(principal)) continue;
      const service = serviceOf(principal);
      if (hasArn && !hasAccount && service === 's3' && bucketByArn(template, props['SourceArn'])) {
        fx.setProperty(permission.id, ['SourceAccount'], { Ref: 'AWS::AccountId' });
        findings.push({
          pointer: permission.propertiesPointer,
          messageId: 's3WithoutSourceAccount',
          message: `Permission ${permission.id} scopes S3 by bucket ARN only; a bucket ARN names no account`,
          fix: fx.take(),
        });
        continue;
      }
      if (hasArn || hasAccount) continue;
      const fn = functionOf(template, props['FunctionName']);
      const source = fn ? sourceArnFor(template, service, fn) : undefined;
      const usable =
        source &&
        [undefined, permission.condition].includes(resource(template, source.id)?.condition) &&
        !dependsOnResource(template, source.id, permission.id);
      if (usable) {
        fx.setProperty(permission.id, ['SourceArn'], source.value);
        findings.push({
          pointer: permission.propertiesPointer,
          messageId: 'noSource',
          message: `Permission ${permission.id} lets ${principal} invoke the function for any source; scoped to ${source.id}`,
          fix: fx.take(),
        });
        continue;
      }
      if (SOURCE_ACCOUNT_SERVICES.includes(service)) {
        fx.setProperty(permission.id, ['SourceAccount'], { Ref: 'AWS::AccountId' });
        findings.push({
          pointer: permission.propertiesPointer,
          messageId: 'noSource',
          message: `Permission ${permission.id} lets ${principal} invoke the function for any account's resources; scoped to this account`,
          fix: fx.take(),
        });
        continue;
      }
      findings.push({
        pointer: permission.propertiesPointer,
        messageId: 'sourceUnknown',
        message: `Permission ${permission.id} lets ${principal} invoke the function for any source, and the template does not say which one it is`,
      });
    }
    return findings;
  },
});
