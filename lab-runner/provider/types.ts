// The provider is the only thing that knows where sandbox hosts physically run.
// Callers (pool, terminals, checks, API) depend on this interface alone; the local Docker
// provider is wired in lab-runner/runner.ts, and a remote one plugs in there without touching them.
import type Docker from 'dockerode';

/** One learner lab: 1..N hosts (node1..nodeN) on one private internal network. */
export interface SandboxSpec {
  /** Chosen by the caller (so it can report the sandbox while it starts); the provider makes one otherwise. */
  id?: string;
  /** How many hosts, named node1..nodeN. */
  hosts: number;
  /** Labels to keep on every resource (owner, lesson, pool state); values are plain strings. */
  labels?: Record<string, string>;
}

export interface HostInfo {
  /** Stable name inside the lab: node1, node2 … */
  name: string;
  /** Provider-specific handle (the outer container id for the local provider). */
  id: string;
  /** The host's address on the lab network. */
  ip: string;
  running: boolean;
}

export interface SandboxInfo {
  id: string;
  hosts: HostInfo[];
  network: { name: string; subnet: string };
  labels: Record<string, string>;
  createdAt: number;
}

export interface ExecResult { exitCode: number; stdout: string; stderr: string }

export interface ExecOptions {
  /** Kill the command after this long and report exitCode 124 (like timeout(1)). */
  timeoutMs?: number;
  signal?: AbortSignal;
  stdin?: string;
}

export interface SandboxEvent {
  sandboxId: string;
  host: string;
  /** Docker event from the host's INNER engine (network create, container start …). */
  type: string;
  action: string;
  actor: { id: string; attributes: Record<string, string> };
  time: number;
}

export interface Provider {
  readonly name: string;
  create(spec: SandboxSpec, signal?: AbortSignal): Promise<SandboxInfo>;
  destroy(sandboxId: string): Promise<void>;
  /** Replaces one host (or all) with a fresh one; the network and names stay. */
  reset(sandboxId: string, host?: string): Promise<SandboxInfo>;
  inspect(sandboxId: string): Promise<SandboxInfo | undefined>;
  /** Every sandbox this runner instance owns, from the provider's own records (labels). */
  list(): Promise<SandboxInfo[]>;
  /** Runs `bash -lc script` on a host (not inside an inner container). */
  exec(sandboxId: string, host: string, script: string, opts?: ExecOptions): Promise<ExecResult>;
  /** A dockerode client talking to the host's inner Docker engine. */
  engine(sandboxId: string, host: string): Docker;
  /** argv that node-pty spawns for an interactive login shell on the host. */
  terminalCommand(sandboxId: string, host: string): { file: string; args: string[] };
  /** Inner-engine events of every host of the sandbox until the signal aborts. */
  events(sandboxId: string, signal: AbortSignal, onEvent: (e: SandboxEvent) => void): Promise<void>;
  /**
   * Durably replaces the sandbox's mutable labels (owner, state, expiry …) so that a restarted
   * runner sees them in list()/inspect(). Keys not given keep their value.
   */
  updateLabels(sandboxId: string, labels: Record<string, string>): Promise<void>;
  /** Starts hosts that are not running (e.g. after a Docker daemon restart) and waits until all are ready. */
  ensureRunning(sandboxId: string, signal?: AbortSignal): Promise<SandboxInfo>;
  /**
   * Removes this instance's resources that belong to no complete sandbox (a crash mid-create,
   * a half-destroyed lab), skipping ids in `busy`. Returns the sandbox ids it cleaned.
   */
  sweep(busy: ReadonlySet<string>): Promise<string[]>;
  /**
   * Bytes each host has written (inner images, containers' writable layers, volumes, and the
   * host's own writable layer), by host name. Optional: the manager's disk watchdog uses it.
   */
  diskUsage?(sandboxId: string): Promise<Record<string, number>>;
  /** Freezes every host of the sandbox (the disk watchdog's last resort); reset() recovers it. Optional. */
  pause?(sandboxId: string): Promise<void>;
}
