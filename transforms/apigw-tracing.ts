import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property, resource, resources } from '../src/cfn/query.js';
import { asObject, intrinsicName } from '../src/cfn/values.js';
import type { Finding } from '../src/types.js';

export default defineTransform({
  meta: {
    id: 'apigw-tracing',
    title: 'Turn on AWS X-Ray tracing for API Gateway REST API stages',
    severity: 'low',
    safety: 'safe',
    seeds: [],
    enabledByDefault: false,
    equivalents: [
      { tool: 'control-tower', id: 'CT.APIGATEWAY.PR.2', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/apigateway/ct-apigateway-pr-2.guard' },
      {
        tool: 'checkov',
        id: 'CKV_AWS_73',
        source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/APIGatewayXray.py',
        note: 'also checks AWS::Serverless::Api, which this transform leaves alone',
      },
    ],
    defaultOptions: {},
    docs: `## Why
With X-Ray tracing a REST API stage records where each request spent its time (authorizer,
integration, the Lambda function or service behind it), so a slow or failing call can be
followed end to end instead of guessed at from logs.

## Fix
Sets \`TracingEnabled: true\` on every \`AWS::ApiGateway::Stage\` that does not set it, and in the
\`StageDescription\` of every \`AWS::ApiGateway::Deployment\` that creates its stage
(\`StageName\`; AWS Control Tower does not read deployments, so those are not counted against
CT.APIGATEWAY.PR.2). An explicit \`false\` or a computed value is reported, not changed.
HTTP and WebSocket APIs (\`AWS::ApiGatewayV2::Stage\`) have no X-Ray tracing and are not touched.

## Fix safety
Safe: an in-place stage update; API Gateway samples requests with the account's X-Ray sampling
rules (by default the first request each second and 5% of the others). Off by default
(\`--enable apigw-tracing\`): traces are billed per trace recorded and retrieved.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const visit = (id: string, path: string[], label: string) => {
      const view = resource(template, id)!;
      const current = property(view, ...path);
      if (current === undefined) {
        fx.setProperty(id, path, true);
        findings.push({ pointer: view.pointer, messageId: 'noTracing', message: `${label} ${id} does not trace requests with X-Ray`, fix: fx.take() });
      } else if (current.value !== true && current.value !== 'true') {
        findings.push({ pointer: current.pointer, messageId: 'tracingOff', message: `${label} ${id} sets TracingEnabled to ${JSON.stringify(current.value)}` });
      }
    };
    for (const stage of resources(template, 'AWS::ApiGateway::Stage')) if (stage.properties) visit(stage.id, ['TracingEnabled'], 'Stage');
    for (const deployment of resources(template, 'AWS::ApiGateway::Deployment')) {
      if (!deployment.properties || property(deployment, 'StageName') === undefined) continue;
      const description = property(deployment, 'StageDescription');
      if (description !== undefined && (!asObject(description.value) || intrinsicName(description.value))) continue;
      visit(deployment.id, ['StageDescription', 'TracingEnabled'], 'Deployment');
    }
    return findings;
  },
});
