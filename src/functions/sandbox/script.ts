/**
 * The shell steps that build an execution environment, generated as text so each spawn costs a
 * handful of exec()s of stock util-linux tools and no compiled helper:
 *   setpriv --pdeathsig KILL → unshare (mount+pid ns) → sh (pid 1: joins the cgroup, mounts from
 *   one fstab, reaps orphans, forwards SIGTERM) → setpriv (drops to the function uid) → sh → runtime.
 * The root steps never see the function's environment: LD_PRELOAD and friends in it must not reach
 * a process running as root. The environment travels over fd 3 (a socket) to the unprivileged
 * shell, which exports it and execs the runtime; that shell also reports readiness on fd 3.
 * Lambda's file system layout: https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
 */

export interface Tools {
  sh: string;
  unshare: string;
  setpriv: string;
  mount: string;
}

export interface LaunchPlan {
  tools: Tools;
  /** 'root': mount+pid namespaces; 'user': the same inside a user namespace (Stratus not root); false: none. */
  namespaces: 'root' | 'user' | false;
  /** The cgroup files (see EnvCgroup.procsFiles) the environment joins before anything else runs. */
  cgroupProcs: string[];
  /** The fstab that `mount -a` applies inside the mount namespace. */
  fstabPath?: string;
  /** The function's uid/gid (root mode only). */
  drop?: { uid: number; gid: number };
}

/** Written by the unprivileged shell just before it execs the runtime. */
export const READY_TOKEN = '\nstratus-sandbox-ready\n';

/** POSIX single quoting: everything literal, a quote is closed, escaped and reopened. */
export const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** fstab fields separate on whitespace; libmount decodes these octal escapes. */
export const fstabEscape = (s: string) => s.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The argv Stratus spawns (as root, with a minimal environment). */
export function hostArgv(plan: LaunchPlan): string[] {
  // pdeathsig: if Stratus dies, unshare dies, and --kill-child takes the whole namespace with it.
  const argv = [plan.tools.setpriv, '--pdeathsig', 'KILL', '--'];
  if (plan.namespaces) {
    argv.push(plan.tools.unshare);
    if (plan.namespaces === 'user') argv.push('--user', '--map-root-user');
    argv.push('--mount', '--pid', '--fork', '--kill-child', '--mount-proc', '--propagation', 'private', '--');
  }
  argv.push(plan.tools.sh, '-s');
  return argv;
}

/** The flags of the setpriv that turns the setup shell into the function's process. */
function dropArgs(plan: LaunchPlan): string[] {
  const common = ['--no-new-privs', '--inh-caps=-all', '--bounding-set=-all'];
  if (plan.drop) return [`--reuid=${plan.drop.uid}`, `--regid=${plan.drop.gid}`, '--clear-groups', ...common];
  // In a user namespace the setup runs as the namespace's root: a function keeping those
  // capabilities could unmount a masked path, so exec must not grant root its capabilities.
  if (plan.namespaces === 'user') return [...common, '--ambient-caps=-all', '--securebits=+noroot,+noroot_locked,+no_setuid_fixup,+no_setuid_fixup_locked'];
  // Neither root nor a namespace: there is nothing to drop, and dropping the bounding set needs CAP_SETPCAP.
  return process.getuid?.() === 0 ? common : ['--no-new-privs'];
}

/** The root shell's script (its stdin). */
export function rootScript(plan: LaunchPlan): string {
  const lines = [
    'set -e',
    // Setup errors go to the control socket so spawnSandbox can report them; fd 4 keeps stderr.
    'exec 4>&2 2>&3',
    ...plan.cgroupProcs.map((f) => `echo 0 > ${shq(f)}`),
    // Under host-wide memory pressure the kernel should pick a function before Stratus.
    'echo 500 > /proc/self/oom_score_adj || :',
  ];
  const inner = [shq(plan.tools.setpriv), ...dropArgs(plan), '--', shq(plan.tools.sh), '-s', '<&3', '3>&-'].join(' ');
  if (!plan.namespaces) {
    lines.push('exec 2>&4 4>&-', `exec ${inner}`);
    return lines.join('\n') + '\n';
  }
  lines.push(
    `${shq(plan.tools.mount)} -n -a -T ${shq(plan.fstabPath!)}`,
    'cd /var/task',
    'exec 2>&4 4>&-',
    // As pid 1 this shell only receives signals it traps; it hands SIGTERM on to the runtime
    // (Lambda's shutdown), and its `wait` reaps orphans that would otherwise fill pids.max.
    `trap 'kill -TERM "$c" 2>/dev/null || :' TERM INT HUP`,
    `${inner} &`,
    'c=$!',
    'exec 3>&-',
    'set +e',
    'while :; do wait "$c"; s=$?; kill -0 "$c" 2>/dev/null || exit "$s"; done',
  );
  return lines.join('\n') + '\n';
}

/** The unprivileged shell's script (fd 3): the exact environment, a readiness report, the runtime. */
export function fnScript(command: string, args: string[], env: Record<string, string>): string {
  const lines = ['unset PATH PWD OLDPWD'];
  for (const [k, v] of Object.entries(env)) {
    if (!ENV_NAME.test(k)) throw new TypeError(`invalid environment variable name: ${JSON.stringify(k)}`);
    if (v.includes('\0')) throw new TypeError(`environment variable ${k} contains a NUL byte`);
    lines.push(`export ${k}=${shq(v)}`);
  }
  lines.push(`printf '%s' ${shq(READY_TOKEN)} >&0`, `exec ${[command, ...args].map(shq).join(' ')} 0</dev/null`);
  return lines.join('\n') + '\n';
}

export interface MountPlan {
  taskDir: string;
  optDir?: string;
  /** Shown read-only at its own path, even under the private /tmp (staged through /var/runtime). */
  runtimeRoot?: string;
  tmpSizeMb: number;
  shmSizeMb?: number;
  /** Existing host paths to mask, with whether each is a directory. */
  hide: { path: string; dir: boolean }[];
  /** An empty file nobody may read (mode 000), bound over hidden files so reading them fails. */
  maskFile?: string;
  /** Writable host mounts to make read-only, with their current per-mount flags (mountinfo). */
  readOnly: { path: string; flags: string[] }[];
}

/** Per-mount flags kept on a read-only remount: a user namespace may not clear locked ones (atime, noexec). */
const KEPT_FLAGS = new Set(['noexec', 'nosuid', 'nodev', 'noatime', 'nodiratime', 'relatime', 'strictatime', 'lazytime']);

function remountRow(path: string, flags: string[]): string {
  const opts = new Set(['remount', 'bind', 'ro', 'nosuid', 'nodev', ...flags.filter((f) => KEPT_FLAGS.has(f))]);
  return `stratus-ro ${path === '/' ? '/.' : fstabEscape(path)} none ${[...opts].join(',')} 0 0`;
}

/**
 * The environment's mounts, applied in order by one `mount -a`: the host's writable file systems
 * become read-only ("/." rather than "/" because `mount -a` skips the root entry), binds come before the masks (a task dir may live under a
 * masked data dir), masks deepest first (a mask would hide a nested mask's mount point), and the
 * private /tmp last (a masked path may live under the host's /tmp).
 */
export function fstab(plan: MountPlan): string {
  const e = fstabEscape;
  const rows = [
    ...plan.readOnly.map((m) => remountRow(m.path, m.flags)),
    `${e(plan.taskDir)} /var/task none bind,ro,nosuid,nodev 0 0`,
    plan.optDir ? `${e(plan.optDir)} /opt none bind,ro,nosuid,nodev 0 0` : 'stratus-opt /opt tmpfs ro,nosuid,nodev,size=4k,mode=755 0 0',
  ];
  // Staged before the masks and the private /tmp can hide its source.
  if (plan.runtimeRoot) rows.push(`${e(plan.runtimeRoot)} /var/runtime none bind,ro,nosuid,nodev 0 0`);
  for (const h of [...plan.hide].sort((a, b) => b.path.length - a.path.length)) {
    rows.push(h.dir ? `stratus-hidden ${e(h.path)} tmpfs ro,nosuid,nodev,noexec,size=4k,mode=755 0 0` : `${e(plan.maskFile ?? '/dev/null')} ${e(h.path)} none bind,ro 0 0`);
  }
  rows.push(`stratus-tmp /tmp tmpfs nosuid,nodev,size=${Math.max(1, Math.floor(plan.tmpSizeMb))}m,mode=1777 0 0`);
  if (plan.shmSizeMb) rows.push(`stratus-shm /dev/shm tmpfs nosuid,nodev,size=${Math.max(1, Math.floor(plan.shmSizeMb))}m,mode=1777 0 0`);
  // Back at its own path, creating the mount point when the private /tmp replaced it.
  if (plan.runtimeRoot) rows.push(`/var/runtime ${e(plan.runtimeRoot)} none bind,ro,nosuid,nodev,X-mount.mkdir 0 0`);
  return rows.join('\n') + '\n';
}
