import { defineTransform } from '../src/transform.js';
import { findInMapLookup, launchTemplatesOfGroup, mapCandidates, unusedMappingEntries } from '../src/cfn/compute.js';
import { skipsTransform } from '../src/cfn/skip.js';
import { Fixer } from '../src/cfn/fixer.js';
import { pointer } from '../src/cfn/pointer.js';
import { parameter, property, resource as resourceView, resources, type ResourceView } from '../src/cfn/query.js';
import { amazonLinuxSsmPath, type AmazonLinuxGeneration } from '../src/cfn/regions.js';
import { freshLogicalId } from '../src/cfn/naming.js';
import { asObject, intrinsicName, resolve } from '../src/cfn/values.js';
import type { Finding, JsonObject, JsonValue, Resource, Template } from '../src/types.js';

const ID = 'ami-from-ssm';

interface Options extends Record<string, unknown> {
  /** 'parameter' (default): a template parameter of the SSM type; 'resolve': a `{{resolve:ssm:...}}` string. */
  style?: 'parameter' | 'resolve';
  /** 'al2023' (default). 'al2' is past its end of support (2026-06-30) and only for templates that cannot move yet. */
  generation?: AmazonLinuxGeneration;
}

const SSM_IMAGE_TYPE = 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>';
const AMI_ID = /^ami-[0-9a-zA-Z]+$/;
/** Amazon Linux 2 (`amzn2-ami-...`) and the original Amazon Linux AMI (`amzn-ami-...`, end of life 2023-12-31). */
const OLD_AMAZON_LINUX_PATH = /^\/aws\/service\/ami-amazon-linux-latest\/amzn2?-ami-[^\s}]*$/;
const AMAZON_LINUX_PATH = /^\/aws\/service\/ami-amazon-linux-latest\//;
const RESOLVE_SSM = /^\{\{resolve:ssm:([^:}]+)(:\d+)?\}\}$/;
/**
 * AL2 end of support, from data/aws-facts.json amazonLinuxSsmParameters.al2.endOfSupport
 * (AWS Amazon Linux 2 product page, quoted in docker-library/tomcat#340).
 */
const AL2_END_OF_SUPPORT = '2026-06-30';

/** Where each supported resource type keeps its image, instance type and boot configuration. */
const IMAGE_SITES: Record<string, { base: string[] }> = {
  'AWS::EC2::Instance': { base: [] },
  'AWS::EC2::LaunchTemplate': { base: ['LaunchTemplateData'] },
  'AWS::AutoScaling::LaunchConfiguration': { base: [] },
};

/**
 * Signs that an image is not plain Amazon Linux: another OS, or an image AWS tailors for a service.
 * [pattern, what it looks like, where its image comes from]. A script that also handles yum/dnf
 * (`if command -v yum ...; elif command -v apt-get ...`) is portable and not taken as Debian.
 */
const OTHER_IMAGE_HINTS: Array<[RegExp, string, string]> = [
  [/apt-get|\bapt\s+(?:-y\s+)?(?:install|update|upgrade)|"apt"\s*:|\bdpkg\b/i, 'a Debian/Ubuntu image (apt)', "use that distribution's public SSM parameter (e.g. under /aws/service/canonical/)"],
  [/powershell|<script>|\bmsiexec\b|"msi"\s*:|C:\\\\/i, 'a Windows image', 'use a Windows public SSM parameter (under /aws/service/ami-windows-latest/)'],
  [/\bzypper\b|"zypper"\s*:/i, 'a SUSE image (zypper)', 'use its public SSM parameter (under /aws/service/suse/)'],
  [/ECS_CLUSTER|ecs\.config/, 'an ECS-optimized image (user data configures the ECS agent)', 'use its public SSM parameter (under /aws/service/ecs/optimized-ami/)'],
  [/\/etc\/eks\/bootstrap\.sh|\bnodeadm\b/, 'an EKS-optimized image', 'use its public SSM parameter (under /aws/service/eks/optimized-ami/)'],
];
const PORTABLE_PACKAGE_SCRIPT = /\b(?:yum|dnf)\b/;
const OTHER_OS_NAMES = /ubuntu|debian|windows|rhel|redhat|centos|suse|sles|rocky|alma-?linux|fedora|bottlerocket/i;
const AL2_ONLY = /amazon-linux-extras/;
const PORT_USER_DATA =
  '. Port the user data with this change: it runs amazon-linux-extras, which Amazon Linux 2023 does not have (install those packages with dnf; the AWS CLI v2 is preinstalled)';

export default defineTransform<Options>({
  meta: {
    id: ID,
    title: 'Take the EC2 image from the public Amazon Linux SSM parameter instead of a literal AMI id',
    severity: 'high',
    safety: 'unsafe',
    seeds: ['000#5'],
    equivalents: [],
    defaultOptions: { style: 'parameter', generation: 'al2023' },
    optionsSchema: { type: 'object', additionalProperties: false, properties: { style: { enum: ['parameter', 'resolve'] }, generation: { enum: ['al2023', 'al2'] } } },
    docs: `## Why
An AMI id such as \`ami-0ce2cb35386fc22e9\` exists in one region only: the same template fails in
every other region ("The image id '[ami-...]' does not exist"). It also freezes the image: the
instance boots without every security fix published since the id was copied. AWS publishes the
id of the current Amazon Linux image per region as a public SSM parameter; CloudFormation reads it
at deploy time.

The catalogue's "ideal" (000#5) uses
\`{{resolve:ssm:/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2}}\`: that is Amazon
Linux 2, which reached end of support on ${AL2_END_OF_SUPPORT}. This transform never writes an AL2
path unless asked, and it reports AL2 (and older Amazon Linux AMI) paths already in the template.

## Fix
A literal \`ami-...\` in an \`AWS::EC2::Instance\` \`ImageId\`, an \`AWS::EC2::LaunchTemplate\`
\`LaunchTemplateData.ImageId\` or an \`AWS::AutoScaling::LaunchConfiguration\` \`ImageId\` (or a
\`Fn::FindInMap\` there that reads only AMI ids) becomes \`{"Ref": "LatestAmiId"}\`, with a new
parameter

\`\`\`yaml
LatestAmiId:
  Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>
  Default: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64
\`\`\`

so deployers can point it at another public or private SSM parameter. Graviton instance types
(t4g, m6g, m7gd, c7gn, r8g, im4gn, x2gd, a1, ...) get \`LatestAmiIdArm64\` with the arm64 path;
everything else (including GPU types such as g4dn and g5, and unknown types) gets x86_64. When the
instance type is a parameter, its Default decides (else its AllowedValues, when they agree). A
parameter of the SSM image type whose Default is an Amazon Linux path of the same architecture is
reused instead of adding a new one.

A mapping read through \`Fn::FindInMap\` loses the entries nothing reads any more: the whole mapping
when no other \`Fn::FindInMap\` names it, else just the key (e.g. \`AMI\`) when every remaining
lookup names its keys literally. A mapping still read elsewhere keeps everything it needs.

Amazon Linux 2 and Amazon Linux AMI paths (\`amzn2-ami-...\`, \`amzn-ami-...\`) in a
\`{{resolve:ssm:...}}\` ImageId or in the Default of an SSM image parameter are moved to the
AL2023 path of the same architecture.

Not changed, only reported: an image that is visibly not plain Amazon Linux (user data or
cfn-init using apt without yum/dnf, PowerShell or zypper; an ECS or EKS node; a mapping named after
another OS) — replacing it with Amazon Linux would break it, and the report names where that
image's own public parameter lives; a parameter whose Default is a literal AMI id (the deployer
can override it, but the default works in one region only); an AMI chosen by \`Fn::If\` or
another intrinsic.

User data that runs \`amazon-linux-extras\` (an AL2-only tool; the catalogue's own 000 template
does) still gets the fix, and the finding says to port those lines: the old image is
region-bound and, when it is AL2, out of support, so the user data has to move anyway, and the
fix is unsafe so it is only applied when you review it.

## Fix safety
Unsafe. A new image replaces the instance (and rolls a new launch template version). Amazon Linux
2023 differs from AL2: \`dnf\` replaces \`yum\` (a \`yum\` alias remains), there is no
\`amazon-linux-extras\` and no EPEL; review user data. A parameter of an SSM type is read again on
every stack update (unless the deployer keeps the previous value), so an update after AWS
publishes a new image replaces the instance; to pin the image, point the parameter at an SSM
parameter of your own that you update deliberately, or use the resolve style with a version
(\`{{resolve:ssm:/path:42}}\`). If the literal AMI was not Amazon Linux, point the parameter at
that image's own public parameter.

## Options
- \`style\`: \`"parameter"\` (default) adds the template parameter above; \`"resolve"\` writes the
  dynamic reference \`"{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64}}"\`
  into the property instead (nothing for deployers to override).
- \`generation\`: \`"al2023"\` (default). \`"al2"\` writes Amazon Linux 2 paths and stops reporting
  them; AL2 is past its end of support (${AL2_END_OF_SUPPORT}) and gets no security updates — use
  it only as a stopgap for user data not yet ported.
`,
  },
  check(ctx) {
    const { template, region } = ctx;
    const style = ctx.options.style === 'resolve' ? 'resolve' : 'parameter';
    const generation: AmazonLinuxGeneration = ctx.options.generation === 'al2' ? 'al2' : 'al2023';
    const findings: Finding[] = [];
    const fx = new Fixer(template);
    const parameterFor = new Map<Arch, string>();
    /** Findings fixed by replacing an ImageId, built once every replacement is known (see below). */
    const replaced: Array<{ finding: Finding; pointer: string; value: JsonValue; declare?: { name: string; spec: JsonObject }; read?: { map: string; secondKey: string } }> = [];
    const reportedParameters = new Set<string>();

    /** The value an ImageId of `arch` becomes, and the parameter it needs declared. */
    const target = (arch: Arch): { value: JsonValue; via: string; declare?: { name: string; spec: JsonObject } } => {
      const path = amazonLinuxSsmPath(arch, generation);
      if (style === 'resolve') return { value: `{{resolve:ssm:${path}}}`, via: `{{resolve:ssm:${path}}}` };
      let name = parameterFor.get(arch) ?? reusableParameter(template, arch, path);
      let declare: { name: string; spec: JsonObject } | undefined;
      if (!name) {
        name = freshLogicalId(template, arch === 'arm64' ? 'LatestAmiIdArm64' : 'LatestAmiId', fx.taken);
        const description = `Latest ${generation === 'al2' ? 'Amazon Linux 2' : 'Amazon Linux 2023'} AMI (${arch}) from its public SSM parameter; pass another SSM parameter name to change or pin the image`;
        declare = { name, spec: { Type: SSM_IMAGE_TYPE, Default: path, Description: description } };
      }
      parameterFor.set(arch, name);
      return { value: { Ref: name }, via: `parameter ${name} (${path})`, ...(declare ? { declare } : {}) };
    };

    for (const view of resources(template, ...Object.keys(IMAGE_SITES))) {
      if (skipsTransform(view.resource, ID)) continue;
      const base = IMAGE_SITES[view.type]!.base;
      const data = asObject(property(view, ...base)?.value);
      const found = property(view, ...base, 'ImageId');
      if (!data || !found) continue;
      const { value: image, pointer: at } = found;
      const where = `${view.id} ${[...base, 'ImageId'].join('.')}`;
      const boot = bootText(view.resource, data);

      // {{resolve:ssm:<old Amazon Linux path>}}, directly or as the whole of a Fn::Sub.
      const resolved = resolvePath(image);
      if (resolved) {
        if (generation === 'al2' || !OLD_AMAZON_LINUX_PATH.test(resolved.path)) continue;
        const arch: Arch = /arm64/.test(resolved.path) ? 'arm64' : 'x86_64';
        const next = amazonLinuxSsmPath(arch, generation);
        const message = `${where} resolves ${resolved.path}: ${oldGenerationName(resolved.path)} and gets no security updates; use ${next}`;
        fx.set(at + resolved.at, `{{resolve:ssm:${next}}}`);
        findings.push({ pointer: at, messageId: 'oldGenerationPath', message: message + (AL2_ONLY.test(boot) ? PORT_USER_DATA : ''), fix: fx.take() });
        continue;
      }

      // A parameter: literal AMI defaults are reported once (SSM parameters are checked below).
      const reference = resolve(image);
      if (reference.kind === 'ref') {
        const parameterName = reference.target;
        const fallback = parameter(template, parameterName)?.['Default'];
        if (typeof fallback === 'string' && AMI_ID.test(fallback) && !reportedParameters.has(parameterName)) {
          reportedParameters.add(parameterName);
          findings.push({
            pointer: pointer('Parameters', parameterName, 'Default'),
            messageId: 'amiParameterDefault',
            severity: 'medium',
            message:
              `Parameter ${parameterName} (used by ${where}) defaults to AMI ${fallback}, which exists in one region only and goes stale;` +
              ` consider Type ${SSM_IMAGE_TYPE} with Default ${amazonLinuxSsmPath(instanceArch(template, view, data, region), generation)}`,
          });
        }
        continue;
      }

      let written: string;
      let read: { map: string; secondKey: string } | undefined;
      if (typeof image === 'string' && AMI_ID.test(image)) {
        written = `hard-codes AMI ${image}`;
      } else {
        const lookup = findInMapLookup(image);
        const found = lookup ? mapCandidates(template, lookup, region) : undefined;
        if (!lookup || !found || !found.candidates.every((c) => typeof c.value === 'string' && AMI_ID.test(c.value))) continue;
        read = { map: lookup.map, secondKey: lookup.secondKey };
        const regions = found.candidates.map((c) => c.topKey);
        written =
          `reads hard-coded AMI ids from mapping ${lookup.map} (${lookup.secondKey})` +
          (found.resolved ? '' : `, so it deploys only in ${regions.length === 1 ? regions[0] : `the ${regions.length} regions listed`}`);
        if (OTHER_OS_NAMES.test(lookup.map) || OTHER_OS_NAMES.test(lookup.secondKey)) {
          findings.push({
            pointer: at,
            messageId: 'otherImageMapping',
            message: `${where} ${written}; the mapping's name suggests an image other than Amazon Linux: use that image's public SSM parameter (left unchanged)`,
          });
          continue;
        }
      }
      const why = 'AMI ids are regional (the template fails in every other region) and a fixed image never gets security updates';
      const other = OTHER_IMAGE_HINTS.find(([re], i) => re.test(boot) && !(i === 0 && PORTABLE_PACKAGE_SCRIPT.test(boot)));
      if (other) {
        findings.push({ pointer: at, messageId: 'otherImage', message: `${where} ${written}: ${why}. It looks like ${other[1]}, so it is not replaced with Amazon Linux: ${other[2]} (left unchanged)` });
        continue;
      }
      const arch = instanceArch(template, view, data, region);
      const { value, via, declare } = target(arch);
      const finding: Finding = {
        pointer: at,
        messageId: 'literalAmi',
        message:
          `${where} ${written}: ${why}; use the latest ${generation === 'al2' ? 'Amazon Linux 2 (past end of support)' : 'Amazon Linux 2023'} ${arch} image through ${via}` +
          (generation !== 'al2' && AL2_ONLY.test(boot) ? PORT_USER_DATA : ''),
      };
      findings.push(finding);
      replaced.push({ finding, pointer: at, value, ...(declare ? { declare } : {}), ...(read ? { read } : {}) });
    }

    // The mapping entries no lookup reads once every replacement is made go with the last one.
    const reads = replaced.flatMap((r) => (r.read ? [r.read] : []));
    const unused = reads.length ? unusedMappingEntries(template, replaced.map((r) => r.pointer), reads) : [];
    replaced.forEach((r, i) => {
      if (r.declare) fx.ensureParameter(r.declare.name, r.declare.spec);
      fx.set(r.pointer, r.value);
      if (i === replaced.length - 1) for (const at of unused) fx.remove(at);
      r.finding.fix = fx.take();
    });

    // SSM image parameters that still default to Amazon Linux 2 or the Amazon Linux AMI.
    if (generation !== 'al2') {
      for (const name of Object.keys(asObject(template.Parameters) ?? {})) {
        const declared = parameter(template, name);
        const type = declared?.['Type'];
        const fallback = declared?.['Default'];
        if (typeof type !== 'string' || !type.startsWith('AWS::SSM::Parameter::Value<')) continue;
        if (typeof fallback !== 'string' || !OLD_AMAZON_LINUX_PATH.test(fallback)) continue;
        const arch: Arch = /arm64/.test(fallback) ? 'arm64' : 'x86_64';
        const next = amazonLinuxSsmPath(arch, generation);
        const at = pointer('Parameters', name, 'Default');
        const message = `Parameter ${name} defaults to ${fallback}: ${oldGenerationName(fallback)} and gets no security updates; use ${next}`;
        const users = resources(template).filter(({ resource }) => JSON.stringify(resource).includes(`"Ref":"${name}"`));
        const extras = users.some((user) => AL2_ONLY.test(bootText(user.resource, property(user, 'LaunchTemplateData')?.value ?? user.properties)));
        fx.set(at, next);
        findings.push({ pointer: at, messageId: 'oldGenerationParameter', message: message + (extras ? PORT_USER_DATA : ''), fix: fx.take() });
      }
    }
    return findings;
  },
});

function oldGenerationName(path: string): string {
  return /\/amzn2-ami-/.test(path) ? `Amazon Linux 2 reached end of support on ${AL2_END_OF_SUPPORT}` : 'the Amazon Linux AMI reached end of life on 2023-12-31';
}

/** The SSM path of a `{{resolve:ssm:...}}` ImageId, and the pointer suffix of the string to replace. */
function resolvePath(v: unknown): { path: string; at: string } | undefined {
  if (typeof v === 'string') {
    const m = RESOLVE_SSM.exec(v);
    return m ? { path: m[1]!, at: '' } : undefined;
  }
  const sub = intrinsicName(v) === 'Fn::Sub' ? (v as JsonObject)['Fn::Sub'] : undefined;
  if (typeof sub === 'string') {
    const m = RESOLVE_SSM.exec(sub);
    return m ? { path: m[1]!, at: '/Fn::Sub' } : undefined;
  }
  return undefined;
}

/** User data and cfn-init metadata as text, to look for signs of the operating system. */
function bootText(resource: Resource, data: unknown): string {
  const userData = asObject(data)?.['UserData'];
  return JSON.stringify(userData ?? '') + JSON.stringify(resource.Metadata ?? '');
}

/** The architecture the resource's instance type implies; x86_64 when unknown. */
function instanceArch(t: Template, view: ResourceView, data: JsonObject, region: string | undefined): Arch {
  let type: unknown = data['InstanceType'];
  if (type === undefined && view.type === 'AWS::EC2::Instance') {
    // An instance launched from a launch template in this template takes its type from there.
    const [launchTemplate] = launchTemplatesOfGroup(t, view.resource);
    const ltView = launchTemplate === undefined ? undefined : resourceView(t, launchTemplate);
    if (ltView) type = property(ltView, 'LaunchTemplateData', 'InstanceType')?.value;
  }
  return archOfInstanceTypeValue(t, type, region) ?? 'x86_64';
}

type Arch = 'x86_64' | 'arm64';

/**
 * The CPU architecture of an EC2 instance type name, or undefined when it is not one.
 * Graviton families carry a `g` right after the generation digit (t4g, m6g, m7gd, c7gn, r8g,
 * im4gn, is4gen, x2gd, hpc7g, g5g); `a1` is the first-generation Graviton. GPU families whose
 * name starts with g (g4dn, g5, g6) are x86_64: there the g is the family, not a suffix.
 */
function archOfInstanceType(name: string): Arch | undefined {
  const m = /^([a-z]+)(\d+)([a-z-]*)\.[a-z0-9-]+$/.exec(name.trim().toLowerCase());
  if (!m) return undefined;
  const [, family, generation, suffix] = m;
  if (family === 'a' && generation === '1') return 'arm64';
  return suffix!.startsWith('g') ? 'arm64' : 'x86_64';
}

/**
 * The architecture an instance-type property value implies: a literal; a Ref to a parameter
 * (its Default, else its AllowedValues when they agree); the values of a Fn::FindInMap or of both
 * branches of a Fn::If when they agree. Undefined when unknown or mixed.
 */
function archOfInstanceTypeValue(t: Template, v: unknown, region: string | undefined): Arch | undefined {
  const agree = (values: unknown[]): Arch | undefined => {
    const archs = new Set(values.map((x) => archOfInstanceTypeValue(t, x, region)));
    return archs.size === 1 ? [...archs][0] : undefined;
  };
  if (typeof v === 'string') return archOfInstanceType(v);
  const reference = resolve(v);
  if (reference.kind === 'ref') {
    const declared = parameter(t, reference.target);
    if (!declared) return undefined;
    const allowed = declared['AllowedValues'];
    if (typeof declared['Default'] === 'string') return archOfInstanceType(declared['Default']);
    return Array.isArray(allowed) && allowed.length ? agree(allowed) : undefined;
  }
  const lookup = findInMapLookup(v);
  if (lookup) {
    const found = mapCandidates(t, lookup, region);
    return found ? agree(found.candidates.map((c) => c.value)) : undefined;
  }
  const branches = intrinsicName(v) === 'Fn::If' ? (v as JsonObject)['Fn::If'] : undefined;
  if (Array.isArray(branches) && branches.length === 3) return agree([branches[1], branches[2]]);
  return undefined;
}

/** An existing SSM image parameter defaulting to an Amazon Linux path of `arch` (the exact path first). */
function reusableParameter(t: Template, arch: Arch, path: string): string | undefined {
  const candidates = Object.keys(asObject(t.Parameters) ?? {}).filter((name) => {
    const declared = parameter(t, name);
    const fallback = declared?.['Default'];
    return declared?.['Type'] === SSM_IMAGE_TYPE && typeof fallback === 'string' && AMAZON_LINUX_PATH.test(fallback) && (arch === 'arm64') === /arm64/.test(fallback);
  });
  return candidates.find((name) => parameter(t, name)?.['Default'] === path) ?? candidates[0];
}
