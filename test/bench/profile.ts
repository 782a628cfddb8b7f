// Reads a V8 CPU profile (`node --cpu-prof`) and ranks functions by self time: the time samples
// spent in the function's own code, not in what it called. Functions are grouped by name and
// location; V8's pseudo-frames ((garbage collector), (program), (idle)) are kept, since GC time is
// part of the story.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  /** `name (file:line)`; the file is the compiled .js under dist/ (lines are 1-based). */
  readonly function: string;
  readonly selfMs: number;
  readonly percent: number;
}

export function topSelfTime(
  profilePath: string,
  root: string,
  top: number,
): { totalMs: number; rows: SelfTime[] } {
  const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as CpuProfile;
  const labelOf = new Map<number, string>();
  for (const n of profile.nodes) labelOf.set(n.id, describe(n, root));
  // timeDeltas[i] is the time since the previous sample: it belongs to the frame sampled at i - 1.
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    if (dt <= 0) continue;
    const label = labelOf.get(profile.samples[i]!)!;
    selfUs.set(label, (selfUs.get(label) ?? 0) + dt);
    totalUs += dt;
  }
  const rows = [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, us]) => ({
      function: fn,
      selfMs: us / 1000,
      percent: totalUs > 0 ? (100 * us) / totalUs : 0,
    }));
  return { totalMs: totalUs / 1000, rows };
}

function describe(n: ProfileNode, root: string): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const name = functionName || '(anonymous)';
  if (url === '') return name;
  let file = url;
  if (url.startsWith('file://')) {
    try {
      file = relative(root, fileURLToPath(url));
    } catch {
      file = url;
    }
  }
  return `${name} (${file}:${lineNumber + 1})`;
}
