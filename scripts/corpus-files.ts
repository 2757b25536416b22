// The corpus layout the check scripts share: <task>/model|ideal.json|yaml, a `region` file beside.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every model/ideal template below `dir`, in path order. */
export function corpusTemplates(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...corpusTemplates(full));
    else if (/^(model|ideal)\.(json|ya?ml)$/.test(entry)) out.push(full);
  }
  return out;
}

/** The region a task's `region` file names, when there is one. */
export function readRegionFile(dir: string): string | undefined {
  try {
    return readFileSync(join(dir, 'region'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
