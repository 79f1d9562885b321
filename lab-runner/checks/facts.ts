// Read-only facts about a lab, memoized for one evaluation round: a lesson's exercises ask about
// the same few containers and networks, so each is inspected once per round, concurrently, and
// the same probe (a ping from A to B that two exercises need) runs once per round.
// Probes are the slow part (a runc exec plus, for isolation, a ping that must time out), so a
// watcher may also keep their results between rounds in a ProbeCache, keyed by the Docker state
// the probe depends on: a result is reused only while that state is unchanged.
// Engine failures become LabError with words a learner can act on; the raw error is kept for logs.
import os from 'node:os';
import type Docker from 'dockerode';
import type { ExecResult } from '../provider/types.ts';
import { say, type Reason } from './reasons.ts';
import type { CheckTarget } from './target.ts';

export class LabError extends Error {
  constructor(readonly why: Reason, readonly detail?: unknown) { super(why.en); }
}

type NetworkInfo = Docker.NetworkInspectInfo;
type ContainerInfo = Docker.ContainerInspectInfo;

function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'statusCode' in err ? Number((err as { statusCode: unknown }).statusCode) : undefined;
}

/** Probes (execs) in flight per evaluation round: enough for concurrency, few enough that a
 * busy 2-core machine does not starve each probe past its timeout (6 made the self-test's final
 * all-at-once round miss DNS/HTTP deadlines at load 100; the slow isolation pings go first). */
export const EXEC_SLOTS = 4;

/** Probe execs in flight in this whole runner, every sandbox's rounds together. Without a bound,
 * a room of 30 pressing Check at once starts a hundred `docker exec`s on 2 cores: each misses
 * its own deadline, the failures bring more Check presses, and nothing passes any more
 * (congestion collapse). A queued probe costs nothing; the most urgent goes first. */
export const MACHINE_EXEC_SLOTS = Math.max(4, 2 * os.availableParallelism());

/** At most `slots` tasks at once; waiters by priority (lower first), FIFO within one. */
export class Gate {
  private running = 0;
  private readonly waiting: Array<{ priority: number; go: () => void; signal?: AbortSignal }> = [];
  constructor(readonly slots: number) {}

  get busy(): number { return this.running; }
  get queued(): number { return this.waiting.length; }

  async run<T>(task: () => Promise<T>, priority = 0, signal?: AbortSignal): Promise<T> {
    if (this.running >= this.slots) {
      await new Promise<void>((go, stop) => {
        const w = { priority, go: () => { signal?.removeEventListener('abort', drop); go(); }, signal };
        // A round made stale while its probe waited never starts the exec at all.
        const drop = (): void => {
          const i = this.waiting.indexOf(w);
          if (i >= 0) this.waiting.splice(i, 1);
          stop(signal!.reason);
        };
        if (signal?.aborted) { stop(signal.reason); return; }
        signal?.addEventListener('abort', drop, { once: true });
        let i = this.waiting.findIndex((x) => x.priority > priority);
        if (i < 0) i = this.waiting.length;
        this.waiting.splice(i, 0, w);
      });
    }
    this.running++;
    try { return await task(); } finally {
      this.running--;
      this.waiting.shift()?.go();
    }
  }
}

/** The runner-wide bound on probe execs (see MACHINE_EXEC_SLOTS). */
export const machineExecs = new Gate(MACHINE_EXEC_SLOTS);

/**
 * Probe results kept between the rounds of one live watcher. An entry is only ever read under
 * the same key, and the key carries the Docker state the probe depends on (see Facts.depsOf…),
 * so any change Docker knows about (a container restarted, connected, removed …) misses the
 * cache. Changes Docker does not announce (an iptables rule typed on the host) are caught by
 * rounds that bypass the cache: the first one, the Check button, terminal activity. The TTL
 * bounds how long such a change can hide behind event-driven rounds.
 */
export class ProbeCache {
  private readonly entries = new Map<string, { at: number; result: ExecResult }>();
  constructor(private readonly ttlMs = 60_000, private readonly max = 500) {}

  get(key: string): ExecResult | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (Date.now() - e.at > this.ttlMs) { this.entries.delete(key); return undefined; }
    return e.result;
  }

  set(key: string, result: ExecResult): void {
    this.entries.delete(key);
    this.entries.set(key, { at: Date.now(), result });
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  clear(): void { this.entries.clear(); }
  get size(): number { return this.entries.size; }
}

export interface FactsOptions {
  /** Results kept between rounds (live watcher). */
  cache?: ProbeCache;
  /** Run every probe even when the cache holds its result (Check button, first round); results are still stored. */
  fresh?: boolean;
}

/** What one round did, for traces and benchmarks. */
export interface RoundStats { probesRun: number; probesCached: number; probesShared: number }

export class Facts {
  private memo = new Map<string, Promise<unknown>>();
  /** This round's own exec slots (EXEC_SLOTS), inside the runner-wide ones. */
  private readonly slots = new Gate(EXEC_SLOTS);
  readonly stats: RoundStats = { probesRun: 0, probesCached: 0, probesShared: 0 };
  constructor(readonly target: CheckTarget, readonly signal?: AbortSignal, readonly opts: FactsOptions = {}) {}

  /** Runs a probe when one of the round's exec slots, and then one of the runner's, is free; a
   *  lower priority number goes first. A probe's own timeout starts when it runs, not while it waits. */
  probe<T>(run: () => Promise<T>, priority = 0): Promise<T> {
    return this.slots.run(() => machineExecs.run(run, priority, this.signal), priority, this.signal);
  }

  /**
   * A probe inside a container: run once per round (shared by every check asking the same),
   * and, when `deps` (the Docker state it depends on) is given, reused from earlier rounds while
   * that state is unchanged. Only results `keep` accepts are stored (the caller keeps verdicts
   * that passed, so a flaky failure is always re-probed).
   */
  execProbe(key: string, run: () => Promise<ExecResult>, o: { deps?: string; keep?: (r: ExecResult) => boolean; priority?: number; reuse?: boolean } = {}): Promise<ExecResult> {
    const roundKey = `probe:${key}`;
    const shared = this.memo.get(roundKey) as Promise<ExecResult> | undefined;
    if (shared) { this.stats.probesShared++; return shared; }
    const cacheKey = o.deps !== undefined ? `${key}\u0000${o.deps}` : undefined;
    const cache = this.opts.cache;
    const hit = cacheKey && cache && (!this.opts.fresh || o.reuse) ? cache.get(cacheKey) : undefined;
    if (hit) { this.stats.probesCached++; return Promise.resolve(hit); }
    const p = this.probe(run, o.priority).then((r) => {
      this.stats.probesRun++;
      if (cacheKey && cache && !this.signal?.aborted && (o.keep?.(r) ?? false)) cache.set(cacheKey, r);
      return r;
    });
    this.memo.set(roundKey, p);
    p.catch(() => this.memo.delete(roundKey));
    return p;
  }

  engine(host: string): Docker {
    if (!this.target.hosts().includes(host)) {
      const hosts = this.target.hosts().join(', ');
      throw new LabError(say.unknownHost({ host, hosts }));
    }
    return this.target.engine(host);
  }

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load().catch((err: unknown) => {
        if (err instanceof LabError) throw err;
        if (this.signal?.aborted) throw this.signal.reason;
        throw new LabError(say.engineDown({ host: key.split(':')[1]! }), err);
      });
      this.memo.set(key, p);
    }
    return p;
  }

  /** The network whose name is exactly `name` (inspect by name alone also matches id prefixes). */
  network(host: string, name: string): Promise<NetworkInfo | undefined> {
    return this.once(`net:${host}:${name}`, async () => {
      const docker = this.engine(host);
      const list = await docker.listNetworks({ filters: { name: [name] }, abortSignal: this.signal } as object);
      const hit = list.find((n) => n.Name === name);
      if (!hit) return undefined;
      try {
        return (await docker.getNetwork(hit.Id).inspect()) as NetworkInfo;
      } catch (err) { if (statusOf(err) === 404) return undefined; throw err; }
    });
  }

  /** The container whose name is exactly `name`, or undefined. */
  container(host: string, name: string): Promise<ContainerInfo | undefined> {
    return this.once(`ctr:${host}:${name}`, async () => {
      try {
        const info = await this.engine(host).getContainer(name).inspect({ abortSignal: this.signal } as object);
        return info.Name === `/${name}` ? info : undefined;
      } catch (err) { if (statusOf(err) === 404) return undefined; throw err; }
    });
  }

  info(host: string): Promise<{ Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string } }> {
    return this.once(`info:${host}`, () => this.engine(host).info() as Promise<{ Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } }>);
  }

  /**
   * Every container's and network's identity and addressing on a host, as one string: what a
   * probe by NAME (or by a literal IP) depends on, since any container may answer to a name or
   * an address. Changes whenever a container is created, started, stopped, connected …
   */
  hostState(host: string): Promise<string> {
    return this.once(`state:${host}`, async () => {
      const docker = this.engine(host);
      const [ctrs, nets] = await Promise.all([
        docker.listContainers({ all: true, abortSignal: this.signal } as object),
        docker.listNetworks({ abortSignal: this.signal } as object),
      ]);
      const c = ctrs.map((x) => `${x.Id}/${x.State}/${x.Status.startsWith('Up') ? 'up' : 'down'}/${x.Names.join(',')}/${Object.entries(x.NetworkSettings?.Networks ?? {})
        .map(([n, e]) => `${n}=${e.EndpointID}@${e.IPAddress}`).sort().join(',')}`).sort();
      return `${c.join(';')}|${networksKey(nets)}`;
    });
  }

  /** The networks (ids, subnets) of a host: a probe by a container's IP depends on them too. */
  networksState(host: string): Promise<string> {
    return this.once(`nets:${host}`, async () => networksKey(await this.engine(host).listNetworks({ abortSignal: this.signal } as object)));
  }
}

function networksKey(nets: Docker.NetworkInspectInfo[]): string {
  return nets.map((n) => `${n.Id}:${(n.IPAM?.Config ?? []).map((e) => e.Subnet).join(',')}`).sort().join(';');
}

/** One container's identity, state and every network endpoint: a probe from or to it depends on these. */
export function containerKey(info: ContainerInfo): string {
  const eps = Object.entries(info.NetworkSettings.Networks ?? {})
    .map(([n, e]) => `${n}=${e.NetworkID}/${e.EndpointID}/${e.IPAddress}/${e.MacAddress}/${(e.Aliases ?? []).join(',')}`).sort();
  return `${info.Id}|${info.State.Status}|${info.State.StartedAt}|${info.State.Pid}|${info.HostConfig.NetworkMode}|${eps.join(';')}`;
}
