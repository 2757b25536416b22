import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property, resources } from '../src/cfn/query.js';
import { replacementRefusal } from '../src/cfn/spec.js';
import type { Finding } from '../src/types.js';

/** True for an EngineVersion of Redis OSS 7 or later (where TransitEncryptionMode exists). */
function redis7OrLater(version: unknown): boolean {
  const text = typeof version === 'number' ? String(version) : version;
  return typeof text === 'string' && /^([7-9]|[1-9]\d)(\.|$)/.test(text);
}

export default defineTransform({
  meta: {
    id: 'elasticache-encryption',
    title: 'Encrypt ElastiCache (Redis OSS) replication groups at rest and in transit',
    severity: 'high',
    safety: 'unsafe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.ELASTICACHE.PR.4', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/elasticache/ct-elasticache-pr-4.guard' },
      {
        tool: 'control-tower',
        id: 'CT.ELASTICACHE.PR.5',
        source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/elasticache/ct-elasticache-pr-5.guard',
        note: 'fixed for Redis OSS 7 and later only; older or unknown engine versions are reported',
      },
      { tool: 'checkov', id: 'CKV_AWS_29', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/ElasticacheReplicationGroupEncryptionAtRest.py' },
      {
        tool: 'checkov',
        id: 'CKV_AWS_30',
        source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/ElasticacheReplicationGroupEncryptionAtTransit.py',
        note: 'fixed for Redis OSS 7 and later only',
      },
      { tool: 'cfn_nag', id: 'F25', source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/ElastiCacheReplicationGroupAtRestEncryptionRule.rb' },
      {
        tool: 'cfn_nag',
        id: 'F33',
        source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/ElastiCacheReplicationGroupTransitEncryptionRule.rb',
        note: 'fixed for Redis OSS 7 and later only',
      },
    ],
    defaultOptions: {},
    docs: `## Why
An unencrypted Redis OSS replication group keeps cached data, snapshots and swap in plain text,
and without in-transit encryption every command (and the AUTH token) crosses the network in
clear text.

## Fix
For every \`AWS::ElastiCache::ReplicationGroup\` with \`Engine: redis\`:
- no \`AtRestEncryptionEnabled\`: sets it to \`true\` (the AWS managed key; \`KmsKeyId\` is left
  to the author);
- no \`TransitEncryptionEnabled\`, and an \`EngineVersion\` of 7 or later: sets it to \`true\` with
  \`TransitEncryptionMode: preferred\`, which accepts TLS and plain connections, so clients keep
  working while they move to TLS; the author sets \`required\` once they have. Before Redis OSS 7
  (or with no \`EngineVersion\`) the mode does not exist and clients would have to switch to TLS
  at once: reported, not fixed.

An explicit \`false\` (or a computed value) is reported, not changed. A group with a custom
\`ReplicationGroupId\` is reported when the fix would replace it: CloudFormation cannot create
the replacement under the same name.

## Fix safety
Unsafe. Turning on encryption at rest replaces the replication group: a new, empty cache with a
new endpoint (data is lost unless restored from a snapshot; clients that do not read the
endpoint from the stack must be reconfigured). Turning on in-transit encryption in preferred
mode is an in-place modification.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    for (const group of resources(template, 'AWS::ElastiCache::ReplicationGroup')) {
      if (!group.properties || property(group, 'Engine')?.value !== 'redis') continue;
      const atRest = property(group, 'AtRestEncryptionEnabled');
      if (atRest === undefined) {
        fx.setProperty(group.id, ['AtRestEncryptionEnabled'], true);
        const fix = fx.take();
        const refusal = replacementRefusal(template, fix.ops);
        findings.push({
          pointer: group.pointer,
          messageId: 'notEncryptedAtRest',
          message: `Replication group ${group.id} does not encrypt its data at rest${refusal ? ` (not fixed: ${refusal})` : ''}`,
          ...(refusal ? {} : { fix }),
        });
      } else if (atRest.value !== true && atRest.value !== 'true') {
        findings.push({ pointer: atRest.pointer, messageId: 'atRestOff', message: `Replication group ${group.id} sets AtRestEncryptionEnabled to ${JSON.stringify(atRest.value)}` });
      }

      const transit = property(group, 'TransitEncryptionEnabled');
      if (transit === undefined) {
        if (redis7OrLater(property(group, 'EngineVersion')?.value) && property(group, 'TransitEncryptionMode') === undefined) {
          fx.setProperty(group.id, ['TransitEncryptionEnabled'], true);
          fx.setProperty(group.id, ['TransitEncryptionMode'], 'preferred');
          findings.push({ pointer: group.pointer, messageId: 'notEncryptedInTransit', message: `Replication group ${group.id} accepts only plain-text connections`, fix: fx.take() });
        } else {
          findings.push({
            pointer: group.pointer,
            messageId: 'notEncryptedInTransitOldEngine',
            message: `Replication group ${group.id} accepts only plain-text connections (not fixed: before Redis OSS 7 every client must switch to TLS at once)`,
          });
        }
      } else if (transit.value !== true && transit.value !== 'true') {
        findings.push({ pointer: transit.pointer, messageId: 'inTransitOff', message: `Replication group ${group.id} sets TransitEncryptionEnabled to ${JSON.stringify(transit.value)}` });
      }
    }
    return findings;
  },
});
