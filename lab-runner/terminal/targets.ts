// What the terminal server needs from the rest of the runner, and nothing more: which command
// opens a shell on a host, and who may attach to it. Keeps lab-runner/terminal independent of
// the sandbox manager's internals (and testable against a throw-away container).
import type { SandboxInfo } from '../provider/types.ts';

export type TerminalMode = 'rw' | 'ro';

export interface TerminalTargets {
  /** argv for node-pty, or undefined when the sandbox or host does not exist. */
  command(sandboxId: string, host: string): Promise<{ file: string; args: string[] } | undefined>;
  /**
   * The strongest mode this learner may have on the host: 'rw' for the owner, 'ro' for a
   * permitted viewer (a workshop's instructor), undefined for anybody else. Throws
   * TargetNotFound when the sandbox or host does not exist.
   */
  authorize(learnerId: string, sandboxId: string, host: string): Promise<TerminalMode | undefined>;
  /** Someone is using the sandbox (keeps it from idling out). */
  touch?(sandboxId: string): void;
  /** Calls back when a sandbox's shells must end (destroyed, expired, reset). */
  onGone?(cb: (sandboxId: string) => void): void;
  /** Calls back when a learner's sandbox becomes ready (claimed, started or reset), with its hosts. */
  onReady?(cb: (sandboxId: string, hosts: string[]) => void): void;
}

export class TargetNotFound extends Error {}

/** The owner label the sandbox manager puts on every sandbox. */
export const OWNER_LABEL = 'dnl.owner';

/** The subset of the sandbox manager this module uses (duck-typed so either side can evolve). */
export interface ManagerLike {
  /** Provider info with current labels (owner); undefined until started or when gone. */
  info(id: string): SandboxInfo | undefined;
  get(id: string): { status: string } | undefined;
  touch?(id: string): unknown;
  on?(event: 'status', cb: (v: { id: string; status: string; owner?: string }) => void): unknown;
}
export interface ProviderLike {
  terminalCommand(sandboxId: string, host: string): { file: string; args: string[] };
}

export interface ManagerTargetsOptions {
  /** Extra viewers (e.g. the workshop instructor): returns true to allow read-only access. */
  canView?(learnerId: string, sandbox: SandboxInfo): boolean | Promise<boolean>;
}

/** TerminalTargets over the real sandbox manager and provider. */
export function managerTargets(manager: ManagerLike, provider: ProviderLike, opts: ManagerTargetsOptions = {}): TerminalTargets {
  const find = async (sandboxId: string, host: string): Promise<SandboxInfo | undefined> => {
    if (manager.get(sandboxId)?.status !== 'ready') return undefined;
    const sb = manager.info(sandboxId);
    if (!sb || !sb.hosts.some((h) => h.name === host)) return undefined;
    return sb;
  };
  return {
    async command(sandboxId, host) {
      if (!(await find(sandboxId, host))) return undefined;
      return withTerm(provider.terminalCommand(sandboxId, host));
    },
    async authorize(learnerId, sandboxId, host) {
      // Someone else's sandbox is not even confirmed to exist (nor its state): a non-owner
      // learns nothing before the viewer check, and is refused exactly like a missing one.
      const owned = manager.info(sandboxId)?.labels[OWNER_LABEL] === learnerId;
      if (!owned) {
        const other = await find(sandboxId, host);
        return other && opts.canView && (await opts.canView(learnerId, other)) ? 'ro' : undefined;
      }
      const sb = await find(sandboxId, host);
      if (!sb) {
        const status = manager.get(sandboxId)?.status;
        throw new TargetNotFound(status === 'starting' || status === 'resetting'
          ? `The lab machine is still ${status}; the terminal opens once it is ready.`
          : `There is no host ${host} in sandbox ${sandboxId} (it may have expired).`);
      }
      if (sb.labels[OWNER_LABEL] === learnerId) return 'rw';
      if (opts.canView && (await opts.canView(learnerId, sb))) return 'ro';
      return undefined;
    },
    touch(sandboxId) { void manager.touch?.(sandboxId); },
    onGone(cb) {
      manager.on?.('status', (v) => { if (v.status === 'gone' || v.status === 'resetting') cb(v.id); });
    },
    onReady(cb) {
      // Warm-pool sandboxes have no owner yet: nobody will open their terminal until one is claimed.
      manager.on?.('status', (v) => {
        if (v.status !== 'ready' || !v.owner) return;
        const hosts = manager.info(v.id)?.hosts.map((h) => h.name) ?? [];
        if (hosts.length) cb(v.id, hosts);
      });
    },
  };
}

/**
 * `docker exec` does not pass the caller's TERM into the container (the engine sets
 * TERM=xterm), which loses 256 colours; add it when the provider did not.
 */
export function withTerm(cmd: { file: string; args: string[] }): { file: string; args: string[] } {
  const a = cmd.args;
  const isDockerExec = /(^|\/)docker$/.test(cmd.file) && a.includes('exec');
  if (!isDockerExec || a.some((x, i) => (x === '-e' || x === '--env') && a[i + 1]?.startsWith('TERM='))) return cmd;
  const at = a.indexOf('exec') + 1;
  return { file: cmd.file, args: [...a.slice(0, at), '-e', 'TERM=xterm-256color', ...a.slice(at)] };
}
