import test from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, type Config } from '../../lab-runner/config.ts';
import { HttpError } from '../../lab-runner/api/http.ts';
import { SandboxManager } from '../../lab-runner/sandbox/manager.ts';
import { FakeProvider } from '../../lab-runner/sandbox/fake-provider.ts';

function setup(over: Partial<Config> = {}, pool?: Record<number, number>) {
  const config = loadConfig({} as NodeJS.ProcessEnv, { dataDir: '/tmp/dnl-unit', poolSize: 0, ...over });
  const provider = new FakeProvider();
  let clock = 1_000_000;
  let n = 0;
  const statuses: string[] = [];
  const mk = () => {
    const m = new SandboxManager({ provider, config, pool, gcIntervalMs: 3_600_000, now: () => clock, newId: () => `s${++n}`, log: () => undefined });
    m.on('status', (v) => statuses.push(`${v.id}:${v.status}`));
    return m;
  };
  return { config, provider, mk, statuses, advance: (ms: number) => { clock += ms; }, now: () => clock };
}

async function settle(m: SandboxManager): Promise<void> {
  for (const s of m.list()) await m.whenReady(s.id).catch(() => undefined);
}

test('a claimed warm sandbox is replaced only after DNL_POOL_REFILL_DELAY_MS, so the claimer gets the CPU first', async () => {
  const { mk, provider } = setup({ poolSize: 1, poolRefillDelayMs: 300 });
  const m = mk();
  await m.start();
  await m.refillPool();
  const creates = () => provider.calls.filter((c) => c.startsWith('create')).length;
  assert.equal(creates(), 1);
  const v = await m.claim('carol');
  assert.equal(v.status, 'ready');
  await m.gc(); // the collector does not jump the wait either
  assert.equal(creates(), 1, 'no replacement starts at the moment of the claim');
  await new Promise((r) => setTimeout(r, 600));
  await settle(m);
  assert.equal(creates(), 2, 'the replacement starts once the delay is over');
  assert.equal(m.list().filter((s) => s.state === 'pool' && s.status === 'ready').length, 1);
  await m.close();
});

test('claim creates a sandbox that goes starting → ready, owned by the learner', async () => {
  const { mk, provider, statuses } = setup();
  const m = mk();
  await m.start();
  let open!: () => void;
  provider.gate = new Promise((r) => { open = r; });
  const v = await m.claim('alice', { hosts: 2, lesson: 'overlay' });
  assert.equal(v.status, 'starting');
  assert.deepEqual(v.hosts.map((h) => h.name), ['node1', 'node2']);
  open();
  const ready = await m.whenReady(v.id);
  assert.equal(ready.status, 'ready');
  assert.match(ready.hosts[0]!.ip, /^10\.9\./);
  assert.deepEqual(statuses, [`${v.id}:starting`, `${v.id}:ready`]);
  assert.equal(provider.sandboxes.get(v.id)?.labels['dnl.owner'], 'alice');
  assert.equal(m.info(v.id)?.labels['dnl.owner'], 'alice');
  await m.close();
});

test('the warm pool fills, a claim takes from it, records the owner durably and refills', async () => {
  const { mk, provider } = setup({ poolSize: 2 });
  const m = mk();
  await m.start();
  await m.refillPool();
  assert.equal(m.list().filter((s) => s.state === 'pool' && s.status === 'ready').length, 2);
  const before = provider.calls.filter((c) => c.startsWith('create')).length;
  const v = await m.claim('bob');
  assert.equal(v.status, 'ready', 'a pool claim is ready at once');
  assert.equal(provider.sandboxes.get(v.id)?.labels['dnl.owner'], 'bob');
  assert.equal(provider.sandboxes.get(v.id)?.labels['dnl.state'], 'claimed');
  await m.refillPool();
  await settle(m);
  assert.equal(provider.calls.filter((c) => c.startsWith('create')).length, before + 1, 'one new warm sandbox replaces the claimed one');
  assert.equal(m.list().filter((s) => s.state === 'pool').length, 2);
  await m.close();
});

test('claiming again returns the same sandbox; another topology replaces it (max 1 per learner)', async () => {
  const { mk, provider } = setup();
  const m = mk();
  await m.start();
  const a = await m.claim('carol', { hosts: 1 });
  const b = await m.claim('carol', { hosts: 1 });
  assert.equal(a.id, b.id);
  await m.whenReady(a.id);
  const c = await m.claim('carol', { hosts: 2 });
  assert.notEqual(c.id, a.id);
  assert.ok(provider.calls.includes(`destroy ${a.id}`));
  assert.deepEqual(m.forLearner('carol').map((s) => s.id), [c.id]);
  assert.deepEqual(m.forLearner('dave'), []);
  await m.close();
});

test('total capacity refuses with a clear 503', async () => {
  const { mk } = setup({ maxSandboxes: 2 });
  const m = mk();
  await m.start();
  await m.claim('l1');
  await m.claim('l2');
  await assert.rejects(m.claim('l3'), (err: unknown) => {
    assert.ok(err instanceof HttpError);
    assert.equal(err.status, 503);
    assert.equal(err.code, 'capacity');
    assert.equal(err.message, 'The lab machine is at capacity (2 sandboxes). Try again in a few minutes or ask your instructor.');
    return true;
  });
  await m.close();
});

test('the collector removes idle and expired sandboxes; touch and extend keep them', async () => {
  const { mk, provider, advance } = setup({ idleMinutes: 30, ttlMinutes: 60 });
  const m = mk();
  await m.start();
  const idle = await m.claim('idle');
  const busy = await m.claim('busy');
  await settle(m);
  advance(20 * 60_000);
  m.touch(busy.id);
  advance(15 * 60_000); // idle: 35 min untouched; busy: touched 15 min ago
  await m.gc();
  assert.equal(m.get(idle.id), undefined);
  assert.ok(!provider.sandboxes.has(idle.id));
  assert.equal(m.get(busy.id)?.status, 'ready');
  const ext = await m.extend(busy.id);
  assert.equal(ext.expiresAt, 35 * 60_000 + 1_000_000 + 60 * 60_000);
  assert.equal(provider.sandboxes.get(busy.id)?.labels['dnl.expires'], String(ext.expiresAt), 'extend is durable');
  advance(29 * 60_000); m.touch(busy.id);
  advance(29 * 60_000); m.touch(busy.id);
  advance(5 * 60_000); // past the hard TTL although active
  await m.gc();
  assert.equal(m.get(busy.id), undefined);
  await m.close();
});

test('a new manager adopts live sandboxes with owner and expiry, and sweeps leftovers', async () => {
  const { mk, provider } = setup();
  const m1 = mk();
  await m1.start();
  const v = await m1.claim('erin', { hosts: 2, lesson: 'overlay' });
  await m1.whenReady(v.id);
  await m1.close();
  provider.sandboxes.get(v.id)!.hosts[1]!.running = false; // as after a dockerd restart
  provider.leftovers.add('half-made');

  const m2 = mk();
  await m2.start();
  const adopted = await m2.whenReady(v.id);
  assert.equal(m2.ownerOf(v.id), 'erin');
  assert.equal(adopted.lesson, 'overlay');
  assert.equal(adopted.expiresAt, v.expiresAt);
  assert.ok(provider.calls.includes(`ensure ${v.id}`));
  assert.ok(provider.sandboxes.get(v.id)!.hosts.every((h) => h.running));
  assert.equal(provider.leftovers.size, 0);
  assert.deepEqual(m2.forLearner('erin').map((s) => s.id), [v.id]);
  await m2.close();
});

test('hosts that stopped under a ready sandbox are started again; a refused start is retried, not fatal', async () => {
  const { mk, provider, advance } = setup();
  const m = mk();
  await m.start();
  const v = await m.claim('gina');
  await m.whenReady(v.id);
  // The Docker daemon restarts: the host stops, and the first start is refused mid-shutdown.
  provider.sandboxes.get(v.id)!.hosts[0]!.running = false;
  provider.failEnsure = new Error('(HTTP code 500) server error - failed to update store for object type *libnetwork.endpoint');
  await m.gc();
  await new Promise((r) => setImmediate(r));
  assert.equal(m.get(v.id)?.status, 'starting', 'still recovering, not an error');
  assert.match(m.get(v.id)?.error ?? '', /trying again shortly/);
  // The collector's next pass tries again and succeeds.
  await m.gc();
  assert.equal((await m.whenReady(v.id)).status, 'ready');
  assert.equal(provider.calls.filter((c) => c === `ensure ${v.id}`).length, 2);
  // After RECOVER_MS of refusals, it is an error the learner can reset.
  provider.sandboxes.get(v.id)!.hosts[0]!.running = false;
  provider.failEnsure = new Error('refused');
  await m.gc();
  await new Promise((r) => setImmediate(r));
  advance(6 * 60_000);
  provider.failEnsure = new Error('still refused');
  await m.gc();
  await assert.rejects(m.whenReady(v.id), /could not be started: still refused/);
  assert.equal(m.get(v.id)?.status, 'error');
  await m.close();
});

test('a failed start reports an actionable error; reset recreates it', async () => {
  const { mk, provider } = setup();
  const m = mk();
  await m.start();
  provider.failNext = new Error('boom');
  const v = await m.claim('frank');
  await assert.rejects(m.whenReady(v.id), /could not be started: boom/);
  assert.equal(m.get(v.id)?.status, 'error');
  await m.reset(v.id);
  assert.equal((await m.whenReady(v.id)).status, 'ready');
  await assert.rejects(m.reset(v.id, 'node7'), /no host named node7/);
  await m.close();
});
