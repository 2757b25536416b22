// Which transforms run, with which options: defaults, then the config file, then the flags.
import type { Transform } from '../types.js';
import type { TransformSettings } from './fix.js';

/** `tapfix.config.json` (JSONC). Every field is optional. */
export interface TapfixConfig {
  /** Apply unsafe fixes (same as --unsafe). */
  unsafe?: boolean;
  region?: string;
  allowJsonc?: boolean;
  /** false: do not skip resources that suppress an equivalent cfn-lint, cfn_nag or checkov check (same as --no-foreign-suppressions). */
  foreignSuppressions?: boolean;
  /** Per transform: "off", "on", or { enabled?, options? }. */
  transforms?: Record<string, 'off' | 'on' | boolean | { enabled?: boolean; options?: Record<string, unknown> }>;
}

export interface Selection {
  only?: readonly string[] | undefined;
  skip?: readonly string[] | undefined;
  enable?: readonly string[] | undefined;
}

export class SelectionError extends Error {}

export function selectTransforms(
  all: readonly Transform[],
  config: TapfixConfig,
  selection: Selection,
): { transforms: Transform[]; settings: Record<string, TransformSettings> } {
  const known = new Set(all.map((t) => t.meta.id));
  const unknown = [...(selection.only ?? []), ...(selection.skip ?? []), ...(selection.enable ?? []), ...Object.keys(config.transforms ?? {})].filter(
    (id) => !known.has(id),
  );
  if (unknown.length) throw new SelectionError(`unknown transform id(s): ${[...new Set(unknown)].join(', ')} (see tapfix --list)`);

  const settings: Record<string, TransformSettings> = {};
  const transforms = all.filter((t) => {
    const id = t.meta.id;
    const entry = config.transforms?.[id];
    let enabled = t.meta.enabledByDefault !== false;
    if (entry === 'off' || entry === false) enabled = false;
    else if (entry === 'on' || entry === true) enabled = true;
    else if (entry && typeof entry === 'object') {
      if (entry.enabled !== undefined) enabled = entry.enabled;
      else if (t.meta.enabledByDefault === false && entry.options) enabled = true;
      if (entry.options) settings[id] = { options: entry.options };
    }
    if (selection.enable?.includes(id)) enabled = true;
    // --only names exactly what runs, off-by-default transforms included.
    if (selection.only?.length) enabled = selection.only.includes(id);
    if (selection.skip?.includes(id)) enabled = false;
    return enabled;
  });
  return { transforms, settings };
}
