// The check evaluator: turns one check (lessons/checks.ts) into Engine API reads and, where only
// real traffic can tell, short probes inside the lab (`ping -c1 -W1` in the source container, an
// HTTP GET on the host's loopback). Every outcome carries one sentence for the learner, in
// English and Korean (reasons.ts); raw daemon errors go to the log only. Independent sub-checks
// run concurrently; a probe's result may come from the round's or the watcher's cache (facts.ts).
import type Docker from 'dockerode';
import { answerOf, needsTraffic, type Check, type CheckOf, type CheckResult } from '../../lessons/checks.ts';
import { execIn } from './container-exec.ts';
import { Facts, LabError, containerKey } from './facts.ts';
import { joinReasons, same, say, type AnswerOf, type Reason, type Shown, type Via, type Wanted } from './reasons.ts';
import type { CheckTarget } from './target.ts';
import type { ExecResult } from '../provider/types.ts';

type Verdict = { passed: boolean; reason: Reason };
const ok = (reason: Reason): Verdict => ({ passed: true, reason });
const no = (reason: Reason): Verdict => ({ passed: false, reason });

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
  /** Exec-slot priority of this check's probes (lower first): the watcher puts unfinished exercises first. */
  priority?: number;
  /** Take this check's probe results from the cache even in a fresh round: the watcher says so for
   *  exercises already passed, so a Check press re-probes what the learner is working on, not
   *  what they finished (those are re-probed once their cached result expires). */
  reuse?: boolean;
}

export async function evaluate(check: Check, target: CheckTarget, opts: EvaluateOptions = {}): Promise<CheckResult> {
  const t0 = performance.now();
  const facts = opts.facts ?? new Facts(target, opts.signal);
  const v = await verdict(check, facts, opts);
  return { passed: v.passed, reason: v.reason.en, reasonKo: v.reason.ko, ms: Math.round((performance.now() - t0) * 10) / 10 };
}

async function verdict(c: Check, f: Facts, opts: EvaluateOptions): Promise<Verdict> {
  opts.signal?.throwIfAborted();
  try {
    return await kinds[c.kind](c as never, f, opts);
  } catch (err) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (err instanceof LabError) { if (err.detail) opts.onEngineError?.(err.detail); return no(err.why); }
    opts.onEngineError?.(err);
    return no(say.cannotRun({}));
  }
}

const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

async function runningContainer(f: Facts, host: string, name: string): Promise<Docker.ContainerInspectInfo | Verdict> {
  const info = await f.container(host, name);
  if (!info) return no(say.noContainer({ name, host: onHost(f, host) }));
  if (!info.State.Running) return no(say.notRunning({ name, status: info.State.Status }));
  return info;
}
const isVerdict = (x: unknown): x is Verdict => typeof x === 'object' && x !== null && 'passed' in x && 'reason' in x;
/** The host, named only in a lab with several. */
const onHost = (f: Facts, host: string): string | undefined => (f.target.hosts().length > 1 ? host : undefined);

/**
 * A probe inside a container. `deps` is the Docker state its outcome depends on; with it, a
 * result that `keep` accepts may be reused by a later round while that state is unchanged.
 */
async function inContainer(f: Facts, host: string, container: string, script: string, o: EvaluateOptions,
  cache?: { deps: string; keep: (r: ExecResult) => boolean }, slow = false) {
  const docker = f.engine(host);
  // A probe that waits out its deadline (isolation) starts first, so the quick ones overlap it.
  return f.execProbe(`${host}\u0000${container}\u0000${script}`,
    () => execIn(docker, container, ['sh', '-c', script], { timeoutMs: PROBE_MS, signal: o.signal }),
    { deps: cache?.deps, keep: cache?.keep, priority: (o.priority ?? 0) - (slow ? 0.5 : 0), reuse: o.reuse });
}

function addressesOf(info: Docker.ContainerInspectInfo, network?: string): string[] {
  const nets = info.NetworkSettings.Networks ?? {};
  return Object.entries(nets).filter(([n]) => !network || n === network).map(([, e]) => e.IPAddress).filter(Boolean);
}

const kinds: { [K in Check['kind']]: (c: CheckOf<K>, f: Facts, o: EvaluateOptions) => Promise<Verdict> } = {
  async networkExists(c, f) {
    const net = await f.network(c.host, c.name);
    if (!net) return no(say.noNetwork({ name: c.name, host: onHost(f, c.host) }));
    if (c.driver && net.Driver !== c.driver) return no(say.wrongDriver({ name: c.name, have: net.Driver, want: c.driver }));
    const ipam = net.IPAM?.Config ?? [];
    const want = (key: 'Subnet' | 'Gateway' | 'IPRange', value: string | undefined, flag: string): Verdict | undefined => {
      if (!value || ipam.some((e) => (e as Record<string, string | undefined>)[key] === value)) return undefined;
      const have = ipam.map((e) => (e as Record<string, string | undefined>)[key]).filter((x): x is string => !!x);
      return no(say.ipamMismatch({ name: c.name, flag, have, want: value }));
    };
    const bad = want('Subnet', c.subnet, '--subnet') ?? want('Gateway', c.gateway, '--gateway') ?? want('IPRange', c.ipRange, '--ip-range');
    if (bad) return bad;
    for (const [k, v] of Object.entries(c.options ?? {})) {
      const have = net.Options?.[k];
      if (have !== v) return no(have === undefined ? say.optionMissing({ name: c.name, key: k, value: v }) : say.optionWrong({ name: c.name, key: k, have, want: v }));
    }
    if (c.attachable !== undefined && Boolean(net.Attachable) !== c.attachable) return no(c.attachable ? say.notAttachable({ name: c.name }) : say.attachable({ name: c.name }));
    if (c.internal !== undefined && Boolean(net.Internal) !== c.internal) return no(c.internal ? say.notInternal({ name: c.name }) : say.internal({ name: c.name }));
    return ok(say.networkOk({ name: c.name, driver: net.Driver, subnet: ipam[0]?.Subnet }));
  },

  async containerRunning(c, f) {
    const info = await runningContainer(f, c.host, c.name);
    if (isVerdict(info)) return info;
    if (!c.network) return ok(say.running({ name: c.name }));
    const ep = info.NetworkSettings.Networks?.[c.network];
    if (!ep) return no(say.notAttached({ name: c.name, network: c.network, on: Object.keys(info.NetworkSettings.Networks ?? {}) }));
    if (c.ip && ep.IPAddress !== c.ip) return no(say.wrongIp({ name: c.name, network: c.network, have: ep.IPAddress, want: c.ip }));
    if (c.alias && !(ep.Aliases ?? []).includes(c.alias)) return no(say.noAlias({ name: c.name, network: c.network, alias: c.alias }));
    return ok(say.runningOn({ name: c.name, network: c.network, ip: ep.IPAddress || undefined }));
  },

  async reaches(c, f, o) {
    const info = await runningContainer(f, c.host, c.from);
    if (isVerdict(info)) return info;
    const port = c.port ?? 80;
    let to = c.to ?? '';
    // What the outcome depends on: the source container, and the target container (by IP) or,
    // for a name or a literal address, every container and network of the host.
    let deps: Promise<string>;
    if (c.toIpOf) {
      const peer = await f.container(c.host, c.toIpOf.container);
      if (!peer) return no(say.noContainer({ name: c.toIpOf.container, host: onHost(f, c.host) }));
      const ip = addressesOf(peer, c.toIpOf.network)[0];
      if (!ip) return no(say.noIpOn({ name: c.toIpOf.container, network: c.toIpOf.network }));
      to = ip;
      deps = f.networksState(c.host).then((n) => `${containerKey(info)}|${containerKey(peer)}|${n}`);
    } else deps = f.hostState(c.host).then((h) => `${containerKey(info)}|${h}`);
    const target: Shown = c.toIpOf ? { container: c.toIpOf.container, ip: to } : { to };
    const T = sq(to);
    // Tools differ per image (busybox nc has no -z, static busybox wget can crash), so try in order.
    // Expecting a reply: up to two echoes within 2 s (one lost packet on a busy host is not a verdict).
    // Expecting silence: one echo, 1 s, so isolation checks stay fast.
    const script = c.via === 'ping' ? `command -v ping >/dev/null 2>&1 || exit 127; ping -c 1 ${c.expect ? '-w 2 -W 1' : '-W 1'} ${T} 2>&1`
      : c.via === 'tcp' ? `if command -v nc >/dev/null 2>&1; then nc -w 1 ${T} ${port} </dev/null >/dev/null 2>/tmp/.dnl-nc; r=$?; cat /tmp/.dnl-nc; exit $r; elif command -v bash >/dev/null 2>&1; then timeout 2 bash -c "</dev/tcp/"${T}"/${port}" 2>&1; else exit 127; fi`
        : `if command -v curl >/dev/null 2>&1; then curl -s -S -o /dev/null -m 2 http://${T}:${port}/ 2>&1; elif command -v nc >/dev/null 2>&1; then o=$(printf 'GET / HTTP/1.0\\r\\nHost: %s\\r\\n\\r\\n' ${T} | nc -w 2 ${T} ${port} 2>&1 | head -c 200); echo "$o" | head -n 1; case "$o" in HTTP/*) exit 0;; *) exit 1;; esac; elif command -v wget >/dev/null 2>&1; then wget -q -O /dev/null -T 2 http://${T}:${port}/ 2>&1; else exit 127; fi`;
    // Only a result that makes the check pass is kept for later rounds: a failure is probed again.
    const noTool = (r: ExecResult): boolean => r.exitCode === 127 || r.exitCode === 126;
    const keep = (r: ExecResult): boolean => !noTool(r) && (r.exitCode === 0) === c.expect;
    const r = await inContainer(f, c.host, c.from, script, o, { deps: await deps, keep }, !c.expect);
    const how: Via = c.via === 'ping' ? { via: 'ping' } : { via: c.via, port };
    if (noTool(r)) return no(say.noTool({ from: c.from, how, tool: c.via === 'ping' ? 'ping' : c.via === 'tcp' ? 'nc' : 'curl/wget' }));
    const out = r.stdout + r.stderr;
    const unresolved = /bad address|unknown host|not known|could not resolve|name resolution|resolve host|unable to resolve/i.test(out) || (c.via === 'http' && r.exitCode === 6);
    const passed = r.exitCode === 0;
    if (c.expect) {
      if (passed) return ok(say.reaches({ from: c.from, target, how }));
      if (unresolved) return no(say.unresolved({ from: c.from, target }));
      const isIp = /^(\d{1,3}\.){3}\d{1,3}$/.test(to);
      if (r.exitCode === 124 && !isIp) return no(say.noAnswerByName({ from: c.from, target, how }));
      return no(say.cannotReach({ from: c.from, target, how, timedOut: r.exitCode === 124 }));
    }
    if (passed) return no(say.stillReaches({ from: c.from, target, how }));
    if (c.routed && /network (is )?unreachable/i.test(out)) return no(say.noRoute({ from: c.from, target }));
    return ok(say.isolated({ from: c.from, target, how }));
  },

  async resolves(c, f, o) {
    const info = await runningContainer(f, c.host, c.from);
    if (isVerdict(info)) return info;
    const N = sq(c.name), S = sq(c.server);
    // A DNS question answers as fast as the exec itself, so it is not kept between rounds.
    // A name that must resolve gets two tries of 2 s: on a loaded host the embedded DNS (inside
    // dockerd) can take over a second, and waiting longer never makes a wrong answer pass.
    const dig = c.expect ? '+time=2 +tries=2' : '+time=1 +tries=1';
    const r = await inContainer(f, c.host, c.from,
      `if command -v dig >/dev/null 2>&1; then dig +short ${dig} @${S} ${N} A 2>&1; elif command -v nslookup >/dev/null 2>&1; then nslookup ${N} ${S} 2>&1; else exit 127; fi`, o);
    if (r.exitCode === 127) return no(say.noDnsTool({ from: c.from }));
    // dig +short prints only answers; nslookup prints the server first, then a blank line.
    // dig prints errors as ";; …" lines (naming the server), so only answer lines count.
    const text = /^Server:/m.test(r.stdout) ? r.stdout.split(/\n\s*\n/).slice(1).join('\n') : r.stdout;
    const answers = text.split('\n').filter((l) => !l.startsWith(';') && !/^\*\*/.test(l)).join('\n');
    const ips = [...new Set(answers.match(/\b(?:\d{1,3}\.){3}\d{1,3}\b/g) ?? [])].filter((ip) => ip !== c.server);
    let want = c.expectIp ? [c.expectIp] : [];
    if (c.expectIpOf) {
      const target = await f.container(c.host, c.expectIpOf.container);
      if (!target) return no(say.noResolveTarget({ container: c.expectIpOf.container, name: c.name }));
      want = addressesOf(target, c.expectIpOf.network);
      if (want.length === 0) return no(say.noAddressYet({ container: c.expectIpOf.container, network: c.expectIpOf.network }));
    }
    if (!c.expect) {
      return ips.length === 0 ? ok(say.notResolves({ name: c.name, from: c.from }))
        : no(say.stillResolves({ name: c.name, from: c.from, ips }));
    }
    if (ips.length === 0) return no(say.cannotResolve({ from: c.from, name: c.name, server: c.server }));
    if (want.length && !want.some((ip) => ips.includes(ip))) return no(say.resolvesWrong({ name: c.name, from: c.from, ips, want }));
    return ok(say.resolves({ name: c.name, from: c.from, ips }));
  },

  async portPublished(c, f, o) {
    const info = await runningContainer(f, c.host, c.container);
    if (isVerdict(info)) return info;
    const ports = info.NetworkSettings.Ports ?? {};
    const maps = Object.entries(ports).flatMap(([cp, binds]) => (binds ?? []).map((b) => ({ cp, hostPort: Number(b.HostPort), hostIp: b.HostIp })));
    const shown = [...new Set(maps.map((m) => `${m.hostIp && m.hostIp !== '0.0.0.0' && m.hostIp !== '::' ? `${m.hostIp}:` : ''}${m.hostPort}->${m.cp}`))].join(', ');
    const cp = c.containerPort ? `${c.containerPort}/${c.proto}` : undefined;
    const wanted: Wanted = c.hostPort ? { hostPort: c.hostPort, proto: c.proto } : { containerPort: c.containerPort!, proto: c.proto };
    const candidates = maps.filter((m) => m.cp.endsWith(`/${c.proto}`) && (c.hostPort ? m.hostPort === c.hostPort : m.cp === cp));
    if (candidates.length === 0) return no(say.notPublished({ name: c.container, wanted, shown }));
    const hit = candidates.find((m) => !c.hostIp || m.hostIp === c.hostIp);
    if (!hit) return no(say.wrongHostIp({ name: c.container, wanted, have: candidates.map((m) => m.hostIp || '0.0.0.0'), hostIp: c.hostIp!, flag: `${c.hostIp}:${c.hostPort ?? candidates[0]!.hostPort}:${candidates[0]!.cp.split('/')[0]}` }));
    if (cp && hit.cp !== cp) return no(say.wrongContainerPort({ hostPort: hit.hostPort, name: c.container, have: hit.cp, want: cp }));
    if (!c.answers || c.proto === 'udp') return ok(say.published({ name: c.container, hostPort: hit.hostPort, cp: hit.cp }));
    const addr = hit.hostIp && hit.hostIp !== '0.0.0.0' && hit.hostIp !== '::' ? hit.hostIp : '127.0.0.1';
    const got = await httpOnHost(f, c.host, addr, hit.hostPort, 'http', o);
    const url = `http://${addr}:${hit.hostPort}/`;
    return got ? ok(say.publishedAnswers({ name: c.container, hostPort: hit.hostPort, cp: hit.cp, url }))
      : no(say.publishedSilent({ name: c.container, hostPort: hit.hostPort, cp: hit.cp, url }));
  },

  async hostAnswers(c, f, o) {
    const got = await httpOnHost(f, c.host, '127.0.0.1', c.port, c.via, o);
    return got ? ok(say.hostAnswers({ host: c.host, port: c.port }))
      : no(say.hostSilent({ host: c.host, port: c.port, url: c.via === 'http' ? `http://127.0.0.1:${c.port}/` : `TCP 127.0.0.1:${c.port}` }));
  },

  async sharesHostNetwork(c, f) {
    const info = await runningContainer(f, c.host, c.container);
    if (isVerdict(info)) return info;
    const mode = info.HostConfig.NetworkMode ?? '';
    return mode === 'host' ? ok(say.sharesHost({ name: c.container })) : no(say.ownNamespace({ name: c.container, mode }));
  },

  async onlyLoopback(c, f, o) {
    const info = await runningContainer(f, c.host, c.container);
    if (isVerdict(info)) return info;
    // The interfaces depend on the container alone; kept for later rounds when only lo is there.
    const onlyLo = (r: ExecResult): boolean => r.exitCode === 0 && r.stdout.split('\n').slice(2).every((l) => !l.trim() || l.split(':')[0]!.trim() === 'lo');
    const r = await inContainer(f, c.host, c.container, 'cat /proc/net/dev', o, { deps: containerKey(info), keep: onlyLo });
    const ifaces = r.exitCode === 0 ? r.stdout.split('\n').slice(2).map((l) => l.split(':')[0]!.trim()).filter(Boolean) : undefined;
    const others = ifaces ? ifaces.filter((i) => i !== 'lo') : info.HostConfig.NetworkMode === 'none' ? [] : undefined;
    return others?.length === 0 ? ok(say.onlyLoopback({ name: c.container }))
      : no(say.notOnlyLoopback({ name: c.container, others, mode: info.HostConfig.NetworkMode ?? '' }));
  },

  async distinctMacs(c, f) {
    const net = await f.network(c.host, c.network);
    if (!net) return no(say.noNetwork({ name: c.network, host: onHost(f, c.host), hint: false }));
    const eps = Object.values(net.Containers ?? {}).filter((e) => e.MacAddress);
    if (eps.length < c.min) return no(say.tooFewOnNetwork({ network: c.network, count: eps.length, min: c.min }));
    const byMac = new Map<string, string[]>();
    for (const e of eps) byMac.set(e.MacAddress, [...(byMac.get(e.MacAddress) ?? []), e.Name]);
    const dup = [...byMac.entries()].find(([, names]) => names.length > 1);
    if (dup) return no(say.sharedMac({ names: dup[1], mac: dup[0], network: c.network }));
    return ok(say.macsOk({ network: c.network, macs: eps.map((e) => `${e.Name} ${e.MacAddress}`) }));
  },

  async overlaySpans(c, f) {
    const missing: string[] = [];
    let driverProblem: Reason | undefined;
    await Promise.all(c.hosts.map(async (h) => {
      const net = await f.network(h, c.network);
      if (!net) { missing.push(h); return; }
      if (net.Driver !== 'overlay') { driverProblem = say.overlayDriver({ network: c.network, host: h, driver: net.Driver }); return; }
      // Overlay networks list a load-balancer endpoint ("lb-…") besides real containers.
      const real = Object.entries(net.Containers ?? {}).filter(([id]) => !id.startsWith('lb-'));
      if (real.length === 0) missing.push(h);
    }));
    if (driverProblem) return no(driverProblem);
    if (missing.length) return no(say.overlayMissing({ network: c.network, hosts: missing.sort() }));
    return ok(say.overlayOk({ network: c.network, hosts: c.hosts }));
  },

  async swarmJoined(c, f) {
    const s = (await f.info(c.host)).Swarm ?? {};
    if (s.LocalNodeState !== 'active') return no(say.notInSwarm({ host: c.host, state: s.LocalNodeState || 'inactive', role: c.role }));
    const role = s.ControlAvailable ? 'manager' : 'worker';
    if (c.role && role !== c.role) return no(say.wrongRole({ host: c.host, role, want: c.role }));
    return ok(say.inSwarm({ host: c.host, role }));
  },

  async answer(c, f, o) {
    const given = o.answer?.trim();
    if (!given) return no(say.typeAnswer({}));
    const want = await expectedValue(c, f);
    if (isVerdict(want)) return want;
    const norm = (x: string): string => x.trim().toLowerCase();
    if (norm(given) === norm(want)) return ok(say.answerRight({ given }));
    const e = c.expect;
    const what: AnswerOf = e.of === 'containerIp' || e.of === 'containerMac' ? { of: e.of, container: e.container, network: e.network }
      : e.of === 'networkSubnet' || e.of === 'networkGateway' ? { of: e.of, network: e.network } : { of: 'text' };
    return no(say.answerWrong({ given, what }));
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
    return ordered.find((v) => !v.passed) ?? ok(joinReasons(ordered.map((v) => v.reason), ' '));
  },

  async any(c, f, o) {
    const vs = await Promise.all(c.checks.map((x) => verdict(x, f, o)));
    const good = vs.find((v) => v.passed);
    return good ?? no(vs.length === 1 ? vs[0]!.reason : say.noneHolds({ reasons: vs.map((v) => v.reason) }));
  },

  async not(c, f, o) {
    const v = await verdict(c.check, f, o);
    const own = c.reason === undefined ? undefined : typeof c.reason === 'string' ? same(c.reason) : c.reason;
    return v.passed ? no(own ?? say.shouldNotHold({ inner: v.reason })) : ok(v.reason);
  },
};

/** The right answer of an `answer` check, read live from the lab (or why it cannot be read yet). */
async function expectedValue(c: CheckOf<'answer'>, f: Facts): Promise<string | Verdict> {
  const e = c.expect;
  switch (e.of) {
    case 'text': return e.value;
    case 'containerIp': case 'containerMac': {
      const info = await f.container(c.host, e.container);
      if (!info) return no(say.nothingToLookUp({ container: e.container }));
      const nets = Object.entries(info.NetworkSettings.Networks ?? {}).filter(([n]) => !e.network || n === e.network);
      const v = e.of === 'containerIp' ? nets.map(([, x]) => x.IPAddress).find(Boolean) : nets.map(([, x]) => x.MacAddress).find(Boolean);
      return v ?? no(say.noValueYet({ container: e.container, mac: e.of === 'containerMac', network: e.network }));
    }
    case 'networkSubnet': case 'networkGateway': {
      const net = await f.network(c.host, e.network);
      if (!net) return no(say.nothingToLookUp({ network: e.network }));
      const cfg = net.IPAM?.Config?.[0];
      const v = e.of === 'networkSubnet' ? cfg?.Subnet : cfg?.Gateway;
      return v ?? no(say.noIpamValue({ network: e.network, subnet: e.of === 'networkSubnet' }));
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
async function httpOnHost(f: Facts, host: string, addr: string, port: number, via: 'tcp' | 'http', o: EvaluateOptions): Promise<boolean> {
  f.engine(host); // validates the host name with a learner-readable error
  const script = via === 'tcp' ? `timeout 2 bash -c '</dev/tcp/${addr}/${port}'`
    : `timeout 2 bash -c 'exec 3<>/dev/tcp/${addr}/${port} && printf "GET / HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n" >&3 && head -c 12 <&3'`;
  // Processes on the host can answer without any Docker event, so this is never kept between rounds.
  const r = await f.execProbe(`${host}\u0000(host)\u0000${script}`, () => f.target.exec(host, script, { timeoutMs: PROBE_MS, signal: o.signal }), { priority: o.priority });
  return r.exitCode === 0 && (via === 'tcp' || /^HTTP\/\d/.test(r.stdout));
}

/** One round over several named checks (a lesson's exercises), sharing inspections. */
export async function evaluateMany(checks: Array<{ id: string; check: Check }>, target: CheckTarget, opts: EvaluateOptions = {}): Promise<Map<string, CheckResult>> {
  const facts = new Facts(target, opts.signal);
  const out = await Promise.all(checks.map(async (x) => [x.id, await evaluate(x.check, target, { ...opts, facts })] as const));
  return new Map(out);
}
