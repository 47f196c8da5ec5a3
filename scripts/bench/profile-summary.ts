/**
 * Reading a V8 .cpuprofile (what `node --cpu-prof` and the inspector's Profiler write): self
 * time per function and per area of the code, so a profile can be named in BENCHMARKS.md
 * without opening DevTools (profile-checkout.ts prints it).
 */

interface CallFrame {
  functionName: string;
  url: string;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
}

export interface SelfTimes {
  /** Samples counted (those under `exclude` left out). */
  total: number;
  excluded: number;
  /** "  12.3%  name  file:line", highest first. */
  byFunction: string[];
  byArea: string[];
}

/** Where a frame's code lives: the project folder two levels deep, or node's own module. */
function areaOf(url: string): string {
  const project = /\/(shared|checkout|scripts|harness)\/([^/]+)\//.exec(url);
  if (project) return `${project[1]}/${project[2]}`;
  const own = /^node:internal\/([^/]+)/.exec(url);
  if (own) return `node:${own[1]}`;
  if (url.includes('/node_modules/')) return url.replace(/^.*\/node_modules\/((@[^/]+\/)?[^/]+).*$/, '$1');
  return url || 'native';
}

const fnName = (f: CallFrame) => f.functionName || '(anonymous)';
const short = (url: string) => url.replace(/^.*\/(shared|checkout|scripts|harness|node_modules)\//, '$1/');

function table(counts: Map<string, number>, total: number): string[] {
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(6)}%  ${k}`);
}

/**
 * Self time per function and per area. A native frame (no url: a binding such as a SQLite
 * statement's run, or V8's builtins) is charged to the area of the JavaScript that called it.
 * Samples with a frame from a url ending in `exclude` on their stack are left out.
 */
export function selfTimes(profile: CpuProfile, exclude: string): SelfTimes {
  const parent = new Map<number, ProfileNode>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  let excluded = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (hits === 0 || n.callFrame.functionName === '(idle)') continue;
    let caller: ProfileNode | undefined = n;
    let js: CallFrame | undefined;
    let skip = false;
    for (; caller; caller = parent.get(caller.id)) {
      if (caller.callFrame.url.endsWith(exclude)) skip = true;
      if (!js && caller.callFrame.url) js = caller.callFrame;
    }
    if (skip) {
      excluded += hits;
      continue;
    }
    const f = n.callFrame;
    // Under tsx every line number is the compiled file's, so functions are named by file alone.
    const native = !f.url && !f.functionName.startsWith('(');
    const name = f.url
      ? `${fnName(f)}  ${short(f.url)}`
      : native && js
        ? `${f.functionName} (native) ← ${fnName(js)}  ${short(js.url)}`
        : f.functionName;
    const where = f.url ? areaOf(f.url) : native && js ? `native in ${areaOf(js.url)}` : f.functionName;
    fns.set(name, (fns.get(name) ?? 0) + hits);
    areas.set(where, (areas.get(where) ?? 0) + hits);
    total += hits;
  }
  return { total, excluded, byFunction: table(fns, total), byArea: table(areas, total) };
}
