// Speed without weakening: a probe runs once per round however many exercises ask for it; an
// event round reuses a kept result only under the same Docker state; the Check button and the
// first round always probe afresh; failures are never kept; unfinished exercises and slow
// probes get the exec slots first; terminal activity never postpones a round an event made due.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type Docker from 'dockerode';
import { CheckSchema } from '../../lessons/checks.ts';
import { EXEC_SLOTS, Facts, Gate, MACHINE_EXEC_SLOTS, ProbeCache, containerKey, machineExecs } from '../../lab-runner/checks/facts.ts';
import type { CheckTarget } from '../../lab-runner/checks/target.ts';
import { LessonWatcher, type RoundTrace } from '../../lab-runner/live/watcher.ts';
import type { ExecResult, SandboxEvent } from '../../lab-runner/provider/types.ts';

const target: CheckTarget = { engine: () => ({}) as Docker, exec: async () => ({ exitCode: 0, stdout: '', stderr: '' }), hosts: () => ['node1'] };
const result = (exitCode: number): ExecResult => ({ exitCode, stdout: '', stderr: '' });

test('one probe per round, shared; kept between rounds only under the same deps, only when kept, never read by a fresh round', async () => {
  const cache = new ProbeCache();
  let runs = 0;
  const probe = (exit: number) => async () => { runs++; await new Promise((r) => setTimeout(r, 5)); return result(exit); };
  const keep = (r: ExecResult) => r.exitCode === 0;

  const a = new Facts(target, undefined, { cache });
  const [x, y] = await Promise.all([a.execProbe('ping c3 c4', probe(0), { deps: 'd1', keep }), a.execProbe('ping c3 c4', probe(0), { deps: 'd1', keep })]);
  assert.equal(x, y);
  assert.equal(runs, 1, 'two exercises asking the same probe in one round: one exec');
  assert.deepEqual(a.stats, { probesRun: 1, probesCached: 0, probesShared: 1 });

  const b = new Facts(target, undefined, { cache });
  await b.execProbe('ping c3 c4', probe(0), { deps: 'd1', keep });
  assert.equal(runs, 1, 'same Docker state in a later event round: reused');
  assert.equal(b.stats.probesCached, 1);

  await new Facts(target, undefined, { cache }).execProbe('ping c3 c4', probe(0), { deps: 'd2', keep });
  assert.equal(runs, 2, 'a container changed (other deps): probed again');

  await new Facts(target, undefined, { cache, fresh: true }).execProbe('ping c3 c4', probe(0), { deps: 'd2', keep });
  assert.equal(runs, 3, 'Check button / first round: probed afresh even with a kept result');

  await new Facts(target, undefined, { cache, fresh: true }).execProbe('ping c3 c4', probe(0), { deps: 'd2', keep, reuse: true });
  assert.equal(runs, 3, 'a fresh round still reuses the kept result of an exercise already passed (reuse)');

  await new Facts(target, undefined, { cache }).execProbe('ping c3 gone', probe(1), { deps: 'd2', keep });
  await new Facts(target, undefined, { cache }).execProbe('ping c3 gone', probe(1), { deps: 'd2', keep });
  assert.equal(runs, 5, 'a result the check does not pass with is never kept');

  await new Facts(target).execProbe('host curl', probe(0));
  await new Facts(target).execProbe('host curl', probe(0));
  assert.equal(runs, 7, 'without deps (host processes) nothing is kept');
});

test('entries expire after the TTL, and the cache stays bounded', async () => {
  const cache = new ProbeCache(20, 3);
  cache.set('a', result(0));
  assert.ok(cache.get('a'));
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(cache.get('a'), undefined);
  for (const k of ['1', '2', '3', '4']) cache.set(k, result(0));
  assert.equal(cache.size, 3);
  assert.equal(cache.get('1'), undefined, 'the oldest entry goes first');
});

test('exec slots: a lower priority number goes first, in order within a priority', async () => {
  const f = new Facts(target);
  const order: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const hold = () => f.probe(async () => { await gate; });
  const holders = Array.from({ length: EXEC_SLOTS }, hold); // every slot is busy
  const queued = [
    f.probe(async () => { order.push('passed exercise'); }, 1),
    f.probe(async () => { order.push('unfinished exercise'); }, 0),
    f.probe(async () => { order.push('unfinished, isolation ping'); }, -0.5),
    f.probe(async () => { order.push('unfinished exercise 2'); }, 0),
  ];
  release();
  await Promise.all([...holders, ...queued]);
  assert.deepEqual(order, ['unfinished, isolation ping', 'unfinished exercise', 'unfinished exercise 2', 'passed exercise']);
});

test('runner-wide exec slots: the rounds of many sandboxes together never run more than MACHINE_EXEC_SLOTS probes; the waiting probe of a stale round never runs', async () => {
  let running = 0, peak = 0, ran = 0;
  const work = async () => { running++; ran++; peak = Math.max(peak, running); await new Promise((r) => setTimeout(r, 5)); running--; };
  // 30 sandboxes' rounds, each with its own round slots, probing at once.
  const rounds = Array.from({ length: 30 }, () => new Facts(target));
  await Promise.all(rounds.flatMap((f) => Array.from({ length: EXEC_SLOTS }, () => f.probe(work))));
  assert.equal(ran, 30 * EXEC_SLOTS);
  assert.equal(peak, MACHINE_EXEC_SLOTS, `at most ${MACHINE_EXEC_SLOTS} probe execs at once in the runner`);
  assert.equal(machineExecs.busy, 0);

  const g = new Gate(1);
  let release!: () => void;
  const held = g.run(() => new Promise<void>((r) => { release = r; }));
  const stale = new AbortController();
  let staleRan = false;
  const waiting = g.run(async () => { staleRan = true; }, 0, stale.signal);
  stale.abort(new Error('stale'));
  await assert.rejects(waiting, /stale/);
  release();
  await held;
  await g.run(async () => undefined); // the slot is free again
  assert.equal(staleRan, false, 'the exec of a stale round never started');
  assert.equal(g.queued, 0);
});

test('containerKey changes when a container is reconnected or restarted, not otherwise', () => {
  const info = (endpoint: string, started: string) => ({
    Id: 'abc', State: { Status: 'running', StartedAt: started, Pid: 42 }, HostConfig: { NetworkMode: 'my_bridge_network' },
    NetworkSettings: { Networks: { my_bridge_network: { NetworkID: 'n1', EndpointID: endpoint, IPAddress: '172.18.0.2', MacAddress: '02:42:ac:12:00:02', Aliases: ['c3'] } } },
  }) as unknown as Docker.ContainerInspectInfo;
  assert.equal(containerKey(info('e1', 't1')), containerKey(info('e1', 't1')));
  assert.notEqual(containerKey(info('e1', 't1')), containerKey(info('e2', 't1')));
  assert.notEqual(containerKey(info('e1', 't1')), containerKey(info('e1', 't2')));
});

test('watcher: rounds are traced; terminal activity does not postpone a round an event made due, and makes it fresh', async () => {
  let emit: ((e: SandboxEvent) => void) | undefined;
  const traces: RoundTrace[] = [];
  const engine = {
    async listNetworks() { return [{ Name: 'n', Id: 'n1' }]; },
    getNetwork() { return { async inspect() { return { Name: 'n', Driver: 'bridge', IPAM: { Config: [] }, Options: {}, Containers: {} }; } }; },
  };
  const t: CheckTarget = { ...target, engine: () => engine as unknown as Docker };
  const w = new LessonWatcher({
    sandboxId: 's', target: t, debounceMs: 30, activityLullMs: 5_000, log: () => undefined,
    lesson: { slug: '05-bridge', exercises: [{ id: 'net', check: CheckSchema.parse({ kind: 'networkExists', name: 'n' }) }] },
    events: async (signal, onEvent) => { emit = onEvent; await new Promise((r) => signal.addEventListener('abort', r)); },
    onRound: (x) => traces.push(x),
  });
  await w.start();
  assert.deepEqual(traces.map((x) => x.trigger), ['start']);
  const next = new Promise<RoundTrace>((resolve) => { const i = setInterval(() => { if (traces.length > 1) { clearInterval(i); resolve(traces[1]!); } }, 5); });
  const sent = Date.now();
  emit!({ sandboxId: 's', host: 'node1', type: 'network', action: 'create', actor: { id: 'n1', attributes: {} }, time: sent });
  w.activity(); // typing in the terminal right after the command
  const round = await next;
  assert.equal(round.trigger, 'event');
  assert.equal(round.eventAt, sent);
  assert.ok(round.startedAt - sent < 1_000, `the event round waited for the 5 s activity lull (${round.startedAt - sent} ms)`);
  assert.equal(round.aborted, false);
  assert.deepEqual(round.exercises.map((x) => [x.id, x.passed, x.changed]), [['net', true, false]]);
  w.close();
});

test('a probe against an engine that stops answering costs its deadline, not an exec slot for good', async () => {
  const { execIn } = await import('../../lab-runner/checks/container-exec.ts');
  const hung = { getContainer: () => ({ exec: () => new Promise(() => { /* never answers */ }) }) } as unknown as Docker;
  const t0 = Date.now();
  const r = await execIn(hung, 'c3', ['true'], { timeoutMs: 150 });
  assert.equal(r.exitCode, 124, 'timed out like a probe that got no answer');
  assert.ok(Date.now() - t0 < 2_000);
  const stale = new AbortController();
  const p = execIn(hung, 'c3', ['true'], { timeoutMs: 10_000, signal: stale.signal });
  stale.abort(new Error('round is stale'));
  await assert.rejects(p, /round is stale/, 'a cancelled round is not reported as a timeout');
});
