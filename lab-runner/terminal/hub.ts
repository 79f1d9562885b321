// All terminal sessions of this runner, keyed by (sandbox, host, terminal index). Spawns the
// provider's command with node-pty — a login shell in the learner's sandbox host, never a shell
// on the server machine — and ends sessions when their sandbox goes.
import { dockerApiExec, nodePty, parseDockerExec, type PtyProcess } from './pty.ts';
import { TerminalSession } from './session.ts';
import type { TerminalTargets } from './targets.ts';

export interface HubOptions {
  targets: TerminalTargets;
  idleMs: number;
  ringBytes?: number;
  batchMs?: number;
  high?: number;
  low?: number;
  /** 'auto': a plain `docker exec -it` runs through the Engine API (see pty.ts); 'node-pty': always spawn the argv. */
  backend?: 'auto' | 'node-pty';
  /** The engine socket a `docker exec` without -H talks to. */
  dockerSocket?: string;
  log?(msg: string): void;
}

export class SpawnError extends Error {}

const SPAWN_ENV_KEYS = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'DOCKER_HOST', 'DOCKER_CONFIG', 'DOCKER_CONTEXT'];

export class TerminalHub {
  private readonly sessions = new Map<string, TerminalSession>();
  private readonly starting = new Map<string, Promise<TerminalSession>>();
  private closed = false;

  constructor(private readonly opts: HubOptions) {}

  static key(sandboxId: string, host: string, terminal: number): string { return `${sandboxId}/${host}/${terminal}`; }

  get size(): number { return this.sessions.size; }
  get(sandboxId: string, host: string, terminal: number): TerminalSession | undefined {
    return this.sessions.get(TerminalHub.key(sandboxId, host, terminal));
  }

  /** The live session for this terminal, spawning its shell on first use. */
  async open(sandboxId: string, host: string, terminal: number, size: { cols: number; rows: number }): Promise<TerminalSession> {
    if (this.closed) throw new SpawnError('The lab runner is shutting down.');
    const key = TerminalHub.key(sandboxId, host, terminal);
    const live = this.sessions.get(key);
    if (live?.alive) return live;
    const inflight = this.starting.get(key);
    if (inflight) return inflight;
    const p = this.spawn(key, sandboxId, host, terminal, size).finally(() => this.starting.delete(key));
    this.starting.set(key, p);
    return p;
  }

  private async spawn(key: string, sandboxId: string, host: string, terminal: number, size: { cols: number; rows: number }): Promise<TerminalSession> {
    const cmd = await this.opts.targets.command(sandboxId, host);
    if (!cmd) throw new SpawnError(`Host ${host} of sandbox ${sandboxId} does not exist (any more).`);
    const env: Record<string, string> = { TERM: 'xterm-256color', COLORTERM: 'truecolor' };
    for (const k of SPAWN_ENV_KEYS) if (process.env[k]) env[k] = process.env[k]!;
    let proc: PtyProcess;
    try {
      const api = this.opts.backend !== 'node-pty' ? parseDockerExec(cmd.file, cmd.args, this.opts.dockerSocket ?? '/var/run/docker.sock') : undefined;
      proc = api ? await dockerApiExec(api, size) : nodePty({ file: cmd.file, args: cmd.args, cols: size.cols, rows: size.rows, env });
    } catch (err) {
      throw new SpawnError(`Could not start a shell on ${host}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const session = new TerminalSession(key, sandboxId, host, terminal, proc, {
      ringBytes: this.opts.ringBytes ?? 512 * 1024,
      batchMs: this.opts.batchMs ?? 4,
      idleMs: this.opts.idleMs,
      high: this.opts.high,
      low: this.opts.low,
      log: this.opts.log,
      onClosed: (s) => { if (this.sessions.get(s.key) === s) this.sessions.delete(s.key); },
    });
    this.sessions.set(key, session);
    if (this.closed) { session.kill(); throw new SpawnError('The lab runner is shutting down.'); }
    this.opts.log?.(`terminal ${key}: shell started (pid ${proc.pid})`);
    return session;
  }

  /** Ends every terminal of a sandbox (it was destroyed or reset). */
  closeSandbox(sandboxId: string, host?: string): void {
    for (const s of this.sessions.values()) if (s.sandboxId === sandboxId && (!host || s.host === host)) s.kill();
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.sessions.values()];
    for (const s of all) s.kill();
    const deadline = Date.now() + 4000;
    while (this.sessions.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }
}
