import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property, resources } from '../src/cfn/query.js';
import { asObject, intrinsicName } from '../src/cfn/values.js';
import type { Finding } from '../src/types.js';

const SETTING = 'containerInsights';

export default defineTransform({
  meta: {
    id: 'ecs-container-insights',
    title: 'Turn on CloudWatch Container Insights for ECS clusters',
    severity: 'low',
    safety: 'safe',
    seeds: [],
    enabledByDefault: false,
    equivalents: [
      { tool: 'control-tower', id: 'CT.ECS.PR.2', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/ecs/ct-ecs-pr-2.guard' },
      { tool: 'checkov', id: 'CKV_AWS_65', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/ECSClusterContainerInsights.py' },
    ],
    defaultOptions: {},
    docs: `## Why
Without Container Insights an ECS cluster reports CPU and memory only per service: there is no
per-task view, no restart or network metrics, and a task that dies of memory pressure leaves
little to diagnose it with.

## Fix
Adds \`{Name: containerInsights, Value: enabled}\` to the \`ClusterSettings\` of every
\`AWS::ECS::Cluster\` that has no \`containerInsights\` setting (creating the list when missing).
A setting of \`disabled\` is reported, not changed; \`enhanced\` (Container Insights with
enhanced observability) is kept, although AWS Control Tower's CT.ECS.PR.2 only accepts
\`enabled\`. Computed settings are left alone.

## Fix safety
Safe: an in-place cluster update; tasks keep running. Off by default (\`--enable
ecs-container-insights\`): Container Insights publishes CloudWatch custom metrics and
performance log events, billed per metric and per GB ingested.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    for (const cluster of resources(template, 'AWS::ECS::Cluster')) {
      if (cluster.resource.Properties !== undefined && !cluster.properties) continue;
      const settings = property(cluster, 'ClusterSettings');
      if (settings !== undefined && !Array.isArray(settings.value)) continue;
      const list = (settings?.value ?? []) as unknown[];
      if (list.some((s) => !asObject(s) || intrinsicName(s) || typeof asObject(s)!['Name'] !== 'string')) continue;
      const index = list.findIndex((s) => asObject(s)!['Name'] === SETTING);
      if (index < 0) {
        fx.append(`${cluster.propertiesPointer}/ClusterSettings`, { Name: SETTING, Value: 'enabled' });
        findings.push({ pointer: cluster.pointer, messageId: 'noContainerInsights', message: `Cluster ${cluster.id} does not collect Container Insights metrics`, fix: fx.take() });
        continue;
      }
      const value = asObject(list[index])!['Value'];
      if (value === 'disabled') {
        findings.push({ pointer: `${settings!.pointer}/${index}/Value`, messageId: 'containerInsightsOff', message: `Cluster ${cluster.id} turns Container Insights off` });
      }
    }
    return findings;
  },
});
