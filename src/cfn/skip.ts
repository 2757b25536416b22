// The per-resource opt-out: `Metadata: {tapfix: {skip: [transformId | 'all']}}`, or a single id as
// a plain string (`skip: all`). The engine drops the findings of a resource that skips a
// transform; transforms that also create shared resources (a key, a log bucket, an alarm topic)
// ask here too, so they create nothing for resources that will not use it.
import type { Resource } from '../types.js';
import { asObject } from './values.js';

/** One entry of a skip list: the transform id (or 'all') and its index (undefined: a plain string). */
export interface SkipEntry {
  id: string;
  index: number | undefined;
}

/** The entries of `Metadata.tapfix.skip` in a Metadata object: a list of ids or one id as a string. */
export function skipEntries(metadata: unknown): SkipEntry[] {
  const skip = asObject(asObject(metadata)?.['tapfix'])?.['skip'];
  if (typeof skip === 'string') return skip ? [{ id: skip, index: undefined }] : [];
  if (!Array.isArray(skip)) return [];
  return skip.flatMap((s, index) => (typeof s === 'string' && s ? [{ id: s, index }] : []));
}

/** True when the resource opts out of transform `transformId` (or of all) in its Metadata. */
export function skipsTransform(resource: Pick<Resource, 'Metadata'> | undefined, transformId: string): boolean {
  return skipEntries(resource?.Metadata).some((s) => s.id === transformId || s.id === 'all');
}
