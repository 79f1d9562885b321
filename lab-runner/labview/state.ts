// What the lab views know about one sandbox, read from its hosts' INNER engines: the ports
// published on each host (the proxy's ONLY allowed targets, and the page's links) and who owns
// which address (container and host names for packet rows). Kept current from the inner
// engines' event streams (a new `-p` shows within a second), not by polling; while nobody follows
// a sandbox, a lookup reads the engines afresh (cached for a second).
import type Docker from 'dockerode';
import { labUrl, type PublishedPort } from '../../protocol/labview.ts';
import type { Provider, SandboxEvent } from '../provider/types.ts';

export interface LabHost { name: string; ip: string }

/** What this module needs from the sandbox manager. */
export interface LabDirectory {
  ownerOf(id: string): string | undefined;
  info(id: string): { hosts: LabHost[] } | undefined;
  get(id: string): { status: string } | undefined;
  on(event: 'status', fn: (v: { id: string; status: string }) => void): unknown;
}

export interface Names {
  byIp: Map<string, string>;
  byMac: Map<string, string>;
}

interface ContainerSummary {
  Names?: string[];
  State?: string;
  Ports?: Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }>;
  HostConfig?: { NetworkMode?: string };
  NetworkSettings?: { Networks?: Record<string, { IPAddress?: string; MacAddress?: string; Gateway?: string }> };
}

/** Docker's default MAC for an address (02:42 + the IPv4 bytes): names hosts' eth0 without an exec. */
export function defaultMac(ip: string): string | undefined {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !(x >= 0 && x <= 255))) return undefined;
  return ['02', '42', ...p.map((x) => x.toString(16).padStart(2, '0'))].join(':');
}

const IGNORED_HOST_PORTS = new Set([2377, 7946]); // swarm's own control ports are not web services

/** Published TCP ports of one host, from its inner engine (plus host-network listeners via `ss`). */
export async function readHostPorts(sandbox: string, host: string, engine: Docker, provider: Pick<Provider, 'exec'>, signal?: AbortSignal): Promise<{ ports: PublishedPort[]; containers: ContainerSummary[] }> {
  const containers = (await engine.listContainers({ abortSignal: signal } as Docker.ContainerListOptions)) as unknown as ContainerSummary[];
  const seen = new Set<number>();
  const ports: PublishedPort[] = [];
  for (const c of containers) {
    const name = (c.Names?.[0] ?? '').replace(/^\//, '');
    for (const p of c.Ports ?? []) {
      if (p.Type !== 'tcp' || !p.PublicPort || seen.has(p.PublicPort)) continue;
      // Bound to one address other than "all" (e.g. -p 127.0.0.1:8080:80) still answers on the
      // host's lab address only when that address is the lab one; keep the common cases.
      if (p.IP && p.IP !== '0.0.0.0' && p.IP !== '::') continue;
      seen.add(p.PublicPort);
      ports.push({ host, port: p.PublicPort, containerPort: p.PrivatePort, container: name, url: labUrl(sandbox, host, p.PublicPort) });
    }
  }
  // `--network host` containers publish nothing: what they listen on IS the host's port.
  const hostNet = containers.filter((c) => c.HostConfig?.NetworkMode === 'host' && c.State === 'running');
  if (hostNet.length) {
    const r = await provider.exec(sandbox, host, 'ss -ltnH 2>/dev/null', { timeoutMs: 5000, signal }).catch(() => undefined);
    const owner = hostNet.length === 1 ? (hostNet[0]!.Names?.[0] ?? '').replace(/^\//, '') : 'host network';
    for (const line of r?.stdout.split('\n') ?? []) {
      const m = /^\S+\s+\d+\s+\d+\s+(\S+):(\d+)\s/.exec(line.trim());
      if (!m) continue;
      const addr = m[1]!, port = Number(m[2]);
      if (!['0.0.0.0', '*', '[::]'].includes(addr) || seen.has(port) || IGNORED_HOST_PORTS.has(port)) continue;
      seen.add(port);
      ports.push({ host, port, containerPort: port, container: owner, url: labUrl(sandbox, host, port) });
    }
  }
  ports.sort((a, b) => a.port - b.port);
  return { ports, containers };
}

function namesFrom(hosts: LabHost[], perHost: Array<{ host: string; containers: ContainerSummary[] }>): Names {
  const byIp = new Map<string, string>(), byMac = new Map<string, string>();
  byIp.set('127.0.0.11', 'embedded DNS');
  for (const h of hosts) {
    byIp.set(h.ip, h.name);
    const mac = defaultMac(h.ip);
    if (mac) byMac.set(mac, h.name);
  }
  for (const { host, containers } of perHost) {
    for (const c of containers) {
      const name = (c.Names?.[0] ?? '').replace(/^\//, '');
      for (const n of Object.values(c.NetworkSettings?.Networks ?? {})) {
        if (n.IPAddress) byIp.set(n.IPAddress, name);
        if (n.MacAddress) byMac.set(n.MacAddress.toLowerCase(), name);
        // A bridge's gateway address is the host itself on that network.
        if (n.Gateway && !byIp.has(n.Gateway)) byIp.set(n.Gateway, `${host} (gateway)`);
      }
    }
  }
  return { byIp, byMac };
}

type Listener = () => void;

/** One sandbox, followed while someone looks (ports pushed to the page, names for packets). */
export class LabState {
  ports: PublishedPort[] = [];
  names: Names = { byIp: new Map(), byMac: new Map() };
  private readonly listeners = new Set<Listener>();
  private readonly life = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private again = false;
  private first: Promise<void> | undefined;

  constructor(readonly sandbox: string, private readonly provider: Provider, private readonly hosts: () => LabHost[], private readonly log: (m: string) => void) {}

  get closed(): boolean { return this.life.signal.aborted; }

  start(): Promise<void> {
    if (this.first) return this.first;
    this.provider.events(this.sandbox, this.life.signal, (e) => this.onEvent(e))
      .catch((err: unknown) => { if (!this.closed) this.log(`events of ${this.sandbox} stopped: ${String(err)}`); });
    this.first = this.refresh();
    // The event streams attach a moment after the first read (longer on a busy machine): a
    // container started in between would be missed, so read again once they are surely up.
    for (const ms of [1500, 5000]) setTimeout(() => this.schedule(0), ms).unref();
    return this.first;
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => { this.listeners.delete(l); };
  }

  get viewers(): number { return this.listeners.size; }

  private onEvent(e: SandboxEvent): void {
    if (e.type === 'container' && /^(exec_|attach|resize|top|export|commit|copy|archive-path|extract-to-dir|health_status)/.test(e.action)) return;
    if (e.type !== 'container' && e.type !== 'network') return;
    const hostNet = e.type === 'container' && e.action === 'start';
    this.schedule(60);
    // A host-network server binds its port a moment after its container starts: look again.
    if (hostNet) { setTimeout(() => this.schedule(0), 700).unref(); setTimeout(() => this.schedule(0), 2500).unref(); }
  }

  schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; void this.refresh(); }, ms);
  }

  /** Re-reads every host; concurrent calls coalesce (one more pass runs after the current one). */
  refresh(): Promise<void> {
    if (this.refreshing) { this.again = true; return this.refreshing; }
    this.refreshing = (async () => {
      do {
        this.again = false;
        try { await this.readAll(); } catch (err) { if (!this.closed) this.log(`could not read ${this.sandbox}: ${String(err)}`); }
      } while (this.again && !this.closed);
    })().finally(() => { this.refreshing = undefined; });
    return this.refreshing;
  }

  private async readAll(): Promise<void> {
    const hosts = this.hosts();
    const per = await Promise.all(hosts.map(async (h) => {
      try {
        const r = await readHostPorts(this.sandbox, h.name, this.provider.engine(this.sandbox, h.name), this.provider, this.life.signal);
        return { host: h.name, ...r };
      } catch { return { host: h.name, ports: [] as PublishedPort[], containers: [] as ContainerSummary[] }; }
    }));
    if (this.closed) return;
    this.names = namesFrom(hosts, per);
    const ports = per.flatMap((p) => p.ports);
    const changed = JSON.stringify(ports) !== JSON.stringify(this.ports);
    this.ports = ports;
    if (changed) for (const l of this.listeners) { try { l(); } catch (err) { this.log(`listener failed: ${String(err)}`); } }
  }

  private readonly closeListeners = new Set<(why: 'gone' | 'reset' | 'idle') => void>();

  /** Called once when the state ends (sandbox gone or reset): a page then reconnects or stops. */
  onClose(cb: (why: 'gone' | 'reset' | 'idle') => void): () => void {
    this.closeListeners.add(cb);
    return () => { this.closeListeners.delete(cb); };
  }

  close(why: 'gone' | 'reset' | 'idle' = 'idle'): void {
    if (this.closed) return;
    this.life.abort(new Error('closed'));
    if (this.timer) clearTimeout(this.timer);
    this.listeners.clear();
    for (const cb of this.closeListeners) { try { cb(why); } catch { /* a closed socket */ } }
    this.closeListeners.clear();
  }
}

/** Every followed sandbox; states close when their last user leaves (or the sandbox goes). */
export class LabStates {
  private readonly states = new Map<string, { state: LabState; users: number; idle?: NodeJS.Timeout }>();
  /** Unfollowed lookups (the proxy without an open page): sandbox → { at, ports }. */
  private readonly cache = new Map<string, { at: number; ports: Promise<PublishedPort[]> }>();

  constructor(private readonly provider: Provider, private readonly dir: LabDirectory, private readonly log: (m: string) => void = (m) => console.log(`[labview] ${m}`)) {
    dir.on('status', (v) => {
      if (v.status === 'gone' || v.status === 'resetting') { this.drop(v.id, v.status === 'gone' ? 'gone' : 'reset'); this.cache.delete(v.id); }
    });
  }

  private hosts(sandbox: string): LabHost[] {
    return (this.dir.info(sandbox)?.hosts ?? []).map((h) => ({ name: h.name, ip: h.ip }));
  }

  /** Follows the sandbox until release() is called (as many times as acquire()). */
  acquire(sandbox: string): LabState {
    let s = this.states.get(sandbox);
    if (!s || s.state.closed) {
      s = { state: new LabState(sandbox, this.provider, () => this.hosts(sandbox), this.log), users: 0 };
      this.states.set(sandbox, s);
      void s.state.start();
    }
    if (s.idle) { clearTimeout(s.idle); s.idle = undefined; }
    s.users++;
    return s.state;
  }

  release(sandbox: string, state?: LabState): void {
    const s = this.states.get(sandbox);
    if (!s || (state && s.state !== state)) return; // that state was already dropped (reset)
    s.users = Math.max(0, s.users - 1);
    if (s.users === 0 && !s.idle) {
      // A page reload reconnects at once: keep the stream for a few seconds.
      s.idle = setTimeout(() => { if (s.users === 0) this.drop(sandbox); }, 5000);
      s.idle.unref();
    }
  }

  private drop(sandbox: string, why: 'gone' | 'reset' | 'idle' = 'idle'): void {
    const s = this.states.get(sandbox);
    if (!s) return;
    if (s.idle) clearTimeout(s.idle);
    s.state.close(why);
    this.states.delete(sandbox);
  }

  /** Names for packet rows (empty maps when nobody follows the sandbox). */
  names(sandbox: string): Names | undefined { return this.states.get(sandbox)?.state.names; }

  /** The published ports of a sandbox right now: from its live state, or read afresh (≤ 1 s old). */
  async ports(sandbox: string): Promise<PublishedPort[]> {
    const s = this.states.get(sandbox);
    if (s && !s.state.closed) { await s.state.start(); return s.state.ports; }
    const c = this.cache.get(sandbox);
    if (c && Date.now() - c.at < 1000) return c.ports;
    const ports = (async () => {
      const per = await Promise.all(this.hosts(sandbox).map((h) =>
        readHostPorts(sandbox, h.name, this.provider.engine(sandbox, h.name), this.provider).then((r) => r.ports, () => [] as PublishedPort[])));
      return per.flat();
    })();
    this.cache.set(sandbox, { at: Date.now(), ports });
    return ports;
  }

  close(): void {
    for (const id of [...this.states.keys()]) this.drop(id);
    this.cache.clear();
  }
}
