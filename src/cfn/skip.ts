// The per-resource opt-out: `Metadata: {tapfix: {skip: [transformId | 'all']}}`. The engine drops
// the findings of a resource that skips a transform; transforms that also create shared resources
// (a key, a log bucket, an alarm topic) ask here too, so they create nothing for resources that
// will not use it.
import type { Resource } from '../types.js';
import { asObject } from './values.js';

/** True when the resource opts out of transform `transformId` (or of all) in its Metadata. */
export function skipsTransform(resource: Pick<Resource, 'Metadata'> | undefined, transformId: string): boolean {
  const skip = asObject(asObject(resource?.Metadata)?.['tapfix'])?.['skip'];
  return Array.isArray(skip) && skip.some((s) => s === transformId || s === 'all');
}
