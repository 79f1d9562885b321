// The embedded default provider: sandbox hosts are containers of the local Docker engine.
// A sandbox = hosts node1..nodeN from the host image, each running its own dockerd, all on one
// private `--internal` bridge with a /24 of its own cut from DNL_LAB_POOL. Every fact about a
// sandbox is on Docker labels (labels.ts), so nothing here needs a database and a restarted runner
// rebuilds its picture from `list()`.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import type { Config } from '../config.ts';
import { L, hostNames, labelFilter, names, num } from './labels.ts';
import { latestRecord, writeRecord } from './records.ts';
import { isPrivilegeRefusal, securityHostConfig, type SecurityMode } from './security.ts';
import { buildSeed, populateFromSeed, pruneSeeds, seedPath, isSeedComplete } from './seed.ts';
import { freeSubnets, hostIp } from './subnet.ts';
import type { ExecOptions, ExecResult, HostInfo, Provider, SandboxEvent, SandboxInfo, SandboxSpec } from './types.ts';

export const HOST_IMAGE = 'dnl/host:latest';
/** Lab bridges are named dl-<sandbox id>; the host firewall rule matches dl-+. */
export const BRIDGE_PREFIX = 'dl-';
/**
 * Fallback hosts on cgroup v1 get the machine's cgroup hierarchies read-write at start instead
 * of read-only. dnl-init would otherwise re-mount each of them (DESIGN.md) — the same access
 * (the whole hierarchy, host cgroup namespace), but a dozen umount/mount forks that cost up to a
 * second of a cold start on a busy machine. dnl-init finds them writable and skips the re-mount;
 * --cgroup-parent nesting (limits bind inner containers) is unchanged.
 */
const CGROUP_V1_BIND = '/sys/fs/cgroup:/sys/fs/cgroup:rw';
/** What "images usable" means at ready (debian may follow; with a seeded store it is there too). */
const READY_IMAGES = ['busybox:latest', 'nginx:latest'];

export interface LocalProviderOptions {
  config: Config;
  /** The outer engine; defaults to config.dockerSocket. */
  docker?: Docker;
  image?: string;
  /** Injected for deterministic tests. */
  newId?: () => string;
  /** Skip the privileged probe (e.g. 'fallback' when already known). */
  security?: SecurityMode;
  /** How long a host may take to become ready (inner dockerd + busybox/nginx loaded). */
  readyTimeoutMs?: number;
  /**
   * Where pre-loaded image stores are kept (seed.ts); default `<dataDir>/seed`. `false` turns
   * seeding off: every host then loads its images itself (slower, more CPU and disk).
   */
  seedDir?: string | false;
  /**
   * How many image stores to keep filled from the seed ahead of time (`<dataDir>/spare-stores`),
   * so a cold start renames one into place instead of copying on its critical path. Disk only:
   * hard links and ~1 MB of metadata each. Default 2; 0 turns it off.
   */
  spareStores?: number;
  log?: (msg: string) => void;
  /**
   * Called with a wall-clock mark at each step of create() (network, image store, container
   * created/started, ready); the bench's phase table is built from these plus the host's own
   * logs (startup-trace.ts). Off (undefined) by default: no cost.
   */
  trace?: (mark: StartMark) => void;
}

/** One step of a sandbox start, as seen by the runner; `at` is epoch ms. */
export interface StartMark { sandbox: string; host?: string; phase: string; at: number }

interface HostRecord { name: string; container: Docker.ContainerInfo }

export class LocalDockerProvider implements Provider {
  readonly name = 'local';
  readonly docker: Docker;
  private readonly cfg: Config;
  private readonly image: string;
  private readonly newId: () => string;
  private readonly readyTimeoutMs: number;
  private security: SecurityMode | undefined;
  private securityProbe: Promise<SecurityMode> | undefined;
  private readonly engines = new Map<string, Docker>();
  /** Subnets this process is creating right now (the engine does not know them yet). */
  private readonly pendingSubnets = new Set<string>();
  private subnetCursor = Math.floor(Math.random() * 256);
  private readonly seedRoot: string | undefined;
  private seeding: { imageId: string; dir: Promise<string | undefined>; at: number } | undefined;
  private readonly spareStores: number;
  private refillingSpares = false;
  private readonly log: (msg: string) => void;
  private readonly trace: ((mark: StartMark) => void) | undefined;

  constructor(opts: LocalProviderOptions) {
    this.cfg = opts.config;
    this.docker = opts.docker ?? new Docker({ socketPath: opts.config.dockerSocket });
    this.image = opts.image ?? HOST_IMAGE;
    this.newId = opts.newId ?? (() => 's' + randomBytes(4).toString('hex'));
    this.readyTimeoutMs = opts.readyTimeoutMs ?? 90_000;
    this.security = opts.config.runtime && !opts.security ? undefined : opts.security;
    this.seedRoot = opts.seedDir === false ? undefined : (opts.seedDir ?? path.join(opts.config.dataDir, 'seed'));
    this.log = opts.log ?? ((m) => console.log(`[sandbox] ${m}`));
    this.trace = opts.trace;
    this.spareStores = Math.max(0, opts.spareStores ?? 2);
  }

  /** `<dataDir>/spare-stores`: image stores filled from the seed before anyone asks (same filesystem as volumes). */
  private get spareRoot(): string { return path.join(this.cfg.dataDir, 'spare-stores'); }

  /** Moves a spare store made from this seed to `target` (which must not exist); false when none is left. */
  private takeSpareStore(seed: string, target: string): boolean {
    const key = `${path.basename(seed)}-`;
    for (const e of safeReaddir(this.spareRoot)) {
      if (!e.startsWith(key)) continue;
      try { fs.renameSync(path.join(this.spareRoot, e), target); return true; } catch { /* taken by a concurrent start: next */ }
    }
    return false;
  }

  /** Tops the spare stores up to `spareStores` in the background, one at a time (off every start's critical path). */
  private refillSpareStores(seed: string): void {
    if (!this.spareStores || this.refillingSpares) return;
    this.refillingSpares = true;
    void (async () => {
      const root = this.spareRoot;
      const key = `${path.basename(seed)}-`;
      fs.mkdirSync(root, { recursive: true });
      // Spares of an older host image are useless now.
      for (const e of safeReaddir(root)) if (!e.startsWith(key) && !e.startsWith('.')) fs.rmSync(path.join(root, e), { recursive: true, force: true });
      while (safeReaddir(root).filter((e) => e.startsWith(key)).length < this.spareStores) {
        const tmp = path.join(root, `.tmp-${randomBytes(4).toString('hex')}`);
        fs.mkdirSync(tmp);
        try {
          await populateFromSeed(path.join(seed, 'docker'), tmp);
          fs.renameSync(tmp, path.join(root, key + randomBytes(4).toString('hex')));
        } finally {
          fs.rmSync(tmp, { recursive: true, force: true });
        }
      }
    })().catch((err: unknown) => {
      this.log(`could not prepare a spare image store (${err instanceof Error ? err.message : String(err)}); starts copy from the seed themselves`);
    }).finally(() => { this.refillingSpares = false; });
  }

  /** Fills the spare image stores now (e.g. at runner start), so even the first cold start finds one. */
  async prepareSpareStores(): Promise<void> {
    const seed = await this.seed();
    if (seed) this.refillSpareStores(seed);
  }

  private mark(sandbox: string, host: string | undefined, phase: string): void {
    this.trace?.({ sandbox, host, phase, at: Date.now() });
  }

  /** `<dataDir>/volumes/<sandbox>/<host>`: the folder behind a seeded host's /var/lib/docker volume. */
  volumeDir(sandboxId: string, host: string): string {
    return path.join(this.cfg.dataDir, 'volumes', sandboxId, host);
  }

  /**
   * The seed for the current host image, built on first use (about as long as one host start
   * plus loading every lesson image). Undefined when seeding is off or failed; hosts then load
   * their images themselves. A failure is retried after five minutes, not on every start.
   */
  async seed(): Promise<string | undefined> {
    if (!this.seedRoot) return undefined;
    const imageId = (await this.docker.getImage(this.image).inspect()).Id;
    const cur = this.seeding;
    if (cur && cur.imageId === imageId && (Date.now() - cur.at < 300_000 || (await cur.dir))) return cur.dir;
    const root = this.seedRoot;
    const dir = (async () => {
      if (isSeedComplete(seedPath(root, imageId))) return seedPath(root, imageId);
      this.log(`building the image seed for ${this.image} (once per image) …`);
      const t0 = Date.now();
      try {
        const out = await buildSeed(root, imageId, (dockerDir, runDir) => this.runSeedHost(dockerDir, runDir));
        pruneSeeds(root, out);
        this.log(`image seed ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${out}`);
        return out;
      } catch (err) {
        this.log(`WARNING: could not build the image seed (${err instanceof Error ? err.message : String(err)}); hosts will load their images themselves`);
        return undefined;
      }
    })();
    this.seeding = { imageId, dir, at: Date.now() };
    return dir;
  }

  /** A throw-away host with no network that loads every lesson image into dockerDir, then stops cleanly. */
  private async runSeedHost(dockerDir: string, runDir: string): Promise<void> {
    const name = `dnl-${this.cfg.instance}-seed-${randomBytes(3).toString('hex')}`;
    const c = await this.createAndStart((m) => ({
      name, Image: this.image, Hostname: 'seed',
      Labels: { [L.instance]: this.cfg.instance, [L.role]: 'seed' },
      HostConfig: {
        ...securityHostConfig(m, this.cfg.runtime),
        Binds: [`${dockerDir}:/var/lib/docker`, `${runDir}:/run/dnl`],
        Tmpfs: { '/run': 'rw,nosuid,nodev,mode=755', '/tmp': 'rw,nosuid,nodev,size=64m' },
        NetworkMode: 'none',
        Memory: 1024 * 1024 * 1024,
      },
    }));
    try {
      const deadline = Date.now() + 300_000;
      while (!fs.existsSync(path.join(runDir, 'debian-ready'))) {
        const failed = readIfExists(path.join(runDir, 'failed'));
        if (failed) throw new Error(failed.trim());
        if (Date.now() > deadline) throw new Error('the seed host did not finish loading images within 5 minutes');
        const st = await c.inspect();
        if (!st.State.Running) throw new Error(`the seed host stopped (exit ${st.State.ExitCode}). ${await this.tail(c)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      await c.stop({ t: 30 }); // dnl-init stops dockerd cleanly: a consistent store
    } finally {
      await c.remove({ force: true }).catch(() => undefined);
    }
  }

  /** Creates and starts a host container, trying --privileged once per process and falling back. */
  private async createAndStart(build: (m: SecurityMode) => Docker.ContainerCreateOptions, onCreated?: () => void): Promise<Docker.Container> {
    const mode = await this.securityMode_();
    let c = await this.docker.createContainer(build(mode)).catch((err: unknown) => {
      if ((err as { statusCode?: number }).statusCode === 404 && /image/i.test(String(err))) {
        throw new Error(`The sandbox host image ${this.image} is missing on this engine; build it with \`npm run images\`.`);
      }
      throw err;
    });
    onCreated?.();
    try {
      await c.start();
    } catch (err) {
      if (mode !== 'privileged' || !isPrivilegeRefusal(err)) throw err;
      // This engine cannot grant --privileged; remember and use the documented flag set.
      this.security = 'fallback';
      await c.remove({ force: true }).catch(ignoreGone);
      c = await this.docker.createContainer(build('fallback'));
      await c.start();
    }
    return c;
  }

  get securityMode(): SecurityMode | undefined { return this.security; }

  private firewall: Promise<void> | undefined;

  /**
   * An `--internal` Docker network still gives the host machine an address on the lab bridge
   * (the gateway, .1), and packets to ANY of the machine's own addresses (that gateway, docker0,
   * its LAN address) go to its INPUT chain, which Docker leaves open. One rule closes that for
   * every lab bridge (dl-*): sandboxes reach each other, never this machine's services.
   */
  hostFirewall(): Promise<void> {
    this.firewall ??= (async () => {
      const run = (args: string[]) => new Promise<number>((resolve) => {
        execFile('iptables', ['-w', ...args], (err) => resolve(err ? (typeof err.code === 'number' ? err.code : 255) : 0));
      });
      const rule = ['INPUT', '-i', `${BRIDGE_PREFIX}+`, '-j', 'DROP'];
      if ((await run(['-C', ...rule])) !== 0 && (await run(['-I', ...rule])) !== 0) {
        console.warn(`[sandbox] WARNING: could not add the host firewall rule \`iptables -I ${rule.join(' ')}\` (run the runner as root, or add it yourself): sandboxes can reach services listening on this machine's addresses.`);
        return;
      }
      // Replies to connections THIS machine opened (the lab-view proxy to a published port) must
      // pass; a sandbox still cannot open a connection to the machine. Inserted above the drop.
      const replies = ['INPUT', '-i', `${BRIDGE_PREFIX}+`, '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT'];
      if ((await run(['-C', ...replies])) !== 0) await run(['-I', ...replies]);
    })();
    return this.firewall;
  }

  /** `<dataDir>/sockets/<sandbox>/<host>`: bind-mounted at /run/dnl; holds docker.sock and `ready`. */
  socketDir(sandboxId: string, host: string): string {
    return path.join(this.cfg.dataDir, 'sockets', sandboxId, host);
  }

  // ---------------------------------------------------------------- create / destroy

  async create(spec: SandboxSpec, signal?: AbortSignal): Promise<SandboxInfo> {
    if (!Number.isInteger(spec.hosts) || spec.hosts < 1 || spec.hosts > 8) throw new Error(`A sandbox has 1 to 8 hosts, not ${spec.hosts}.`);
    const id = spec.id ?? this.newId();
    // ≤ 12 characters: the bridge is named dl-<id> and Linux allows 15.
    if (!/^[a-z0-9]{1,12}$/.test(id)) throw new Error(`Invalid sandbox id: ${id}`);
    this.mark(id, undefined, 'begin');
    await this.hostFirewall();
    const now = Date.now();
    const base: Record<string, string> = {
      [L.owner]: '', [L.state]: 'pool', [L.lesson]: '',
      [L.expires]: String(now + this.cfg.ttlMinutes * 60_000),
      ...spec.labels,
      [L.instance]: this.cfg.instance, [L.sandbox]: id,
      [L.topology]: String(spec.hosts), [L.created]: String(now),
    };
    try {
      // The network and the hosts' image stores are independent: prepare them side by side.
      const [{ name: net, subnet }] = await Promise.all([
        this.createNetwork(id, base, signal),
        ...hostNames(spec.hosts).map((h) => this.prepareHost(id, h, base, signal)),
      ]);
      await Promise.all(hostNames(spec.hosts).map((h, i) => this.startHost(id, h, i, net, subnet, base, signal)));
      await Promise.all(hostNames(spec.hosts).map(async (h) => { await this.waitReady(id, h, signal); this.mark(id, h, 'ready'); }));
    } catch (err) {
      await this.destroy(id).catch(() => undefined);
      throw err;
    }
    const info = await this.inspect(id);
    if (!info) throw new Error(`Sandbox ${id} vanished right after it was created.`);
    this.mark(id, undefined, 'end');
    this.refillAfterStart();
    return info;
  }

  async destroy(sandboxId: string): Promise<void> {
    const f = labelFilter(this.cfg.instance, { [L.sandbox]: sandboxId });
    const containers = await this.docker.listContainers({ all: true, filters: f });
    await Promise.all(containers.map((c) => this.docker.getContainer(c.Id).remove({ force: true, v: true }).catch(ignoreGone)));
    const { Volumes } = await this.docker.listVolumes({ filters: f });
    await Promise.all((Volumes ?? []).map((v) => this.docker.getVolume(v.Name).remove().catch(ignoreGone)));
    const nets = await this.docker.listNetworks({ filters: f });
    await Promise.all(nets.map((n) => this.docker.getNetwork(n.Id).remove().catch(ignoreGone)));
    for (const key of [...this.engines.keys()]) if (key.startsWith(sandboxId + '/')) this.engines.delete(key);
    fs.rmSync(path.join(this.cfg.dataDir, 'sockets', sandboxId), { recursive: true, force: true });
    fs.rmSync(path.join(this.cfg.dataDir, 'volumes', sandboxId), { recursive: true, force: true });
  }

  async reset(sandboxId: string, host?: string): Promise<SandboxInfo> {
    const info = await this.inspect(sandboxId);
    if (!info) throw new Error(`Sandbox ${sandboxId} does not exist.`);
    const targets = host ? info.hosts.filter((h) => h.name === host) : info.hosts;
    if (host && targets.length === 0) throw new Error(`Sandbox ${sandboxId} has no host named ${host}.`);
    const containers = await this.hostContainers(sandboxId);
    await Promise.all(targets.map(async (h) => {
      const rec = containers.find((c) => c.name === h.name);
      const labels = { ...(rec?.container.Labels ?? info.labels) };
      await this.docker.getContainer(h.id).remove({ force: true, v: true }).catch(ignoreGone);
      await this.docker.getVolume(names.dockerVolume(this.cfg.instance, sandboxId, h.name)).remove().catch(ignoreGone);
      const index = Number(h.name.replace('node', '')) - 1;
      await this.prepareHost(sandboxId, h.name, labels);
      await this.startHost(sandboxId, h.name, index, info.network.name, info.network.subnet, labels);
    }));
    await Promise.all(targets.map((h) => this.waitReady(sandboxId, h.name)));
    this.refillAfterStart();
    const out = await this.inspect(sandboxId);
    if (!out) throw new Error(`Sandbox ${sandboxId} vanished during reset.`);
    return out;
  }

  /** After a start (never during one): replace the spare stores it used. */
  private refillAfterStart(): void {
    const cur = this.seeding;
    if (!cur || !this.spareStores) return;
    void cur.dir.then((seed) => { if (seed) this.refillSpareStores(seed); });
  }

  private async createNetwork(id: string, labels: Record<string, string>, signal?: AbortSignal): Promise<{ name: string; subnet: string }> {
    const name = names.network(this.cfg.instance, id);
    for (let attempt = 0; attempt < 8; attempt++) {
      signal?.throwIfAborted();
      const nets = await this.docker.listNetworks();
      const used = nets.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? '')).filter(Boolean);
      const candidates = freeSubnets(this.cfg.labPool, [...used, ...this.pendingSubnets], this.subnetCursor);
      const subnet = candidates[0];
      if (!subnet) throw new Error(`No free /24 left in DNL_LAB_POOL ${this.cfg.labPool}; remove unused lab networks or choose a larger pool.`);
      this.subnetCursor = (this.subnetCursor + 1) % 256;
      this.pendingSubnets.add(subnet);
      try {
        await this.docker.createNetwork({
          Name: name, Driver: 'bridge', Internal: true, CheckDuplicate: true,
          IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] },
          // No masquerading; a bridge name with our prefix so one host firewall rule covers every lab.
          Options: { 'com.docker.network.bridge.enable_ip_masquerade': 'false', 'com.docker.network.bridge.name': `${BRIDGE_PREFIX}${id}` },
          Labels: { ...labels, [L.role]: 'network' },
        });
        this.mark(id, undefined, 'network');
        return { name, subnet };
      } catch (err) {
        // Another runner took that /24 between our list and create: try the next one.
        if (!/overlap|already in use|conflict/i.test(String(err))) throw err;
      } finally {
        this.pendingSubnets.delete(subnet);
      }
    }
    throw new Error('Could not find a free lab subnet after 8 attempts (many runners creating networks at once?).');
  }

  /** The host's socket folder and its /var/lib/docker volume (filled from the seed when there is one). */
  private async prepareHost(id: string, host: string, labels: Record<string, string>, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const dir = this.socketDir(id, host);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const volume = names.dockerVolume(this.cfg.instance, id, host);
    const volLabels = { ...labels, [L.role]: 'docker-volume', [L.host]: host };
    // The first start of a new host image waits for the seed build; a cancelled start does not.
    const seed = await untilAborted(this.seed(), signal);
    this.mark(id, host, 'seed-known');
    if (seed) {
      // A named volume (labels, name with the sandbox id) bound to a folder we fill from the seed.
      const vdir = this.volumeDir(id, host);
      fs.rmSync(vdir, { recursive: true, force: true });
      fs.mkdirSync(path.dirname(vdir), { recursive: true });
      if (this.takeSpareStore(seed, vdir)) this.mark(id, host, 'spare-store');
      else {
        fs.mkdirSync(vdir, { recursive: true });
        await populateFromSeed(path.join(seed, 'docker'), vdir);
      }
      this.mark(id, host, 'store');
      await this.docker.createVolume({ Name: volume, Driver: 'local', DriverOpts: { type: 'none', o: 'bind', device: vdir }, Labels: volLabels });
    } else {
      await this.docker.createVolume({ Name: volume, Labels: volLabels });
    }
    this.mark(id, host, 'volume');
  }

  private async startHost(id: string, host: string, index: number, net: string, subnet: string,
    labels: Record<string, string>, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const dir = this.socketDir(id, host);
    const volume = names.dockerVolume(this.cfg.instance, id, host);
    const cgroupV1 = await this.outerCgroupV1();
    await this.createAndStart((m) => ({
      name: names.container(this.cfg.instance, id, host),
      Image: this.image,
      Hostname: host,
      Labels: { ...labels, [L.role]: 'host', [L.host]: host },
      Tty: false,
      // dnl-init gives dockerd this long before it writes `failed` (its own default is 60 s): the
      // same budget the runner waits, so a start on a very busy machine is not failed early.
      Env: [`DNL_READY_TIMEOUT=${Math.ceil(this.readyTimeoutMs / 1000)}`],
      StopSignal: 'SIGTERM',
      HostConfig: {
        ...securityHostConfig(m, this.cfg.runtime),
        Mounts: [{ Type: 'volume', Source: volume, Target: '/var/lib/docker' }],
        Binds: [`${dir}:/run/dnl`, ...(m === 'fallback' && cgroupV1 ? [CGROUP_V1_BIND] : [])],
        Tmpfs: { '/run': 'rw,nosuid,nodev,mode=755', '/tmp': 'rw,nosuid,nodev,size=64m' },
        Memory: this.cfg.hostMemoryMb * 1024 * 1024,
        MemorySwap: this.cfg.hostMemoryMb * 1024 * 1024, // no swap: a memory hog meets the limit
        PidsLimit: this.cfg.hostPids,
        // Booting (dnl-init, containerd, dockerd: ~1.3 s of CPU) runs no learner code, so it may
        // use more than the host's share; waitReady lowers the limit before anyone gets the host.
        NanoCpus: this.bootNanoCpus(),
        RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
        // No upstream resolver: names outside the lab fail fast and locally (DESIGN.md).
        Dns: ['127.0.0.1'],
        DnsSearch: ['.'],
        // Host names of the lab in /etc/hosts (addresses are fixed: nodeN = .N+1), so they resolve
        // even though dnl-init points resolv.conf at loopback only.
        ExtraHosts: hostNames(num(labels[L.topology], index + 1)).map((h, i) => `${h}:${hostIp(subnet, i + 1)}`),
        NetworkMode: net,
        Init: false,
      },
      NetworkingConfig: {
        EndpointsConfig: { [net]: { IPAMConfig: { IPv4Address: hostIp(subnet, index + 1) }, Aliases: [host] } },
      },
    }), () => this.mark(id, host, 'created'));
    this.mark(id, host, 'started');
  }

  private hostNanoCpus(): number { return Math.round(this.cfg.hostCpus * 1e9); }

  private bootNanoCpus(): number {
    return Math.max(this.hostNanoCpus(), Math.round((this.cfg.hostBootCpus ?? os.cpus().length) * 1e9));
  }

  /** Puts a booted host under its CPU limit (a no-op for the engine when it already is). */
  private async settleLimits(container: Docker.Container): Promise<void> {
    if (this.bootNanoCpus() === this.hostNanoCpus()) return;
    await container.update({ NanoCpus: this.hostNanoCpus() });
  }

  private cgroupV1: Promise<boolean> | undefined;

  /** Whether the outer engine runs on cgroup v1 (asked once; false when the engine does not say). */
  private outerCgroupV1(): Promise<boolean> {
    this.cgroupV1 ??= this.docker.info()
      .then((i: { CgroupVersion?: string }) => i.CgroupVersion === '1')
      .catch(() => false);
    return this.cgroupV1;
  }

  /** Decides once whether sandbox hosts run privileged, via a configured runtime, or the fallback. */
  private securityMode_(): Promise<SecurityMode> {
    if (this.security) return Promise.resolve(this.security);
    if (this.cfg.runtime) { this.security = 'runtime'; return Promise.resolve('runtime'); }
    // The first host of this process decides (createAndStart falls back on refusal); no extra probe.
    return Promise.resolve('privileged');
  }

  // ---------------------------------------------------------------- readiness

  /**
   * Ready = the inner engine answers on its socket AND busybox + nginx are usable: either
   * dnl-init said so (/run/dnl/ready, after loading them) or the engine lists both (a seeded
   * store has them from the first answer; asking directly saves dnl-init's poll and check).
   */
  async isReady(sandboxId: string, host: string, signal?: AbortSignal): Promise<boolean> {
    const dir = this.socketDir(sandboxId, host);
    if (fs.existsSync(path.join(dir, 'ready'))) {
      try { await this.engine(sandboxId, host).ping(); return true; } catch { return false; }
    }
    // The engine creates its socket early in its start and serves it once initialised; a
    // request sent in between waits in the listen backlog and is answered the moment the API
    // is up, so this needs no polling interval. Bounded, so waitReady keeps watching `failed`.
    if (!fs.existsSync(path.join(dir, 'docker.sock'))) return false;
    const bounded = AbortSignal.any([AbortSignal.timeout(2000), ...(signal ? [signal] : [])]);
    try {
      const images = await this.engine(sandboxId, host).listImages({ abortSignal: bounded } as Docker.ListImagesOptions);
      const tags = new Set(images.flatMap((i) => i.RepoTags ?? []));
      return READY_IMAGES.every((t) => tags.has(t));
    } catch { return false; }
  }

  async waitReady(sandboxId: string, host: string, signal?: AbortSignal): Promise<void> {
    const dir = this.socketDir(sandboxId, host);
    const deadline = Date.now() + this.readyTimeoutMs;
    const container = this.docker.getContainer(names.container(this.cfg.instance, sandboxId, host));
    let lastInspect = 0;
    // inotify on the bind-mounted folder wakes us the moment dnl-init touches `ready`; a slow
    // timer is only the safety net (and watches for a host that died while starting).
    let wake: () => void = () => undefined;
    let watcher: fs.FSWatcher | undefined;
    try { watcher = fs.watch(dir, () => wake()); } catch { /* folder not there yet: timer only */ }
    const onAbort = () => wake();
    signal?.addEventListener('abort', onAbort);
    try {
      for (;;) {
        signal?.throwIfAborted();
        if (await this.isReady(sandboxId, host, signal)) { await this.settleLimits(container); return; }
        // dnl-init writes its reason here when the inner engine or an image load fails.
        const failed = readIfExists(path.join(dir, 'failed'));
        if (failed) throw new Error(`Sandbox host ${host} of ${sandboxId} failed to start: ${failed.trim()}`);
        if (Date.now() > deadline) {
          throw new Error(`Sandbox host ${host} of ${sandboxId} was not ready after ${Math.round(this.readyTimeoutMs / 1000)} s. ${await this.tail(container)}`);
        }
        if (Date.now() - lastInspect > 2000) {
          lastInspect = Date.now();
          const st = await container.inspect().catch(() => undefined);
          if (!st) throw new Error(`Sandbox host ${host} of ${sandboxId} is gone.`);
          if (!st.State.Running && !st.State.Restarting) {
            throw new Error(`Sandbox host ${host} of ${sandboxId} stopped while starting (exit ${st.State.ExitCode}). ${await this.tail(container)}`);
          }
        }
        await new Promise<void>((resolve) => {
          const soon = fs.existsSync(path.join(dir, 'ready')) || fs.existsSync(path.join(dir, 'docker.sock'));
          const t = setTimeout(resolve, soon ? 50 : 500);
          wake = () => { clearTimeout(t); resolve(); };
        });
      }
    } finally {
      watcher?.close();
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private async tail(c: Docker.Container): Promise<string> {
    try {
      const buf = await c.logs({ stdout: true, stderr: true, tail: 15 }) as unknown as Buffer;
      const text = demuxBuffer(buf).trim();
      return text ? `Last lines of its log:\n${text}` : '';
    } catch { return ''; }
  }

  async ensureRunning(sandboxId: string, signal?: AbortSignal): Promise<SandboxInfo> {
    const hosts = await this.hostContainers(sandboxId);
    await Promise.all(hosts.map(async (h) => {
      if (h.container.State !== 'running') {
        // The old socket and ready marker are stale; the host's entrypoint recreates both.
        for (const f of ['ready', 'failed']) fs.rmSync(path.join(this.socketDir(sandboxId, h.name), f), { force: true });
        await this.docker.getContainer(h.container.Id).start().catch((err: unknown) => {
          if (!/already started|304/.test(String(err))) throw err;
        });
      }
      await this.waitReady(sandboxId, h.name, signal);
    }));
    const info = await this.inspect(sandboxId);
    if (!info) throw new Error(`Sandbox ${sandboxId} vanished while starting.`);
    return info;
  }

  // ---------------------------------------------------------------- records

  private async hostContainers(sandboxId: string): Promise<HostRecord[]> {
    const list = await this.docker.listContainers({ all: true, filters: labelFilter(this.cfg.instance, { [L.sandbox]: sandboxId, [L.role]: 'host' }) });
    return list.map((c) => ({ name: c.Labels[L.host] ?? '', container: c })).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  }

  async inspect(sandboxId: string): Promise<SandboxInfo | undefined> {
    const all = await this.snapshot(sandboxId);
    return all.get(sandboxId);
  }

  async list(): Promise<SandboxInfo[]> {
    return [...(await this.snapshot()).values()];
  }

  /** Every COMPLETE sandbox of this instance (network + all hosts), labels merged with the newest record. */
  private async snapshot(only?: string): Promise<Map<string, SandboxInfo>> {
    const f = labelFilter(this.cfg.instance, only ? { [L.sandbox]: only } : {});
    const [containers, nets, vols] = await Promise.all([
      this.docker.listContainers({ all: true, filters: f }),
      this.docker.listNetworks({ filters: f }),
      this.docker.listVolumes({ filters: f }),
    ]);
    const out = new Map<string, SandboxInfo>();
    for (const n of nets) {
      const id = n.Labels?.[L.sandbox];
      if (!id || n.Labels?.[L.role] !== 'network') continue;
      const hostsC = containers.filter((c) => c.Labels[L.sandbox] === id && c.Labels[L.role] === 'host');
      const want = num(n.Labels[L.topology], 1);
      const hosts: HostInfo[] = hostNames(want).flatMap((h) => {
        const c = hostsC.find((x) => x.Labels[L.host] === h);
        if (!c) return [];
        const ip = c.NetworkSettings?.Networks?.[n.Name]?.IPAddress || c.NetworkSettings?.Networks?.[n.Name]?.IPAMConfig?.IPv4Address || '';
        return [{ name: h, id: c.Id, ip, running: c.State === 'running' }];
      });
      if (hosts.length !== want) continue; // incomplete: sweep() decides its fate
      const subnet = n.IPAM?.Config?.[0]?.Subnet ?? '';
      const rec = latestRecord((vols.Volumes ?? []).filter((v) => v.Labels?.[L.sandbox] === id));
      const labels = pickSandboxLabels({ ...hostsC[0]!.Labels, ...(rec ?? {}) });
      out.set(id, { id, hosts, network: { name: n.Name, subnet }, labels, createdAt: num(labels[L.created]) });
    }
    return out;
  }

  async updateLabels(sandboxId: string, labels: Record<string, string>): Promise<void> {
    // Two engine calls (list records, create one): this is on the warm-pool claim path.
    await writeRecord(this.docker, this.cfg.instance, sandboxId, labels);
  }

  async sweep(busy: ReadonlySet<string>): Promise<string[]> {
    const f = labelFilter(this.cfg.instance);
    const [containers, nets, vols] = await Promise.all([
      this.docker.listContainers({ all: true, filters: f }),
      this.docker.listNetworks({ filters: f }),
      this.docker.listVolumes({ filters: f }),
    ]);
    const complete = new Set((await this.list()).map((s) => s.id));
    const ids = new Set<string>();
    for (const l of [...containers.map((c) => c.Labels), ...nets.map((n) => n.Labels ?? {}), ...(vols.Volumes ?? []).map((v) => v.Labels ?? {})]) {
      const id = l[L.sandbox];
      if (id && !complete.has(id) && !busy.has(id)) ids.add(id);
    }
    for (const id of ids) await this.destroy(id);
    // Socket folders whose sandbox no longer exists (e.g. removed by hand with docker rm).
    for (const sub of ['sockets', 'volumes']) {
      const root = path.join(this.cfg.dataDir, sub);
      for (const d of safeReaddir(root)) if (!complete.has(d) && !busy.has(d)) fs.rmSync(path.join(root, d), { recursive: true, force: true });
    }
    // A seed host left by a crash mid-build (builds take well under ten minutes).
    for (const c of containers) {
      if (c.Labels[L.role] === 'seed' && c.Created * 1000 < Date.now() - 600_000) await this.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
    return [...ids];
  }

  async pause(sandboxId: string): Promise<void> {
    // Freezes every process of the sandbox's hosts (the cgroup freezer): a disk filler stops
    // writing at once. reset() removes the hosts with force, which works on paused containers.
    const hosts = await this.docker.listContainers({ filters: labelFilter(this.cfg.instance, { [L.sandbox]: sandboxId, [L.role]: 'host' }) });
    await Promise.all(hosts.map((c) => this.docker.getContainer(c.Id).pause().catch((err: unknown) => {
      if (!/already paused/i.test(String(err))) throw err;
    })));
  }

  async diskUsage(sandboxId: string): Promise<Record<string, number>> {
    // SizeRw of the host containers themselves (the learner's shell writes there) …
    const outer = await this.docker.listContainers({ all: true, size: true, filters: labelFilter(this.cfg.instance, { [L.sandbox]: sandboxId, [L.role]: 'host' }) });
    const out: Record<string, number> = {};
    await Promise.all(outer.map(async (c) => {
      const host = c.Labels[L.host] ?? '';
      let inner = 0;
      try {
        // … plus what the inner engine holds in the /var/lib/docker volume. A paused host's engine
        // is frozen and would never answer; a busy one gets 20 s.
        if (c.State !== 'running') throw new Error('not running');
        const df = await Promise.race([this.engine(sandboxId, host).df(), new Promise((_, reject) => setTimeout(() => reject(new Error('df timed out')), 20_000).unref())]) as {
          LayersSize?: number; Containers?: Array<{ SizeRw?: number }>; Volumes?: Array<{ UsageData?: { Size?: number } }>; BuildCache?: Array<{ Size?: number }>;
        };
        inner = (df.LayersSize ?? 0)
          + (df.Containers ?? []).reduce((a, x) => a + Math.max(0, x.SizeRw ?? 0), 0)
          + (df.Volumes ?? []).reduce((a, x) => a + Math.max(0, x.UsageData?.Size ?? 0), 0)
          + (df.BuildCache ?? []).reduce((a, x) => a + Math.max(0, x.Size ?? 0), 0);
      } catch { /* engine not answering: count the outer layer only */ }
      out[host] = inner + Math.max(0, (c as { SizeRw?: number }).SizeRw ?? 0);
    }));
    return out;
  }

  // ---------------------------------------------------------------- exec / engine / terminal / events

  async exec(sandboxId: string, host: string, script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const c = this.docker.getContainer(names.container(this.cfg.instance, sandboxId, host));
    const secs = opts.timeoutMs ? Math.max(1, Math.ceil(opts.timeoutMs / 1000)) : 0;
    // coreutils timeout gives the same 124 a learner would see from timeout(1), and kills the
    // whole command where it runs (an exec cannot be killed through the API).
    const Cmd = secs ? ['timeout', '-k', '2', String(secs), 'bash', '-lc', script] : ['bash', '-lc', script];
    opts.signal?.throwIfAborted();
    const ex = await c.exec({ Cmd, AttachStdout: true, AttachStderr: true, AttachStdin: opts.stdin !== undefined, Tty: false });
    const stream = await ex.start({ hijack: true, stdin: opts.stdin !== undefined });
    const out = new PassThrough(), err = new PassThrough();
    const so: Buffer[] = [], se: Buffer[] = [];
    out.on('data', (b: Buffer) => so.push(b));
    err.on('data', (b: Buffer) => se.push(b));
    this.docker.modem.demuxStream(stream, out, err);
    if (opts.stdin !== undefined) stream.end(opts.stdin);
    let timedOut = false;
    let aborted = false;
    await new Promise<void>((resolve) => {
      const finish = () => { clearTimeout(timer); opts.signal?.removeEventListener('abort', onAbort); resolve(); };
      const kill = async () => {
        // Best effort: the exec's process lives in the host container; kill its process tree there.
        try {
          const st = await ex.inspect();
          if (st.Running && st.Pid) process.kill(st.Pid, 'SIGKILL');
        } catch { /* already gone */ }
        stream.destroy();
        finish();
      };
      const onAbort = () => { aborted = true; void kill(); };
      const timer = secs ? setTimeout(() => { timedOut = true; void kill(); }, secs * 1000 + 5000) : undefined;
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      stream.on('end', finish);
      stream.on('close', finish);
      stream.on('error', finish);
    });
    if (aborted) throw opts.signal?.reason ?? new Error('aborted');
    let exitCode = timedOut ? 124 : -1;
    for (let i = 0; i < 20 && exitCode === -1; i++) {
      const st = await ex.inspect();
      if (!st.Running && st.ExitCode !== null) exitCode = st.ExitCode;
      else await new Promise((r) => setTimeout(r, 25));
    }
    return { exitCode, stdout: Buffer.concat(so).toString('utf8'), stderr: Buffer.concat(se).toString('utf8') };
  }

  engine(sandboxId: string, host: string): Docker {
    const key = `${sandboxId}/${host}`;
    let d = this.engines.get(key);
    if (!d) {
      d = new Docker({ socketPath: path.join(this.socketDir(sandboxId, host), 'docker.sock') });
      this.engines.set(key, d);
    }
    return d;
  }

  terminalCommand(sandboxId: string, host: string): { file: string; args: string[] } {
    const h = this.cfg.dockerSocket === '/var/run/docker.sock' ? [] : ['-H', `unix://${this.cfg.dockerSocket}`];
    return { file: 'docker', args: [...h, 'exec', '-it', '-e', 'TERM=xterm-256color', names.container(this.cfg.instance, sandboxId, host), 'bash', '-l'] };
  }

  async events(sandboxId: string, signal: AbortSignal, onEvent: (e: SandboxEvent) => void): Promise<void> {
    const info = await this.inspect(sandboxId);
    if (!info) throw new Error(`Sandbox ${sandboxId} does not exist.`);
    await Promise.all(info.hosts.map((h) => this.followHost(sandboxId, h.name, signal, onEvent)));
  }

  /** One host's inner event stream; re-subscribes when the host (or its dockerd) restarts. */
  private async followHost(sandboxId: string, host: string, signal: AbortSignal, onEvent: (e: SandboxEvent) => void): Promise<void> {
    let backoff = 200;
    while (!signal.aborted) {
      try {
        const stream = await this.engine(sandboxId, host).getEvents({ abortSignal: signal } as Docker.GetEventsOptions);
        backoff = 200;
        await new Promise<void>((resolve) => {
          let buf = '';
          const onAbort = () => { (stream as unknown as { destroy?: () => void }).destroy?.(); resolve(); };
          signal.addEventListener('abort', onAbort, { once: true });
          stream.on('data', (chunk: Buffer) => {
            buf += chunk.toString('utf8');
            let i: number;
            while ((i = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, i).trim();
              buf = buf.slice(i + 1);
              if (!line) continue;
              const e = parseEvent(sandboxId, host, line);
              if (e) onEvent(e);
            }
          });
          const done = () => { signal.removeEventListener('abort', onAbort); resolve(); };
          stream.on('end', done);
          stream.on('close', done);
          stream.on('error', done);
        });
      } catch {
        // Inner engine not answering (host restarting, or being reset): wait and try again.
      }
      if (signal.aborted) return;
      await new Promise<void>((resolve) => {
        const done = () => { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); };
        const t = setTimeout(done, backoff);
        signal.addEventListener('abort', done, { once: true });
      });
      backoff = Math.min(backoff * 2, 5000);
      if (!(await this.inspect(sandboxId).catch(() => undefined))) return; // sandbox destroyed
    }
  }
}

function parseEvent(sandboxId: string, host: string, line: string): SandboxEvent | undefined {
  try {
    const j = JSON.parse(line) as { Type?: string; Action?: string; Actor?: { ID?: string; Attributes?: Record<string, string> }; time?: number; timeNano?: number };
    return {
      sandboxId, host,
      type: j.Type ?? 'unknown', action: j.Action ?? '',
      actor: { id: j.Actor?.ID ?? '', attributes: j.Actor?.Attributes ?? {} },
      time: j.timeNano ? Math.floor(j.timeNano / 1e6) : (j.time ?? 0) * 1000,
    };
  } catch { return undefined; }
}

function pickSandboxLabels(l: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const skip = new Set<string>([L.role, L.host, L.rev, 'dnl.image', 'dnl.recipe-hash']); // the last two come from the image
  for (const [k, v] of Object.entries(l)) if (k.startsWith('dnl.') && !skip.has(k)) out[k] = v;
  return out;
}

/** Splits Docker's multiplexed log format (8-byte frame headers) into plain text. */
export function demuxBuffer(buf: Buffer): string {
  if (!Buffer.isBuffer(buf)) return String(buf);
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length && (buf[i] === 1 || buf[i] === 2 || buf[i] === 0)) {
    const len = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  return parts.length ? Buffer.concat(parts).toString('utf8') : buf.toString('utf8');
}

function ignoreGone(err: unknown): void {
  const code = (err as { statusCode?: number }).statusCode;
  if (code === 404 || (code === 409 && /in progress/.test(String(err)))) return;
  throw err;
}

function untilAborted<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => { signal.removeEventListener('abort', onAbort); resolve(v); }, (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); });
  });
}

function readIfExists(file: string): string | undefined {
  try { return fs.readFileSync(file, 'utf8'); } catch { return undefined; }
}

function safeReaddir(dir: string): string[] {
  try { return fs.readdirSync(dir); } catch { return []; }
}
