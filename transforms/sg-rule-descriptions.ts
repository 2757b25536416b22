import { defineTransform } from '../src/transform.js';
import { Fixer } from '../src/cfn/fixer.js';
import { describeRule, securityGroupRules } from '../src/cfn/network.js';
import { hasOwn } from '../src/cfn/values.js';
import type { Finding } from '../src/types.js';

export default defineTransform({
  meta: {
    id: 'sg-rule-descriptions',
    title: 'Describe every security group rule',
    severity: 'low',
    safety: 'safe',
    seeds: ['001#10'],
    equivalents: [
      { tool: 'cfn_nag', id: 'W36', source: 'https://github.com/stelligent/cfn_nag/blob/master/lib/cfn-nag/custom_rules/SecurityGroupRuleDescriptionRule.rb' },
      { tool: 'checkov', id: 'CKV_AWS_23', source: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/cloudformation/checks/resource/aws/SecurityGroupRuleDescription.py' },
    ],
    defaultOptions: {},
    docs: `## Why
A security group rule without a \`Description\` says nothing about why it exists. During an
audit or an incident, reviewers must work out from ports and peers alone what each rule is for,
and outdated rules survive because nobody can tell they are outdated. Compliance frameworks
(PCI-DSS, SOC 2) expect documented network controls; the rule description is where AWS shows it.

## Fix
Adds a \`Description\` to every rule that has none (or an empty one): the items of
\`SecurityGroupIngress\` / \`SecurityGroupEgress\` of \`AWS::EC2::SecurityGroup\` (also inside
\`Fn::If\`), and standalone \`AWS::EC2::SecurityGroupIngress\` / \`AWS::EC2::SecurityGroupEgress\`
resources. The text is built from what the rule says, so it is true rather than hopeful:

- traffic: \`All traffic\` for protocol \`-1\`; well-known ports by name, e.g. \`HTTPS (tcp/443)\`,
  \`SSH (tcp/22)\`, \`MySQL/Aurora (tcp/3306)\`, \`PostgreSQL (tcp/5432)\`, \`DNS (udp/53)\`; other
  ports as \`tcp/8000-8080\`; \`All TCP\` for the full range; \`All ICMP\`, \`ICMP echo request\`, ...;
  ports given by a parameter or attribute are named after it (\`tcp/DBPort\`);
- peer: \`from\` (ingress) or \`to\` (egress) the CIDR or prefix list as written, the logical id of
  the security group a \`Ref\`/\`GetAtt\` names, or the parameter a \`Ref\` names
  (\`SSH (tcp/22) from SSHAllowedCIDR\`).

The catalogue's ideal answer writes prose such as "Allow all outbound traffic"; a description
derived from the rule cannot drift from it at the moment it is written, and the author can still
replace it with the business reason. Descriptions that exist, or that are intrinsics, are never
touched.

## Fix safety
Safe. A rule description is metadata: changing it updates the rule in place and never affects
traffic. The text keeps to the characters EC2 accepts in rule descriptions
(\`a-zA-Z0-9\`, space and \`._-:/()#,@[]+=&;{}!$*\`) and to 255 characters.

## Options
None.
`,
  },
  check({ template }) {
    const fixer = new Fixer(template);
    const findings: Finding[] = [];
    for (const entry of securityGroupRules(template)) {
      const current = entry.rule['Description'];
      if (hasOwn(entry.rule, 'Description') && !(typeof current === 'string' && current.trim() === '')) continue;
      const kind = entry.direction === 'ingress' ? 'Ingress' : 'Egress';
      findings.push({
        pointer: entry.pointer,
        message:
          entry.kind === 'inline'
            ? `${kind} rule of security group ${entry.resourceId} has no description`
            : `${kind} rule ${entry.resourceId} has no description`,
        messageId: 'noDescription',
        fix: fixer.set(`${entry.pointer}/Description`, describeRule(entry.rule, entry.direction)).take(),
      });
    }
    return findings;
  },
});
