// One snapshot of a lab as the diagram draws it: for every host, the networks and containers
// of its INNER engine (the learner's Docker), read with two list calls per host. Networks and
// containers are sorted by name so that two snapshots of an unchanged lab compare equal.
import type Docker from 'dockerode';
import type { Topology, TopologyContainer, TopologyEndpoint, TopologyHost, TopologyNetwork } from '../../protocol/topology.ts';

const BUILTIN = new Set(['bridge', 'host', 'none']);

/** What a snapshot needs of a lab: its hosts and a client for each host's inner engine. */
export interface TopologyTarget {
  hosts(): Array<{ name: string; ip?: string }>;
  engine(host: string): Docker;
}

const short = (id: string | undefined): string => (id ?? '').slice(0, 12);

interface ListedNetwork { Id?: string; Name?: string; Driver?: string; Scope?: string; Internal?: boolean; IPAM?: { Config?: Array<{ Subnet?: string; Gateway?: string }> | null } }
interface ListedEndpoint { IPAddress?: string; IPPrefixLen?: number; MacAddress?: string; Gateway?: string; Aliases?: string[] | null; NetworkID?: string }
interface ListedContainer {
  Id?: string; Names?: string[]; Image?: string; State?: string; Status?: string;
  Ports?: Array<{ IP?: string; PrivatePort?: number; PublicPort?: number; Type?: string }>;
  NetworkSettings?: { Networks?: Record<string, ListedEndpoint> };
}

export function toNetwork(n: ListedNetwork): TopologyNetwork {
  // The IPv4 entry first: a dual-stack network lists both.
  const cfg = (n.IPAM?.Config ?? []).find((c) => c.Subnet && !c.Subnet.includes(':')) ?? n.IPAM?.Config?.[0];
  const name = n.Name ?? short(n.Id);
  return {
    id: short(n.Id), name, driver: n.Driver ?? '', scope: n.Scope ?? 'local',
    ...(cfg?.Subnet ? { subnet: cfg.Subnet } : {}),
    ...(cfg?.Gateway ? { gateway: cfg.Gateway } : {}),
    internal: Boolean(n.Internal), builtin: BUILTIN.has(name),
  };
}

export function toContainer(c: ListedContainer): TopologyContainer {
  const endpoints: TopologyEndpoint[] = Object.entries(c.NetworkSettings?.Networks ?? {}).map(([network, e]) => ({
    network,
    ...(e.IPAddress ? { ip: e.IPAddress, prefix: e.IPPrefixLen } : {}),
    ...(e.MacAddress ? { mac: e.MacAddress } : {}),
    ...(e.Gateway ? { gateway: e.Gateway } : {}),
    // Docker lists the container's own short id among its aliases: not something a learner chose.
    aliases: (e.Aliases ?? []).filter((a) => a !== short(c.Id)),
  })).sort((a, b) => a.network.localeCompare(b.network));
  const ports = (c.Ports ?? []).filter((p) => p.PublicPort)
    .map((p) => `${p.IP ?? '0.0.0.0'}:${p.PublicPort}->${p.PrivatePort}/${p.Type ?? 'tcp'}`);
  return {
    id: short(c.Id), name: (c.Names?.[0] ?? short(c.Id)).replace(/^\//, ''), image: c.Image ?? '',
    state: c.State ?? 'unknown', status: c.Status ?? '', ports: [...new Set(ports)].sort(), endpoints,
  };
}

function firstAddress(cidr: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) return undefined;
  const n = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
  const bits = Number(m[5]);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  const first = ((n & mask) + 1) >>> 0;
  return [first >>> 24, (first >>> 16) & 255, (first >>> 8) & 255, first & 255].join('.');
}

/**
 * An engine started with --bip lists its default bridge without a gateway (it is docker0's own
 * address): ask the network itself, else take it from a container attached to it.
 */
async function fillGateways(engine: Docker, networks: TopologyNetwork[], containers: TopologyContainer[], signal?: AbortSignal): Promise<void> {
  await Promise.all(networks.filter((n) => n.subnet && !n.gateway).map(async (n) => {
    try {
      const full = (await engine.getNetwork(n.id).inspect({ abortSignal: signal } as never)) as unknown as ListedNetwork;
      const gw = (full.IPAM?.Config ?? []).find((c) => c.Gateway && !c.Gateway.includes(':'))?.Gateway;
      if (gw) { n.gateway = gw; return; }
    } catch { /* removed meanwhile: the next event redraws */ }
    const seen = containers.flatMap((c) => c.endpoints).find((e) => e.network === n.name && e.gateway)?.gateway;
    // A fresh engine's default bridge: docker0 takes the subnet's first address (no --bip here).
    n.gateway = seen ?? (n.driver === 'bridge' ? firstAddress(n.subnet!) : undefined);
    if (!n.gateway) delete n.gateway;
  }));
}

async function readHost(target: TopologyTarget, host: { name: string; ip?: string }, signal?: AbortSignal): Promise<TopologyHost> {
  const base = { name: host.name, ...(host.ip ? { ip: host.ip } : {}) };
  try {
    const engine = target.engine(host.name);
    const opts = { abortSignal: signal } as Record<string, unknown>;
    const [nets, ctrs] = await Promise.all([
      engine.listNetworks({ ...opts }) as Promise<ListedNetwork[]>,
      engine.listContainers({ all: true, ...opts }) as Promise<ListedContainer[]>,
    ]);
    const networks = nets.map(toNetwork);
    const containers = ctrs.map(toContainer);
    await fillGateways(engine, networks, containers, signal);
    return {
      ...base,
      networks: networks.sort((a, b) => Number(b.builtin) - Number(a.builtin) || a.name.localeCompare(b.name)),
      containers: containers.sort((a, b) => a.name.localeCompare(b.name)),
    };
  } catch (err) {
    if (signal?.aborted) throw err;
    return { ...base, error: `Docker on ${host.name} is not answering yet (${err instanceof Error ? err.message : String(err)}).`, networks: [], containers: [] };
  }
}

/** Reads every host of the lab at once. A host whose engine does not answer carries an error instead. */
export async function readTopology(sandbox: string, target: TopologyTarget, signal?: AbortSignal): Promise<Topology> {
  const hosts = await Promise.all(target.hosts().map((h) => readHost(target, h, signal)));
  return { type: 'topology', sandbox, at: Date.now(), hosts };
}

/** Equal labs, ignoring when they were read and Docker's clock-driven status text ("Up 3 minutes"). */
export function sameTopology(a: Topology | undefined, b: Topology): boolean {
  const key = (t: Topology) => JSON.stringify({ ...t, at: 0, hosts: t.hosts.map((h) => ({ ...h, containers: h.containers.map((c) => ({ ...c, status: '' })) })) });
  return a !== undefined && key(a) === key(b);
}
