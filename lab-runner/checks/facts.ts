// Read-only facts about a lab, memoized for one evaluation round: a lesson's exercises ask about
// the same few containers and networks, so each is inspected once per round, concurrently.
// Engine failures become LabError with words a learner can act on; the raw error is kept for logs.
import type Docker from 'dockerode';
import type { CheckTarget } from './target.ts';

export class LabError extends Error {
  constructor(readonly reason: string, readonly detail?: unknown) { super(reason); }
}

type NetworkInfo = Docker.NetworkInspectInfo;
type ContainerInfo = Docker.ContainerInspectInfo;

function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'statusCode' in err ? Number((err as { statusCode: unknown }).statusCode) : undefined;
}

/** Probes (execs) in flight per evaluation round: enough for concurrency, few enough that a
 * busy 2-core machine does not starve each probe past its timeout. */
const EXEC_SLOTS = 4;

export class Facts {
  private memo = new Map<string, Promise<unknown>>();
  private running = 0;
  private waiting: Array<() => void> = [];
  constructor(readonly target: CheckTarget, readonly signal?: AbortSignal) {}

  /** Runs a probe when one of the round's exec slots is free. */
  async probe<T>(run: () => Promise<T>): Promise<T> {
    if (this.running >= EXEC_SLOTS) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try { return await run(); } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  engine(host: string): Docker {
    if (!this.target.hosts().includes(host)) {
      throw new LabError(`This exercise needs the host ${host}, but your lab only has ${this.target.hosts().join(', ')}.`);
    }
    return this.target.engine(host);
  }

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load().catch((err: unknown) => {
        if (err instanceof LabError) throw err;
        if (this.signal?.aborted) throw this.signal.reason;
        throw new LabError(`${key.split(':')[1]}'s Docker engine did not answer (the host may be starting or was just reset); try Check again.`, err);
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
}
