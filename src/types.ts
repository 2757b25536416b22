// Shared contracts between the engine, the transforms and the CLI.
// Transforms see templates only through these types; they never do I/O.

/** A JSON value as parsed from a template (YAML short-form tags are already long form). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** RFC 6902 operation. `path`/`from` are JSON pointers into the template. */
export type Operation =
  | { op: 'add'; path: string; value: JsonValue }
  | { op: 'replace'; path: string; value: JsonValue }
  | { op: 'remove'; path: string }
  | { op: 'move'; from: string; path: string }
  | { op: 'copy'; from: string; path: string }
  | { op: 'test'; path: string; value: JsonValue };

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export type Safety = 'safe' | 'unsafe';

/** The CloudFormation template as transforms see it: deeply frozen. */
export interface Template {
  readonly AWSTemplateFormatVersion?: string;
  readonly Description?: string;
  readonly Metadata?: Readonly<JsonObject>;
  readonly Parameters?: Readonly<Record<string, Readonly<JsonObject>>>;
  readonly Mappings?: Readonly<JsonObject>;
  readonly Conditions?: Readonly<JsonObject>;
  readonly Transform?: JsonValue;
  readonly Resources: Readonly<Record<string, Readonly<Resource>>>;
  readonly Outputs?: Readonly<JsonObject>;
  readonly [key: string]: unknown;
}

export interface Resource {
  readonly Type: string;
  readonly Properties?: Readonly<JsonObject>;
  readonly DependsOn?: string | readonly string[];
  readonly DeletionPolicy?: JsonValue;
  readonly UpdateReplacePolicy?: JsonValue;
  readonly Condition?: string;
  readonly Metadata?: Readonly<JsonObject>;
  readonly [key: string]: unknown;
}

export interface Fix {
  /** Operations against the template the transform was given. */
  ops: Operation[];
  /** Overrides the transform's declared safety for this one fix (e.g. replacement-forcing). */
  safety?: Safety;
}

export interface Finding {
  /** JSON pointer of the offending node (the CLI maps it to line:col). */
  pointer: string;
  message: string;
  /**
   * Stable name of the kind of finding within its transform (camelCase, e.g. 'noBucketKey'), so
   * tests and tools tell findings apart without matching message text.
   */
  messageId?: string;
  /** Defaults to the transform's severity. */
  severity?: Severity;
  fix?: Fix;
}

export interface TransformMeta {
  /** = file name in transforms/ = golden folder = --only value = docs/rules/<id>.md */
  id: string;
  title: string;
  severity: Severity;
  safety: Safety;
  /** Where the failure is described in the catalogue, e.g. '000#4'. */
  seeds: string[];
  /** Markdown with the sections Why / Fix / Fix safety / Options. */
  docs: string;
  defaultOptions: Record<string, unknown>;
  /**
   * JSON Schema (draft 7, checked by ajv in strict mode) of the options object: tapfix.config.json
   * entries are validated against it, so an unknown option or a wrong type is an error with the
   * config file's line. `additionalProperties: false` is required.
   */
  optionsSchema?: Readonly<Record<string, unknown>>;
  /** Off unless named with --enable or turned on in the config. Default true. */
  enabledByDefault?: boolean;
  /** Lower runs earlier in a pass; ties break on id. Default 100. */
  order?: number;
  /**
   * The checks of other tools that flag the defect this transform fixes. A resource that
   * suppresses one of them with that tool's own Metadata is skipped (src/engine/suppressions.ts);
   * the docs, --list and SARIF show them. Every transform in transforms/ declares the list, empty
   * when no tool has such a check.
   */
  equivalents?: EquivalentCheck[];
}

/**
 * Checkers teams run next to tapfix. cfn-lint, cfn_nag and checkov can be told in the template to
 * ignore a check for a resource; AWS Control Tower proactive controls (CloudFormation hooks) cannot,
 * so their ids are only shown.
 */
export type ForeignTool = 'cfn-lint' | 'cfn_nag' | 'checkov' | 'control-tower';

/** A check of another tool that flags the same defect a transform fixes. */
export interface EquivalentCheck {
  tool: ForeignTool;
  /** The id as the tool spells it: 'W3010' (cfn-lint), 'W35' (cfn_nag), 'CKV_AWS_18' (checkov), 'CT.S3.PR.2'. */
  id: string;
  /** https URL of the check's source or documentation, for the rule docs. */
  source: string;
  /** How the check's scope differs from the transform's, when it does. */
  note?: string;
  /**
   * The transform reports what the check flags but never fixes it: a design decision the author
   * makes (an opt-in report, see docs/controls.md). Tests hold fixing equivalents to the check;
   * these only to reporting it.
   */
  reportOnly?: boolean;
}

export interface RegionFacts {
  region: string;
  name: string;
  partition: 'aws' | 'aws-cn' | 'aws-us-gov';
  elbAccountId: string | null;
  elbLogDeliveryServicePrincipal: boolean;
  availabilityZones: string[];
}

export interface TransformContext<Options = Record<string, unknown>> {
  readonly template: Template;
  readonly options: Readonly<Options>;
  /** Region the template targets, when known (flag, template, or a region file beside it). */
  readonly region: string | undefined;
  /** Path of the file being fixed, for messages and naming only; transforms never read it. */
  readonly filePath: string | undefined;
  /**
   * The project the file belongs to, as its repository names it (the nearest package.json
   * `name`, else the git remote's repository name); found by the CLI, undefined when unknown.
   */
  readonly project: string | undefined;
  readonly format: 'json' | 'yaml';
}

export interface Transform<Options = Record<string, unknown>> {
  meta: TransformMeta;
  check(ctx: TransformContext<Options>): Finding[];
}
