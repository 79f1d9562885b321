// The check evaluator: turns one check (lessons/checks.ts) into Engine API reads and, where only
// real traffic can tell, short probes inside the lab (`ping -c1 -W1` in the source container, an
// HTTP GET on the host's loopback). Every outcome carries one sentence for the learner; raw
// daemon errors go to the log only. Independent sub-checks run concurrently.
import type Docker from 'dockerode';
import { answerOf, needsTraffic, type Check, type CheckOf, type CheckResult } from '../../lessons/checks.ts';
import { execIn } from './container-exec.ts';
import { Facts, LabError } from './facts.ts';
import type { CheckTarget } from './target.ts';

type Verdict = { passed: boolean; reason: string };
const ok = (reason: string): Verdict => ({ passed: true, reason });
const no = (reason: string): Verdict => ({ passed: false, reason });

/** A hung probe is abandoned after this long. Probes end by themselves much sooner (ping has
 * its own 1–2 s deadline), so this only matters on a badly overloaded host. */
const PROBE_MS = 10_000;

export interface EvaluateOptions {
  signal?: AbortSignal;
  /** Share one Facts between checks of the same round (one inspect per object). */
  facts?: Facts;
  /** Called with the raw error when an engine call fails (for operators' logs). */
  onEngineError?: (err: unknown) => void;
  /** The learner's typed answer, for `answer` checks. */
  answer?: string;
}

export async function evaluate(check: Check, target: CheckTarget, opts: EvaluateOptions = {}): Promise<CheckResult> {
  const t0 = performance.now();
  const facts = opts.facts ?? new Facts(target, opts.signal);
  const v = await verdict(check, facts, opts);
  return { ...v, ms: Math.round((performance.now() - t0) * 10) / 10 };
}

async function verdict(c: Check, f: Facts, opts: EvaluateOptions): Promise<Verdict> {
  opts.signal?.throwIfAborted();
  try {
    return await kinds[c.kind](c as never, f, opts);
  } catch (err) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (err instanceof LabError) { if (err.detail) opts.onEngineError?.(err.detail); return no(err.reason); }
    opts.onEngineError?.(err);
    return no('This check could not run against your lab right now; try Check again in a moment.');
  }
}

const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

async function runningContainer(f: Facts, host: string, name: string): Promise<Docker.ContainerInspectInfo | Verdict> {
  const info = await f.container(host, name);
  if (!info) return no(`There is no container named ${name}${onHost(f, host)}.`);
  if (!info.State.Running) return no(`${name} exists but is not running (status: ${info.State.Status}); start it with docker start ${name}.`);
  return info;
}
const isVerdict = (x: unknown): x is Verdict => typeof x === 'object' && x !== null && 'passed' in x && 'reason' in x;
const onHost = (f: Facts, host: string): string => (f.target.hosts().length > 1 ? ` on ${host}` : '');

async function inContainer(f: Facts, host: string, container: string, script: string, signal?: AbortSignal) {
  const docker = f.engine(host);
  return f.probe(() => execIn(docker, container, ['sh', '-c', script], { timeoutMs: PROBE_MS, signal }));
}

function addressesOf(info: Docker.ContainerInspectInfo, network?: string): string[] {
  const nets = info.NetworkSettings.Networks ?? {};
  return Object.entries(nets).filter(([n]) => !network || n === network).map(([, e]) => e.IPAddress).filter(Boolean);
}

const kinds: { [K in Check['kind']]: (c: CheckOf<K>, f: Facts, o: EvaluateOptions) => Promise<Verdict> } = {
  async networkExists(c, f) {
    const net = await f.network(c.host, c.name);
    if (!net) return no(`There is no network named ${c.name}${onHost(f, c.host)} yet (docker network ls lists them).`);
    if (c.driver && net.Driver !== c.driver) return no(`${c.name} uses the ${net.Driver} driver, not ${c.driver}; remove it and create it again with -d ${c.driver}.`);
    const ipam = net.IPAM?.Config ?? [];
    const want = (key: 'Subnet' | 'Gateway' | 'IPRange', value: string | undefined, flag: string): Verdict | undefined => {
      if (!value || ipam.some((e) => (e as Record<string, string | undefined>)[key] === value)) return undefined;
      const have = ipam.map((e) => (e as Record<string, string | undefined>)[key]).filter(Boolean);
      return no(`${c.name} has ${have.length ? `${flag} ${have.join(', ')}` : `no ${flag} set`}, not ${value}.`);
    };
    const bad = want('Subnet', c.subnet, '--subnet') ?? want('Gateway', c.gateway, '--gateway') ?? want('IPRange', c.ipRange, '--ip-range');
    if (bad) return bad;
    for (const [k, v] of Object.entries(c.options ?? {})) {
      const have = net.Options?.[k];
      if (have !== v) return no(have === undefined ? `${c.name} was created without -o ${k}=${v}.` : `${c.name} has -o ${k}=${have}, not ${v}.`);
    }
    if (c.attachable !== undefined && Boolean(net.Attachable) !== c.attachable) return no(c.attachable ? `${c.name} is not attachable; create it with --attachable so standalone containers can join.` : `${c.name} should not be attachable.`);
    if (c.internal !== undefined && Boolean(net.Internal) !== c.internal) return no(c.internal ? `${c.name} is not internal; create it with --internal.` : `${c.name} is internal, but should not be.`);
    return ok(`${c.name} exists (driver ${net.Driver}${ipam[0]?.Subnet ? `, subnet ${ipam[0].Subnet}` : ''}).`);
  },

  async containerRunning(c, f) {
    const info = await runningContainer(f, c.host, c.name);
    if (isVerdict(info)) return info;
    if (!c.network) return ok(`${c.name} is running.`);
    const ep = info.NetworkSettings.Networks?.[c.network];
    if (!ep) {
      const on = Object.keys(info.NetworkSettings.Networks ?? {});
      return no(`${c.name} is not attached to ${c.network}${on.length ? ` (it is on ${on.join(', ')})` : ''}.`);
    }
    if (c.ip && ep.IPAddress !== c.ip) return no(`${c.name} has ${ep.IPAddress || 'no address'} on ${c.network}, not ${c.ip}.`);
    if (c.alias && !(ep.Aliases ?? []).includes(c.alias)) return no(`${c.name} has no alias ${c.alias} on ${c.network}; use --network-alias ${c.alias}.`);
    return ok(`${c.name} is running on ${c.network}${ep.IPAddress ? ` with ${ep.IPAddress}` : ''}.`);
  },

  async reaches(c, f, o) {
    const info = await runningContainer(f, c.host, c.from);
    if (isVerdict(info)) return info;
    const port = c.port ?? 80;
    let to = c.to ?? '';
    if (c.toIpOf) {
      const peer = await f.container(c.host, c.toIpOf.container);
      if (!peer) return no(`There is no container named ${c.toIpOf.container}${onHost(f, c.host)}.`);
      const ip = addressesOf(peer, c.toIpOf.network)[0];
      if (!ip) return no(`${c.toIpOf.container} has no IP address${c.toIpOf.network ? ` on ${c.toIpOf.network}` : ''} (is it running and attached?).`);
      to = ip;
    }
    const shown = c.toIpOf ? `${c.toIpOf.container}'s address ${to}` : to;
    const T = sq(to);
    // Tools differ per image (busybox nc has no -z, static busybox wget can crash), so try in order.
    // Expecting a reply: up to two echoes within 2 s (one lost packet on a busy host is not a verdict).
    // Expecting silence: one echo, 1 s, so isolation checks stay fast.
    const script = c.via === 'ping' ? `command -v ping >/dev/null 2>&1 || exit 127; ping -c 1 ${c.expect ? '-w 2 -W 1' : '-W 1'} ${T} 2>&1`
      : c.via === 'tcp' ? `if command -v nc >/dev/null 2>&1; then nc -w 1 ${T} ${port} </dev/null >/dev/null 2>/tmp/.dnl-nc; r=$?; cat /tmp/.dnl-nc; exit $r; elif command -v bash >/dev/null 2>&1; then timeout 2 bash -c "</dev/tcp/"${T}"/${port}" 2>&1; else exit 127; fi`
        : `if command -v curl >/dev/null 2>&1; then curl -s -S -o /dev/null -m 2 http://${T}:${port}/ 2>&1; elif command -v nc >/dev/null 2>&1; then o=$(printf 'GET / HTTP/1.0\\r\\nHost: %s\\r\\n\\r\\n' ${T} | nc -w 2 ${T} ${port} 2>&1 | head -c 200); echo "$o" | head -n 1; case "$o" in HTTP/*) exit 0;; *) exit 1;; esac; elif command -v wget >/dev/null 2>&1; then wget -q -O /dev/null -T 2 http://${T}:${port}/ 2>&1; else exit 127; fi`;
    const r = await inContainer(f, c.host, c.from, script, o.signal);
    const what = c.via === 'ping' ? 'ping' : c.via === 'tcp' ? `TCP port ${port}` : `HTTP on port ${port}`;
    if (r.exitCode === 127 || r.exitCode === 126) return no(`${c.from} has no tool to test ${what} with (its image lacks ${c.via === 'ping' ? 'ping' : c.via === 'tcp' ? 'nc' : 'curl/wget'}).`);
    const out = r.stdout + r.stderr;
    const unresolved = /bad address|unknown host|not known|could not resolve|name resolution|resolve host|unable to resolve/i.test(out) || (c.via === 'http' && r.exitCode === 6);
    const passed = r.exitCode === 0;
    if (c.expect) {
      if (passed) return ok(`${c.from} reaches ${shown} (${what}).`);
      if (unresolved) return no(`${c.from} cannot resolve the name ${shown}: names only resolve between containers on the same user-defined network.`);
      const isIp = /^(\d{1,3}\.){3}\d{1,3}$/.test(to);
      if (r.exitCode === 124 && !isIp) return no(`${c.from} got no answer from ${shown} (${what}) in time; if ${shown} is a container name, it may not resolve from ${c.from} (names resolve only between containers sharing a user-defined network).`);
      return no(`${c.from} cannot reach ${shown} (${what}: ${r.exitCode === 124 ? 'no answer in time' : 'no answer'}).`);
    }
    if (passed) return no(`${c.from} can still reach ${shown} (${what}), but it should not.`);
    return ok(`${c.from} cannot reach ${shown} (${what}), as intended.`);
  },

  async resolves(c, f, o) {
    const info = await runningContainer(f, c.host, c.from);
    if (isVerdict(info)) return info;
    const N = sq(c.name), S = sq(c.server);
    const r = await inContainer(f, c.host, c.from,
      `if command -v dig >/dev/null 2>&1; then dig +short +time=1 +tries=1 @${S} ${N} A 2>&1; elif command -v nslookup >/dev/null 2>&1; then nslookup ${N} ${S} 2>&1; else exit 127; fi`, o.signal);
    if (r.exitCode === 127) return no(`${c.from} has no dig or nslookup to ask DNS with.`);
    // dig +short prints only answers; nslookup prints the server first, then a blank line.
    // dig prints errors as ";; …" lines (naming the server), so only answer lines count.
    const text = /^Server:/m.test(r.stdout) ? r.stdout.split(/\n\s*\n/).slice(1).join('\n') : r.stdout;
    const answers = text.split('\n').filter((l) => !l.startsWith(';') && !/^\*\*/.test(l)).join('\n');
    const ips = [...new Set(answers.match(/\b(?:\d{1,3}\.){3}\d{1,3}\b/g) ?? [])].filter((ip) => ip !== c.server);
    let want = c.expectIp ? [c.expectIp] : [];
    if (c.expectIpOf) {
      const target = await f.container(c.host, c.expectIpOf.container);
      if (!target) return no(`There is no container named ${c.expectIpOf.container} whose address ${c.name} should resolve to.`);
      want = addressesOf(target, c.expectIpOf.network);
      if (want.length === 0) return no(`${c.expectIpOf.container} has no address${c.expectIpOf.network ? ` on ${c.expectIpOf.network}` : ''} yet.`);
    }
    const via = c.server === '127.0.0.11' ? "Docker's embedded DNS (127.0.0.11)" : `the DNS server ${c.server}`;
    if (!c.expect) {
      return ips.length === 0 ? ok(`${c.name} does not resolve from ${c.from}, as intended.`)
        : no(`${c.name} still resolves from ${c.from} (to ${ips.join(', ')}), but it should not.`);
    }
    if (ips.length === 0) return no(`${c.from} cannot resolve ${c.name} through ${via}${c.server === '127.0.0.11' ? ': embedded DNS only serves user-defined networks, and only names on networks the container shares' : ''}.`);
    if (want.length && !want.some((ip) => ips.includes(ip))) return no(`${c.name} resolves to ${ips.join(', ')} from ${c.from}, not ${want.join(' or ')}.`);
    return ok(`${c.name} resolves to ${ips.join(', ')} from ${c.from}.`);
  },

  async portPublished(c, f, o) {
    const info = await runningContainer(f, c.host, c.container);
    if (isVerdict(info)) return info;
    const ports = info.NetworkSettings.Ports ?? {};
    const maps = Object.entries(ports).flatMap(([cp, binds]) => (binds ?? []).map((b) => ({ cp, hostPort: Number(b.HostPort), hostIp: b.HostIp })));
    const shown = [...new Set(maps.map((m) => `${m.hostIp && m.hostIp !== '0.0.0.0' && m.hostIp !== '::' ? `${m.hostIp}:` : ''}${m.hostPort}->${m.cp}`))].join(', ');
    const cp = c.containerPort ? `${c.containerPort}/${c.proto}` : undefined;
    const wanted = c.hostPort ? `host port ${c.hostPort}/${c.proto}` : `container port ${cp}`;
    const candidates = maps.filter((m) => m.cp.endsWith(`/${c.proto}`) && (c.hostPort ? m.hostPort === c.hostPort : m.cp === cp));
    if (candidates.length === 0) return no(`${c.container} does not publish ${wanted}${shown ? ` (it publishes ${shown})` : ' (it publishes no ports; add -p)'}.`);
    const hit = candidates.find((m) => !c.hostIp || m.hostIp === c.hostIp);
    if (!hit) return no(`${c.container} publishes ${wanted} on ${candidates.map((m) => m.hostIp || '0.0.0.0').join(', ')}, not only on ${c.hostIp}; use -p ${c.hostIp}:${c.hostPort ?? candidates[0]!.hostPort}:${candidates[0]!.cp.split('/')[0]}.`);
    if (cp && hit.cp !== cp) return no(`Host port ${hit.hostPort} goes to ${c.container}'s port ${hit.cp}, not ${cp}.`);
    if (!c.answers || c.proto === 'udp') return ok(`${c.container} publishes ${hit.hostPort}->${hit.cp}.`);
    const addr = hit.hostIp && hit.hostIp !== '0.0.0.0' && hit.hostIp !== '::' ? hit.hostIp : '127.0.0.1';
    const got = await httpOnHost(f, c.host, addr, hit.hostPort, 'http', o.signal);
    return got ? ok(`${c.container} publishes ${hit.hostPort}->${hit.cp} and answers at http://${addr}:${hit.hostPort}/.`)
      : no(`Host port ${hit.hostPort} is mapped to ${c.container}, but nothing answers at http://${addr}:${hit.hostPort}/ (is the server inside listening on ${hit.cp}?).`);
  },

  async hostAnswers(c, f, o) {
    const got = await httpOnHost(f, c.host, '127.0.0.1', c.port, c.via, o.signal);
    return got ? ok(`Something answers on ${c.host}'s port ${c.port}.`) : no(`Nothing answers on ${c.host}'s port ${c.port} (${c.via === 'http' ? `http://127.0.0.1:${c.port}/` : `TCP 127.0.0.1:${c.port}`}).`);
  },

  async sharesHostNetwork(c, f) {
    const info = await runningContainer(f, c.host, c.container);
    if (isVerdict(info)) return info;
    const mode = info.HostConfig.NetworkMode ?? '';
    return mode === 'host' ? ok(`${c.container} uses the host's network namespace.`)
      : no(`${c.container} has its own network namespace (network: ${mode || 'default'}); run it with --network host.`);
  },

  async onlyLoopback(c, f, o) {
    const info = await runningContainer(f, c.host, c.container);
    if (isVerdict(info)) return info;
    const r = await inContainer(f, c.host, c.container, 'cat /proc/net/dev', o.signal);
    const ifaces = r.exitCode === 0 ? r.stdout.split('\n').slice(2).map((l) => l.split(':')[0]!.trim()).filter(Boolean) : undefined;
    const others = ifaces ? ifaces.filter((i) => i !== 'lo') : info.HostConfig.NetworkMode === 'none' ? [] : ['a network interface'];
    return others.length === 0 ? ok(`${c.container} has only the loopback interface lo.`)
      : no(`${c.container} has ${others.join(', ')} besides lo (network: ${info.HostConfig.NetworkMode}); run it with --network none.`);
  },

  async distinctMacs(c, f) {
    const net = await f.network(c.host, c.network);
    if (!net) return no(`There is no network named ${c.network}${onHost(f, c.host)} yet.`);
    const eps = Object.values(net.Containers ?? {}).filter((e) => e.MacAddress);
    if (eps.length < c.min) return no(`${c.network} has ${eps.length} container${eps.length === 1 ? '' : 's'} attached; run at least ${c.min}.`);
    const byMac = new Map<string, string[]>();
    for (const e of eps) byMac.set(e.MacAddress, [...(byMac.get(e.MacAddress) ?? []), e.Name]);
    const dup = [...byMac.entries()].find(([, names]) => names.length > 1);
    if (dup) return no(`${dup[1].join(' and ')} share the MAC address ${dup[0]} on ${c.network}.`);
    return ok(`The ${eps.length} containers on ${c.network} each have their own MAC (${eps.map((e) => `${e.Name} ${e.MacAddress}`).join(', ')}).`);
  },

  async overlaySpans(c, f) {
    const missing: string[] = [];
    let driverProblem: string | undefined;
    await Promise.all(c.hosts.map(async (h) => {
      const net = await f.network(h, c.network);
      if (!net) { missing.push(h); return; }
      if (net.Driver !== 'overlay') { driverProblem = `${c.network} on ${h} uses the ${net.Driver} driver, not overlay.`; return; }
      // Overlay networks list a load-balancer endpoint ("lb-…") besides real containers.
      const real = Object.entries(net.Containers ?? {}).filter(([id]) => !id.startsWith('lb-'));
      if (real.length === 0) missing.push(h);
    }));
    if (driverProblem) return no(driverProblem);
    if (missing.length) return no(`${c.network} has no running container on ${missing.sort().join(' and ')} yet (an overlay shows up on a host once a container there joins it).`);
    return ok(`${c.network} has containers on ${c.hosts.join(' and ')}.`);
  },

  async swarmJoined(c, f) {
    const s = (await f.info(c.host)).Swarm ?? {};
    if (s.LocalNodeState !== 'active') return no(`${c.host} is not part of a swarm (state: ${s.LocalNodeState || 'inactive'}); ${c.role === 'worker' ? 'join it with the docker swarm join command the manager printed' : 'run docker swarm init'}.`);
    const role = s.ControlAvailable ? 'manager' : 'worker';
    if (c.role && role !== c.role) return no(`${c.host} is in the swarm as a ${role}, not a ${c.role}.`);
    return ok(`${c.host} is a swarm ${role}.`);
  },

  async answer(c, f, o) {
    const given = o.answer?.trim();
    if (!given) return no('Type your answer in the box and press Check.');
    const want = await expectedValue(c, f);
    if (isVerdict(want)) return want;
    const norm = (x: string): string => x.trim().toLowerCase();
    if (norm(given) === norm(want)) return ok(`${given} is right.`);
    const what = c.expect.of === 'containerIp' ? `${c.expect.container}'s address${c.expect.network ? ` on ${c.expect.network}` : ''}`
      : c.expect.of === 'containerMac' ? `${c.expect.container}'s MAC address${c.expect.network ? ` on ${c.expect.network}` : ''}`
        : c.expect.of === 'networkSubnet' ? `the subnet of ${c.expect.network}` : c.expect.of === 'networkGateway' ? `the gateway of ${c.expect.network}` : 'the answer';
    return no(`${given} is not ${what}; look it up in your lab (docker inspect) and try again.`);
  },

  async all(c, f, o) {
    // Cheap Engine API reads first (concurrently); traffic probes only once those hold, so an
    // unfinished exercise fails fast with the clearest reason instead of waiting on a ping.
    const cheap = c.checks.filter((x) => !needsTraffic(x)), probes = c.checks.filter(needsTraffic);
    const first = await Promise.all(cheap.map((x) => verdict(x, f, o)));
    const bad = first.find((v) => !v.passed);
    if (bad) return bad;
    const second = await Promise.all(probes.map((x) => verdict(x, f, o)));
    const byCheck = new Map<Check, Verdict>([...cheap.map((x, i) => [x, first[i]!] as const), ...probes.map((x, i) => [x, second[i]!] as const)]);
    const ordered = c.checks.map((x) => byCheck.get(x)!);
    return ordered.find((v) => !v.passed) ?? ok(ordered.map((v) => v.reason).join(' '));
  },

  async any(c, f, o) {
    const vs = await Promise.all(c.checks.map((x) => verdict(x, f, o)));
    const good = vs.find((v) => v.passed);
    return good ?? no(vs.length === 1 ? vs[0]!.reason : `None of these holds yet: ${vs.map((v) => v.reason).join(' / ')}`);
  },

  async not(c, f, o) {
    const v = await verdict(c.check, f, o);
    return v.passed ? no(c.reason ?? `This should not hold, but it does: ${v.reason}`) : ok(v.reason);
  },
};

/** The right answer of an `answer` check, read live from the lab (or why it cannot be read yet). */
async function expectedValue(c: CheckOf<'answer'>, f: Facts): Promise<string | Verdict> {
  const e = c.expect;
  switch (e.of) {
    case 'text': return e.value;
    case 'containerIp': case 'containerMac': {
      const info = await f.container(c.host, e.container);
      if (!info) return no(`There is no container named ${e.container} yet, so there is nothing to look up.`);
      const nets = Object.entries(info.NetworkSettings.Networks ?? {}).filter(([n]) => !e.network || n === e.network);
      const v = e.of === 'containerIp' ? nets.map(([, x]) => x.IPAddress).find(Boolean) : nets.map(([, x]) => x.MacAddress).find(Boolean);
      return v ?? no(`${e.container} has no ${e.of === 'containerIp' ? 'address' : 'MAC address'}${e.network ? ` on ${e.network}` : ''} yet.`);
    }
    case 'networkSubnet': case 'networkGateway': {
      const net = await f.network(c.host, e.network);
      if (!net) return no(`There is no network named ${e.network} yet, so there is nothing to look up.`);
      const cfg = net.IPAM?.Config?.[0];
      const v = e.of === 'networkSubnet' ? cfg?.Subnet : cfg?.Gateway;
      return v ?? no(`${e.network} has no ${e.of === 'networkSubnet' ? 'subnet' : 'gateway'} configured.`);
    }
  }
}

/** The right answer for the first `answer` check in a tree (self-test), or undefined. */
export async function expectedAnswer(check: Check, target: CheckTarget, signal?: AbortSignal): Promise<string | undefined> {
  const a = answerOf(check);
  if (!a) return undefined;
  const v = await expectedValue(a, new Facts(target, signal));
  return typeof v === 'string' ? v : undefined;
}

/** HTTP (or a bare TCP connect) to addr:port from the host itself; bash only, no curl needed. */
async function httpOnHost(f: Facts, host: string, addr: string, port: number, via: 'tcp' | 'http', signal?: AbortSignal): Promise<boolean> {
  f.engine(host); // validates the host name with a learner-readable error
  const script = via === 'tcp' ? `timeout 2 bash -c '</dev/tcp/${addr}/${port}'`
    : `timeout 2 bash -c 'exec 3<>/dev/tcp/${addr}/${port} && printf "GET / HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n" >&3 && head -c 12 <&3'`;
  const r = await f.probe(() => f.target.exec(host, script, { timeoutMs: PROBE_MS, signal }));
  return r.exitCode === 0 && (via === 'tcp' || /^HTTP\/\d/.test(r.stdout));
}

/** One round over several named checks (a lesson's exercises), sharing inspections. */
export async function evaluateMany(checks: Array<{ id: string; check: Check }>, target: CheckTarget, opts: EvaluateOptions = {}): Promise<Map<string, CheckResult>> {
  const facts = new Facts(target, opts.signal);
  const out = await Promise.all(checks.map(async (x) => [x.id, await evaluate(x.check, target, { ...opts, facts })] as const));
  return new Map(out);
}
