/**
 * What isolation this host can give execution environments, found once at start-up by looking
 * for the tools and by starting one real probe environment, so the start-up log states exactly
 * which protections are on and which are off, and why. Lambda's own isolation model, for
 * comparison: https://docs.aws.amazon.com/whitepapers/latest/security-overview-aws-lambda/lambda-isolation-technologies.html
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive, discoverCgroups, type CgroupLayout, type Controller } from './cgroups.js';
import type { Tools } from './script.js';

export interface SandboxCapabilities {
  /** 'root': namespaces, cgroups and a dedicated uid; 'userns': namespaces inside a user namespace; 'plain': a bare child process. */
  mode: 'root' | 'userns' | 'plain';
  namespaces: { mount: boolean; pid: boolean; user: boolean; net: false };
  cgroups: 'v1' | 'v2' | false;
  /** The limits the cgroups enforce. */
  controllers: Controller[];
  dropUid: boolean;
  /** The uid/gid functions run as (when dropUid). */
  uid?: number;
  gid?: number;
  /** Every protection that is off, and why: one line each, for the start-up log. */
  warnings: string[];
}

export interface DetectOptions {
  /** Turn protections off (an operator's choice, or tests). */
  disable?: ('namespaces' | 'cgroups' | 'dropUid')[];
  /** A bare spawn, as on a host that is not Linux. */
  plain?: boolean;
}

/** What spawnSandbox needs beyond the public capabilities. */
export interface Internals {
  tools?: Tools;
  cgroups?: CgroupLayout;
}
const internals = new WeakMap<SandboxCapabilities, Internals>();
export const internalsOf = (caps: SandboxCapabilities): Internals => internals.get(caps) ?? {};

export const FUNCTION_USER = 'stratus-fn';
const TOOL_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];

function findTool(name: string): string | undefined {
  for (const dir of TOOL_DIRS) {
    try {
      accessSync(`${dir}/${name}`, constants.X_OK);
      return `${dir}/${name}`;
    } catch {
      // next
    }
  }
  return undefined;
}

function passwdEntry(name: string): { uid: number; gid: number } | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === name && f.length >= 4) return { uid: Number(f[2]), gid: Number(f[3]) };
    }
  } catch {
    // no passwd file
  }
  return undefined;
}

/** The dedicated system user functions run as: created when missing, else nobody. */
function functionUser(warnings: string[]): { uid: number; gid: number } | undefined {
  let user = passwdEntry(FUNCTION_USER);
  if (!user) {
    const useradd = findTool('useradd');
    if (useradd) {
      spawnSync(useradd, ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', '--user-group', FUNCTION_USER], { stdio: 'ignore' });
      user = passwdEntry(FUNCTION_USER);
    }
  }
  if (user) return user;
  const nobody = passwdEntry('nobody') ?? { uid: 65534, gid: 65534 };
  warnings.push(`uid: could not create the system user ${FUNCTION_USER}; functions run as nobody (${nobody.uid}), which other services on this host may share`);
  return nobody;
}

const PLAIN_WARNINGS = [
  'mount namespace off: /var/task is the task directory itself (writable by the function), /tmp is the host /tmp (shared, no size limit), and hidden paths (the Stratus data directory, other functions) are readable',
  'pid namespace off: a function sees every process on the host and can signal those of its uid, including Stratus',
];
const cgroupOff = (why: string) => `cgroups off (${why}): no memory limit (Max Memory Used is estimated from /proc and the OOM kill is not detected), no pids limit (a fork bomb reaches the host), no CPU weighting`;
const uidOff = (why: string) => `uid drop off (${why}): functions run with Stratus's own uid and can read or change whatever it can`;

const cache = new Map<string, Promise<SandboxCapabilities>>();

/** Detects (once per distinct options) and caches the host's sandboxing capabilities. */
export function detectCapabilities(opts: DetectOptions = {}): Promise<SandboxCapabilities> {
  const key = JSON.stringify({ d: [...(opts.disable ?? [])].sort(), p: !!opts.plain });
  let hit = cache.get(key);
  if (!hit) {
    hit = detect(opts);
    cache.set(key, hit);
  }
  return hit;
}

/** Probes a candidate by starting one real environment; injected to avoid an import cycle. */
export type Prober = (caps: SandboxCapabilities) => Promise<string | undefined>;
let prober: Prober | undefined;
export const setProber = (p: Prober) => {
  prober = p;
};

function make(caps: SandboxCapabilities, extra: Internals): SandboxCapabilities {
  internals.set(caps, extra);
  return caps;
}

function plain(warnings: string[], why: string, tools?: Tools): SandboxCapabilities {
  return make(
    {
      mode: 'plain',
      namespaces: { mount: false, pid: false, user: false, net: false },
      cgroups: false,
      controllers: [],
      dropUid: false,
      warnings: [...warnings, ...PLAIN_WARNINGS.map((w) => `${w} (${why})`), cgroupOff(why), uidOff(why)],
    },
    { tools },
  );
}

type Feature = 'namespaces' | 'cgroups' | 'dropUid';
const FEATURE_NAMES: Record<Feature, string> = { namespaces: 'namespaces', cgroups: 'cgroups', dropUid: 'uid drop' };

/** Tries the strongest isolation first and steps down while the probe environment fails. */
async function detect(opts: DetectOptions): Promise<SandboxCapabilities> {
  if (opts.plain) return plain([], 'sandboxing disabled');
  if (process.platform !== 'linux') return plain([], `${process.platform} is not Linux`);
  const found = { sh: findTool('sh'), unshare: findTool('unshare'), setpriv: findTool('setpriv'), mount: findTool('mount') };
  const missing = Object.entries(found).filter(([, v]) => !v).map(([k]) => k);
  if (missing.length) return plain([], `${missing.join(', ')} not found: install util-linux`);
  sweepSetupFiles();
  const failures: string[] = [];
  const tried = new Set<string>();
  const steps: Feature[][] = [[], ['cgroups'], ['namespaces'], ['namespaces', 'cgroups']];
  for (const step of steps) {
    const off = new Map<Feature, string>((opts.disable ?? []).map((f) => [f, `${FEATURE_NAMES[f]} disabled`]));
    for (const f of step) if (!off.has(f)) off.set(f, 'its probe failed');
    const key = [...off.keys()].sort().join();
    if (tried.has(key)) continue;
    tried.add(key);
    const caps = candidate(found as Tools, off);
    const failure = await prober?.(caps);
    if (!failure) return failures.length ? make({ ...caps, warnings: [...failures, ...caps.warnings] }, internalsOf(caps)) : caps;
    failures.push(`sandbox probe failed${step.length ? ` without ${step.map((f) => FEATURE_NAMES[f]).join(' and ')}` : ''}: ${failure}`);
  }
  return plain(failures, 'every probe environment failed');
}

function candidate(tools: Tools, off: Map<Feature, string>): SandboxCapabilities {
  const warnings: string[] = [];
  const root = process.getuid?.() === 0;
  const notRoot = `Stratus is not root (uid ${process.getuid?.()})`;

  let ns: 'root' | 'userns' | false = false;
  if (off.has('namespaces')) warnings.push(...PLAIN_WARNINGS.map((w) => `${w} (${off.get('namespaces')})`));
  else if (root) {
    // The mount points must exist on the host before a namespace can bind the task dir on them.
    mkdirSync('/var/task', { recursive: true });
    mkdirSync('/var/runtime', { recursive: true });
    mkdirSync('/opt', { recursive: true });
    ns = 'root';
  } else if (isDir('/var/task') && isDir('/opt')) {
    ns = 'userns';
    warnings.push('user namespace: functions run as root of their own user namespace with every capability dropped, not as a dedicated uid');
  } else warnings.push(...PLAIN_WARNINGS.map((w) => `${w} (${notRoot} and /var/task does not exist: create it as root to isolate functions in a user namespace)`));

  let layout: CgroupLayout | undefined;
  if (off.has('cgroups')) warnings.push(cgroupOff(off.get('cgroups')!));
  else if (!root) warnings.push(cgroupOff(notRoot));
  else {
    const found = discoverCgroups();
    layout = found.layout;
    warnings.push(...found.warnings.map((w) => (layout ? w : cgroupOff(w))));
  }

  let user: { uid: number; gid: number } | undefined;
  if (off.has('dropUid')) warnings.push(uidOff(off.get('dropUid')!));
  else if (!root) warnings.push(uidOff(notRoot));
  else user = functionUser(warnings);

  return make(
    {
      mode: ns === 'root' ? 'root' : ns === 'userns' ? 'userns' : 'plain',
      namespaces: { mount: !!ns, pid: !!ns, user: ns === 'userns', net: false },
      cgroups: layout?.version ?? false,
      controllers: layout ? (Object.keys(layout.parents) as Controller[]) : [],
      dropUid: !!user,
      uid: user?.uid,
      gid: user?.gid,
      warnings,
    },
    { tools, cgroups: layout },
  );
}

/** Setup files (spawnSandbox's fstabs) of Stratus processes that died mid-spawn. */
function sweepSetupFiles(): void {
  try {
    for (const name of readdirSync(tmpdir())) {
      const owner = Number(/^stratus-sandbox-(\d+)-.*\.fstab$/.exec(name)?.[1]);
      if (owner && !alive(owner)) rmSync(join(tmpdir(), name), { force: true });
    }
  } catch {
    // Not ours to remove (another user's), or tmpdir unreadable: harmless.
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
