import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { property, resources } from '../src/cfn/query.js';
import type { Finding } from '../src/types.js';

export default defineTransform({
  meta: {
    id: 'cloudtrail-log-validation',
    title: 'Turn on CloudTrail log file integrity validation',
    severity: 'medium',
    safety: 'safe',
    seeds: [],
    equivalents: [
      { tool: 'control-tower', id: 'CT.CLOUDTRAIL.PR.2', source: 'https://github.com/cdklabs/cdk-validator-cfnguard/blob/main/rules/control-tower/cfn-guard/cloudtrail/ct-cloudtrail-pr-2.guard' },
      { tool: 'checkov', id: 'CKV_AWS_36', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/CloudtrailLogValidation.py' },
    ],
    defaultOptions: {},
    docs: `## Why
Without log file validation nobody can tell whether a trail's log files were changed or deleted
after CloudTrail delivered them: someone who can write to the bucket can remove the traces of
what they did. With validation CloudTrail delivers a signed digest file every hour, and
\`aws cloudtrail validate-logs\` proves the log files intact.

## Fix
Sets \`EnableLogFileValidation: true\` on every \`AWS::CloudTrail::Trail\` that does not set it. A
trail that sets it to false (or to a value computed with Fn::If or a parameter) is reported, not
changed: that is a choice the author wrote down.

## Fix safety
Safe: an in-place update. CloudTrail writes the digest files under \`AWSLogs/<account>/CloudTrail-Digest/\`
in the trail's bucket with the permissions it already uses for log files; digest files cost
nothing beyond their S3 storage.

## Options
None.
`,
  },
  check({ template }) {
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    for (const trail of resources(template, 'AWS::CloudTrail::Trail')) {
      if (!trail.properties) continue;
      const validation = property(trail, 'EnableLogFileValidation');
      if (validation === undefined) {
        fx.setProperty(trail.id, ['EnableLogFileValidation'], true);
        findings.push({ pointer: trail.pointer, messageId: 'noValidation', message: `Trail ${trail.id} does not validate its log files`, fix: fx.take() });
      } else if (validation.value !== true && validation.value !== 'true') {
        findings.push({
          pointer: validation.pointer,
          messageId: 'validationOff',
          message: `Trail ${trail.id} sets EnableLogFileValidation to ${JSON.stringify(validation.value)}; its log files cannot be proven intact`,
        });
      }
    }
    return findings;
  },
});
