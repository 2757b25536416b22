// The library: the same engine the CLI uses, for bots and editor extensions.
import { fixText, type FileResult, type FixSettings } from './engine/fix.js';
import { loadTransforms } from './engine/registry.js';
import { selectTransforms, type TapfixConfig } from './engine/select.js';
import type { Transform, TransformMeta } from './types.js';

export type { FileResult, ReportedFinding, FileProblem, SuppressedFix } from './engine/fix.js';
export type { TapfixConfig } from './engine/select.js';
export type * from './types.js';
export { defineTransform } from './transform.js';
export { fixText } from './engine/fix.js';
export { applyOperations } from './engine/patch.js';

export interface FixTemplateOptions {
  /** Used to pick JSON or YAML and for messages; nothing is read from it. */
  filePath?: string;
  format?: 'json' | 'yaml';
  region?: string;
  only?: string[];
  skip?: string[];
  enable?: string[];
  unsafe?: boolean;
  allowJsonc?: boolean;
  /** false: fix resources even when they suppress an equivalent cfn-lint, cfn_nag or checkov check. */
  foreignSuppressions?: boolean;
  /** Same shape as tapfix.config.json. */
  config?: TapfixConfig;
}

/** Fixes one template's text. Resolves with the findings, the operations and the new text. */
export async function fixTemplate(text: string, options: FixTemplateOptions = {}): Promise<FileResult> {
  const config = options.config ?? {};
  const { transforms, settings } = selectTransforms(await loadTransforms(), config, options);
  const settingsIn: FixSettings = {
    transforms,
    settings,
    unsafe: options.unsafe ?? !!config.unsafe,
    region: options.region ?? config.region,
    filePath: options.filePath,
    format: options.format,
    allowJsonc: options.allowJsonc ?? !!config.allowJsonc,
    foreignSuppressions: options.foreignSuppressions ?? config.foreignSuppressions !== false,
  };
  return fixText(text, settingsIn);
}

/** Every transform's metadata, in pipeline order. */
export async function listTransforms(): Promise<TransformMeta[]> {
  return (await loadTransforms()).map((t: Transform) => t.meta);
}
