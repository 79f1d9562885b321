// An in-memory Provider for unit tests of anything built on sandboxes (manager, API, checks'
// plumbing). Deterministic: creation resolves when the test says so (or at once), ids come from
// the caller. It keeps labels like the real provider, so adoption after a "restart" can be tested
// by handing the same FakeProvider to a second manager.
import Docker from 'dockerode';
import type { ExecResult, Provider, SandboxEvent, SandboxInfo, SandboxSpec } from '../provider/types.ts';

export class FakeProvider implements Provider {
  readonly name = 'fake';
  readonly sandboxes = new Map<string, SandboxInfo>();
  /** Incomplete leftovers sweep() should remove (ids). */
  readonly leftovers = new Set<string>();
  readonly calls: string[] = [];
  /** When set, create() waits for this before finishing (to observe 'starting'). */
  gate: Promise<void> | undefined;
  failNext: Error | undefined;
  private seq = 0;

  async create(spec: SandboxSpec, signal?: AbortSignal): Promise<SandboxInfo> {
    const id = spec.id ?? `f${++this.seq}`;
    this.calls.push(`create ${id} ${spec.hosts}`);
    if (this.gate) await this.gate;
    signal?.throwIfAborted();
    if (this.failNext) { const e = this.failNext; this.failNext = undefined; throw e; }
    const n = this.sandboxes.size + 1;
    const info: SandboxInfo = {
      id,
      hosts: Array.from({ length: spec.hosts }, (_, i) => ({ name: `node${i + 1}`, id: `${id}-node${i + 1}`, ip: `10.9.${n}.${i + 2}`, running: true })),
      network: { name: `net-${id}`, subnet: `10.9.${n}.0/24` },
      labels: { ...spec.labels, 'dnl.sandbox': id, 'dnl.topology': String(spec.hosts), 'dnl.created': String(Date.now()) },
      createdAt: Date.now(),
    };
    this.sandboxes.set(id, info);
    return structuredClone(info);
  }
  async destroy(id: string): Promise<void> { this.calls.push(`destroy ${id}`); this.sandboxes.delete(id); this.leftovers.delete(id); }
  async reset(id: string, host?: string): Promise<SandboxInfo> {
    this.calls.push(`reset ${id} ${host ?? 'all'}`);
    const s = this.sandboxes.get(id);
    if (!s) throw new Error(`no sandbox ${id}`);
    return structuredClone(s);
  }
  async inspect(id: string): Promise<SandboxInfo | undefined> { const s = this.sandboxes.get(id); return s && structuredClone(s); }
  async list(): Promise<SandboxInfo[]> { return [...this.sandboxes.values()].map((s) => structuredClone(s)); }
  async exec(): Promise<ExecResult> { return { exitCode: 0, stdout: '', stderr: '' }; }
  engine(): Docker { return new Docker({ socketPath: '/nonexistent.sock' }); }
  terminalCommand(id: string, host: string): { file: string; args: string[] } { return { file: 'echo', args: [id, host] }; }
  async events(_id: string, signal: AbortSignal, _on: (e: SandboxEvent) => void): Promise<void> {
    await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
  }
  async updateLabels(id: string, labels: Record<string, string>): Promise<void> {
    this.calls.push(`label ${id}`);
    const s = this.sandboxes.get(id);
    if (!s) throw new Error(`no sandbox ${id}`);
    s.labels = { ...s.labels, ...labels };
  }
  /** The next ensureRunning fails with this (as a Docker daemon does while it restarts). */
  failEnsure: Error | undefined;
  async ensureRunning(id: string): Promise<SandboxInfo> {
    this.calls.push(`ensure ${id}`);
    if (this.failEnsure) { const e = this.failEnsure; this.failEnsure = undefined; throw e; }
    const s = this.sandboxes.get(id);
    if (!s) throw new Error(`no sandbox ${id}`);
    for (const h of s.hosts) h.running = true;
    return structuredClone(s);
  }
  async sweep(busy: ReadonlySet<string>): Promise<string[]> {
    const out = [...this.leftovers].filter((id) => !busy.has(id));
    for (const id of out) this.leftovers.delete(id);
    return out;
  }
}
