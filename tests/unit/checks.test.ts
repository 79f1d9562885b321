// The check vocabulary and evaluator without Docker: schema defaults and errors, reason wording,
// combinators (cheap reads before traffic probes), engine failures turned into learner words,
// and the live watcher (debounce, only changes pushed, passes recorded once).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type Docker from 'dockerode';
import { CheckSchema, check, hostsOf, needsTraffic, type CheckInput } from '../../lessons/checks.ts';
import { evaluate } from '../../lab-runner/checks/evaluate.ts';
import type { CheckTarget } from '../../lab-runner/checks/target.ts';
import { LessonWatcher, relevantEvent } from '../../lab-runner/live/watcher.ts';
import type { LabServerMessage } from '../../protocol/lab.ts';
import type { SandboxEvent } from '../../lab-runner/provider/types.ts';

interface FakeNet { Name: string; Id: string; Driver: string; Subnet?: string; Containers?: Record<string, { Name: string; MacAddress: string }> }
interface FakeCtr { name: string; running: boolean; networks: Record<string, { IPAddress: string; Aliases?: string[] }> }

function fakeTarget(world: { nets: FakeNet[]; ctrs: FakeCtr[]; failEngine?: boolean }): CheckTarget & { calls: string[] } {
  const calls: string[] = [];
  const err404 = (): Error => Object.assign(new Error('(HTTP code 404) no such thing'), { statusCode: 404 });
  const engine = {
    async listNetworks() { calls.push('listNetworks'); if (world.failEngine) throw new Error('connect ECONNREFUSED /run/x.sock'); return world.nets.map((n) => ({ Name: n.Name, Id: n.Id })); },
    getNetwork(id: string) {
      return { async inspect() { const n = world.nets.find((x) => x.Id === id); if (!n) throw err404(); return { ...n, IPAM: { Config: n.Subnet ? [{ Subnet: n.Subnet }] : [] }, Options: {}, Containers: n.Containers ?? {} }; } };
    },
    getContainer(name: string) {
      return {
        async inspect() {
          calls.push(`inspect ${name}`);
          const c = world.ctrs.find((x) => x.name === name);
          if (!c) throw err404();
          return { Name: `/${c.name}`, State: { Running: c.running, Status: c.running ? 'running' : 'exited' }, HostConfig: { NetworkMode: Object.keys(c.networks)[0] ?? 'none' }, NetworkSettings: { Networks: c.networks, Ports: {} } };
        },
        async exec() { calls.push(`exec ${name}`); throw new Error('no exec in unit tests'); },
      };
    },
    async info() { return { Swarm: { LocalNodeState: 'inactive' } }; },
  };
  return { calls, engine: () => engine as unknown as Docker, exec: async () => ({ exitCode: 1, stdout: '', stderr: '' }), hosts: () => ['node1'] };
}

const world: { nets: FakeNet[]; ctrs: FakeCtr[] } = {
  nets: [{ Name: 'my_bridge_network', Id: 'n1', Driver: 'bridge', Subnet: '172.18.0.0/16' }],
  ctrs: [
    { name: 'container3', running: true, networks: { my_bridge_network: { IPAddress: '172.18.0.2' } } },
    { name: 'container4', running: true, networks: { bridge: { IPAddress: '172.17.0.2' } } },
    { name: 'old', running: false, networks: {} },
  ],
};
const run = async (c: CheckInput, t = fakeTarget(world)) => evaluate(CheckSchema.parse(c), t);

test('schema: defaults filled in, invalid checks rejected with the field and reason', () => {
  const c = CheckSchema.parse(check.reaches({ from: 'container3', to: 'container4' }));
  assert.deepEqual(c, { kind: 'reaches', host: 'node1', from: 'container3', to: 'container4', via: 'ping', expect: true });
  const bad = (x: unknown): string => { const r = CheckSchema.safeParse(x); assert.equal(r.success, false); return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '); };
  assert.match(bad({ kind: 'reaches', from: 'a', to: 'b', via: 'tcp' }), /port: via tcp needs a port/);
  assert.match(bad({ kind: 'reaches', from: 'a' }), /to: give exactly one of to and toIpOf/);
  assert.match(bad({ kind: 'reaches', from: 'a', to: 'b', routed: true }), /routed: routed only means something with expect: false/);
  assert.match(bad({ kind: 'containerRunning', name: 'a', ip: '10.0.0.1' }), /network: ip and alias need a network/);
  assert.match(bad({ kind: 'networkExists', name: 'x', subnet: '192.168.1.0' }), /subnet: must be a subnet like 192\.168\.1\.0\/24/);
  assert.match(bad({ kind: 'networkExists', host: 'server1', name: 'x' }), /host: a host is named node1, node2/);
  assert.match(bad({ kind: 'all', checks: [{ kind: 'pingable' }] }), /checks\.0\.kind/);
});

test('hostsOf and needsTraffic walk combinators', () => {
  const c = CheckSchema.parse(check.all(check.networkExists({ name: 'n' }), check.not(check.reaches({ host: 'node2', from: 'a', to: 'b' })), check.overlaySpans({ network: 'o', hosts: ['node1', 'node3'] })));
  assert.deepEqual(hostsOf(c).sort(), ['node1', 'node2', 'node3']);
  assert.equal(needsTraffic(c), true);
  assert.equal(needsTraffic(CheckSchema.parse(check.portPublished({ container: 'w', hostPort: 80, answers: false }))), false);
});

test('reasons name the object and what is missing, in plain words', async () => {
  assert.equal((await run({ kind: 'containerRunning', name: 'container4', network: 'my_bridge_network' })).reason, 'container4 is not attached to my_bridge_network (it is on bridge).');
  assert.equal((await run({ kind: 'containerRunning', name: 'container9' })).reason, 'There is no container named container9.');
  assert.match((await run({ kind: 'containerRunning', name: 'old' })).reason, /^old exists but is not running \(status: exited\); start it with docker start old\.$/);
  assert.match((await run({ kind: 'networkExists', name: 'my_bridge_networ' })).reason, /^There is no network named my_bridge_networ yet/);
  assert.equal((await run({ kind: 'networkExists', name: 'my_bridge_network', driver: 'macvlan' })).reason, 'my_bridge_network uses the bridge driver, not macvlan; remove it and create it again with -d macvlan.');
  const ok = await run({ kind: 'containerRunning', name: 'container3', network: 'my_bridge_network' });
  assert.deepEqual([ok.passed, ok.reason], [true, 'container3 is running on my_bridge_network with 172.18.0.2.']);
});

test('all: cheap inspections first; traffic probes never run while one fails', async () => {
  const t = fakeTarget(world);
  const r = await run({ kind: 'all', checks: [{ kind: 'reaches', from: 'container3', to: 'container4' }, { kind: 'containerRunning', name: 'container4', network: 'my_bridge_network' }] }, t);
  assert.equal(r.passed, false);
  assert.match(r.reason, /container4 is not attached/);
  assert.ok(!t.calls.some((c) => c.startsWith('exec')), `no exec expected, got ${t.calls.join(', ')}`);
});

test('any / not: reasons derived or overridden', async () => {
  const none = await run({ kind: 'any', checks: [{ kind: 'containerRunning', name: 'x' }, { kind: 'containerRunning', name: 'y' }] });
  assert.equal(none.reason, 'None of these holds yet: There is no container named x. / There is no container named y.');
  const n = await run({ kind: 'not', check: { kind: 'containerRunning', name: 'container3' } });
  assert.deepEqual([n.passed, n.reason], [false, 'This should not hold, but it does: container3 is running.']);
});

test('an engine that does not answer gives a learner-readable reason; the raw error goes to the log hook', async () => {
  const logged: unknown[] = [];
  const r = await evaluate(CheckSchema.parse({ kind: 'networkExists', name: 'n' }), fakeTarget({ ...world, failEngine: true }), { onEngineError: (e) => logged.push(e) });
  assert.equal(r.passed, false);
  assert.equal(r.reason, "node1's Docker engine did not answer (the host may be starting or was just reset); try Check again.");
  assert.doesNotMatch(r.reason, /ECONNREFUSED/);
  assert.match(String(logged[0]), /ECONNREFUSED/);
});

test('relevantEvent ignores our own exec probes', () => {
  const e = (type: string, action: string): SandboxEvent => ({ sandboxId: 's', host: 'node1', type, action, actor: { id: 'x', attributes: {} }, time: 0 });
  assert.equal(relevantEvent(e('container', 'exec_start: sh -c ping')), false);
  assert.equal(relevantEvent(e('container', 'exec_die')), false);
  assert.equal(relevantEvent(e('container', 'start')), true);
  assert.equal(relevantEvent(e('network', 'connect')), true);
  assert.equal(relevantEvent(e('image', 'pull')), false);
});

test('watcher: events debounced into one round; only changes pushed; a pass recorded once', async () => {
  const w2 = structuredClone(world);
  const t = fakeTarget(w2);
  let emit: ((e: SandboxEvent) => void) | undefined;
  const passes: string[] = [];
  const watcher = new LessonWatcher({
    sandboxId: 's1', target: t, debounceMs: 30, log: () => undefined,
    lesson: { slug: '05-bridge', exercises: [
      { id: 'net', check: CheckSchema.parse({ kind: 'networkExists', name: 'my_bridge_network' }) },
      { id: 'c4', check: CheckSchema.parse({ kind: 'containerRunning', name: 'container4', network: 'my_bridge_network' }) },
    ] },
    events: async (signal, onEvent) => { emit = onEvent; await new Promise((r) => signal.addEventListener('abort', r)); },
    recordPass: (id) => { passes.push(id); return 1234; },
  });
  const seen: LabServerMessage[] = [];
  watcher.subscribe((m) => seen.push(m));
  await watcher.start();
  const statuses = () => seen.filter((m) => m.type === 'exercise');
  assert.deepEqual(statuses().map((m) => m.type === 'exercise' && [m.exerciseId, m.passed]), [['net', true], ['c4', false]]);
  assert.deepEqual(passes, ['net']);

  // container4 joins the network: a burst of events → one debounced round → one change pushed.
  w2.ctrs[1]!.networks = { bridge: { IPAddress: '172.17.0.2' }, my_bridge_network: { IPAddress: '172.18.0.3' } };
  const roundsBefore = t.calls.filter((c) => c === 'listNetworks').length;
  const changed = new Promise<void>((resolve) => watcher.subscribe((m) => { if (m.type === 'exercise' && m.exerciseId === 'c4' && m.passed) resolve(); }));
  const ev = (action: string): SandboxEvent => ({ sandboxId: 's1', host: 'node1', type: 'network', action, actor: { id: 'n1', attributes: {} }, time: 0 });
  emit!(ev('connect')); emit!(ev('connect')); emit!(ev('connect'));
  await changed;
  assert.equal(t.calls.filter((c) => c === 'listNetworks').length - roundsBefore, 1, 'three events, one round');
  const after = statuses().slice(2);
  assert.equal(after.length, 1);
  assert.ok(after[0]!.type === 'exercise' && after[0]!.passedAt === 1234);
  assert.deepEqual(passes, ['net', 'c4']);

  // A re-check with nothing changed pushes nothing and records nothing new.
  await watcher.checkNow();
  assert.equal(statuses().length, 3);
  assert.deepEqual(passes, ['net', 'c4']);
  watcher.close();
});

test('watcher: an unavailable lesson reports every exercise with the reason, without checking', async () => {
  const t = fakeTarget(world);
  const w = new LessonWatcher({ sandboxId: 's', target: t, log: () => undefined, lesson: { slug: '10-ipvlan', unavailable: 'the kernel has no ipvlan support', exercises: [{ id: 'x', check: CheckSchema.parse({ kind: 'networkExists', name: 'n' }) }] } });
  const out = await w.checkNow();
  assert.equal(out[0]!.reason, 'Unavailable on this host: the kernel has no ipvlan support.');
  assert.equal(out[0]!.unavailable, true);
  assert.equal(t.calls.length, 0);
  w.close();
});

test('answer: compared with the live value, never revealing it; no answer asks for one', async () => {
  const c = { kind: 'answer', expect: { of: 'containerIp', container: 'container3', network: 'my_bridge_network' } } as const;
  const t = fakeTarget(world);
  const none = await evaluate(CheckSchema.parse(c), t);
  assert.deepEqual([none.passed, none.reason], [false, 'Type your answer in the box and press Check.']);
  const wrong = await evaluate(CheckSchema.parse(c), t, { answer: '172.18.0.9' });
  assert.equal(wrong.passed, false);
  assert.equal(wrong.reason, "172.18.0.9 is not container3's address on my_bridge_network; look it up in your lab (docker inspect) and try again.");
  assert.doesNotMatch(wrong.reason, /172\.18\.0\.2/);
  assert.equal((await evaluate(CheckSchema.parse(c), t, { answer: ' 172.18.0.2 ' })).passed, true);
  const subnet = await evaluate(CheckSchema.parse({ kind: 'answer', expect: { of: 'networkSubnet', network: 'my_bridge_network' } }), t, { answer: '172.18.0.0/16' });
  assert.equal(subnet.passed, true);
  const missing = await evaluate(CheckSchema.parse({ kind: 'answer', expect: { of: 'containerIp', container: 'nobody' } }), t, { answer: '1.2.3.4' });
  assert.match(missing.reason, /no container named nobody yet/);
});
