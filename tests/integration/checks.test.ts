// Every check kind, passing AND failing, against real containers on the outer engine (internal
// networks only; busybox image built locally). Kinds that need a lab host of their own
// (published ports, host network, swarm, overlay) are in checks-sandbox.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CheckSchema, type CheckInput } from '../../lessons/checks.ts';
import { evaluate } from '../../lab-runner/checks/evaluate.ts';
import { localTarget } from '../../lab-runner/checks/target.ts';
import { ensureBusyboxImage, Fixture } from './checks.helpers.ts';

const f = new Fixture();
const p = f.p;
const target = localTarget(f.docker);
// A random /24 in 10.250.0.0/16 (never routed anywhere: the networks are internal).
const N = `10.250.${10 + Math.floor(Math.random() * 240)}`;
const strip = (s: string): string => s.replaceAll(p, '').replaceAll(N, 'N');

async function expectCheck(input: CheckInput, passed: boolean, reason?: RegExp): Promise<string> {
  const r = await evaluate(CheckSchema.parse(input), target);
  assert.equal(r.passed, passed, `expected ${passed ? 'pass' : 'fail'}: ${strip(r.reason)}`);
  if (reason) assert.match(strip(r.reason), reason);
  assert.ok(r.ms >= 0);
  return r.reason;
}

describe('check kinds against the real engine', () => {
  before(async () => {
    ensureBusyboxImage();
    await f.network(`${p}net`, { subnet: `${N}.0/24`, gateway: `${N}.1`, ipRange: `${N}.0/25` });
    await f.network(`${p}other`, { attachable: true });
    await f.run(`${p}a`, { network: `${p}net` });
    await f.run(`${p}b`, { network: `${p}net`, aliases: ['web'], ip: `${N}.20` });
    await f.run(`${p}c`, { network: `${p}other` });
    await f.run(`${p}lo`);
  });
  after(() => f.cleanup());

  test('networkExists: properties pass; each mismatch says what differs', async () => {
    await expectCheck({ kind: 'networkExists', name: `${p}net`, driver: 'bridge', subnet: `${N}.0/24`, gateway: `${N}.1`, ipRange: `${N}.0/25`, internal: true, attachable: false }, true);
    await expectCheck({ kind: 'networkExists', name: `${p}missing` }, false, /^There is no network named missing/);
    await expectCheck({ kind: 'networkExists', name: `${p}net`, driver: 'macvlan' }, false, /uses the bridge driver, not macvlan/);
    await expectCheck({ kind: 'networkExists', name: `${p}net`, subnet: '192.168.1.0/24' }, false, /has --subnet N\.0\/24, not 192\.168\.1\.0\/24/);
    await expectCheck({ kind: 'networkExists', name: `${p}net`, gateway: `${N}.254` }, false, /--gateway N\.1, not N\.254/);
    await expectCheck({ kind: 'networkExists', name: `${p}net`, options: { parent: 'eth0' } }, false, /created without -o parent=eth0/);
    await expectCheck({ kind: 'networkExists', name: `${p}net`, attachable: true }, false, /not attachable/);
    await expectCheck({ kind: 'networkExists', name: `${p}other`, attachable: true, internal: true }, true);
    // A prefix of a real name (or id) is not the network.
    await expectCheck({ kind: 'networkExists', name: `${p}ne` }, false, /no network named ne/);
  });

  test('containerRunning: on a network, with IP and alias; the reason names what is missing', async () => {
    await expectCheck({ kind: 'containerRunning', name: `${p}b`, network: `${p}net`, ip: `${N}.20`, alias: 'web' }, true);
    await expectCheck({ kind: 'containerRunning', name: `${p}c`, network: `${p}net` }, false, /^c is not attached to net \(it is on other\)\.$/);
    await expectCheck({ kind: 'containerRunning', name: `${p}b`, network: `${p}net`, ip: `${N}.21` }, false, /has N\.20 on net, not N\.21/);
    await expectCheck({ kind: 'containerRunning', name: `${p}b`, network: `${p}net`, alias: 'db' }, false, /no alias db on net/);
    await expectCheck({ kind: 'containerRunning', name: `${p}nobody` }, false, /^There is no container named nobody\.$/);
  });

  test('containerRunning: a stopped container is named as stopped', async () => {
    await f.run(`${p}stopped`, { cmd: ['true'] });
    await f.docker.getContainer(`${p}stopped`).wait();
    await expectCheck({ kind: 'containerRunning', name: `${p}stopped` }, false, /exists but is not running \(status: exited\)/);
  });

  test('reaches: ping, tcp and http by name, alias and IP; isolation both ways', async () => {
    await expectCheck({ kind: 'reaches', from: `${p}a`, to: `${p}b` }, true, /reaches b \(ping\)/);
    await expectCheck({ kind: 'reaches', from: `${p}a`, to: `${N}.20`, via: 'tcp', port: 80 }, true);
    await expectCheck({ kind: 'reaches', from: `${p}a`, to: 'web', via: 'http' }, true);
    await expectCheck({ kind: 'reaches', from: `${p}a`, toIpOf: { container: `${p}b`, network: `${p}net` } }, true, /b's address N\.20/);
    await expectCheck({ kind: 'reaches', from: `${p}a`, to: `${N}.20`, via: 'tcp', port: 81 }, false, /cannot reach N\.20 \(TCP port 81/);
    await expectCheck({ kind: 'reaches', from: `${p}a`, toIpOf: { container: `${p}c` } }, false, /cannot reach c's address/);
    await expectCheck({ kind: 'reaches', from: `${p}a`, toIpOf: { container: `${p}c` }, expect: false }, true, /as intended/);
    await expectCheck({ kind: 'reaches', from: `${p}a`, to: `${p}b`, expect: false }, false, /can still reach b/);
    // routed: silence counts, a missing route does not. lo (network none) has no route at all, so
    // its ping fails with "Network is unreachable" before any packet leaves; an unused address of
    // a's own subnet is routed, and its ARP question goes unanswered.
    await expectCheck({ kind: 'reaches', from: `${p}lo`, toIpOf: { container: `${p}b` }, expect: false }, true, /as intended/);
    await expectCheck({ kind: 'reaches', from: `${p}lo`, toIpOf: { container: `${p}b` }, expect: false, routed: true }, false, /^lo has no route to b's address N\.20/);
    await expectCheck({ kind: 'reaches', from: `${p}a`, to: `${N}.99`, expect: false, routed: true }, true, /cannot reach N\.99 \(ping\), as intended/);
    await expectCheck({ kind: 'reaches', from: `${p}ghost`, to: `${p}b` }, false, /^There is no container named ghost/);
  });

  test('resolves: embedded DNS answers names on shared networks, with the live IP', async () => {
    await expectCheck({ kind: 'resolves', from: `${p}a`, name: 'web', expectIpOf: { container: `${p}b`, network: `${p}net` } }, true, /web resolves to N\.20/);
    await expectCheck({ kind: 'resolves', from: `${p}a`, name: `${p}b`, expectIp: `${N}.99` }, false, /resolves to N\.20 from a, not N\.99/);
    await expectCheck({ kind: 'resolves', from: `${p}a`, name: `${p}c` }, false, /cannot resolve c through Docker's embedded DNS/);
    await expectCheck({ kind: 'resolves', from: `${p}a`, name: `${p}c`, expect: false }, true, /does not resolve/);
  });

  test('onlyLoopback and sharesHostNetwork read the real namespace', async () => {
    await expectCheck({ kind: 'onlyLoopback', container: `${p}lo` }, true, /only the loopback/);
    await expectCheck({ kind: 'onlyLoopback', container: `${p}a` }, false, /has eth0 besides lo/);
    await expectCheck({ kind: 'sharesHostNetwork', container: `${p}a` }, false, /own network namespace .*--network host/);
  });

  test('distinctMacs counts attached containers and compares their MACs', async () => {
    await expectCheck({ kind: 'distinctMacs', network: `${p}net` }, true, /each have their own MAC/);
    await expectCheck({ kind: 'distinctMacs', network: `${p}other` }, false, /has 1 container attached; run at least 2/);
    await expectCheck({ kind: 'distinctMacs', network: `${p}net`, min: 5 }, false, /run at least 5/);
  });

  test('swarmJoined fails clearly on a host outside a swarm', async () => {
    await expectCheck({ kind: 'swarmJoined' }, false, /is not part of a swarm/);
  });

  test('combinators: all stops at the first failure in order, any and not', async () => {
    const okA: CheckInput = { kind: 'containerRunning', name: `${p}a` };
    const bad: CheckInput = { kind: 'containerRunning', name: `${p}c`, network: `${p}net` };
    const ping: CheckInput = { kind: 'reaches', from: `${p}a`, to: `${p}b` };
    await expectCheck({ kind: 'all', checks: [okA, bad, ping] }, false, /c is not attached to net/);
    await expectCheck({ kind: 'all', checks: [okA, ping] }, true);
    await expectCheck({ kind: 'any', checks: [bad, okA] }, true);
    await expectCheck({ kind: 'any', checks: [bad, { kind: 'networkExists', name: `${p}x` }] }, false, /None of these holds yet/);
    await expectCheck({ kind: 'not', check: okA }, false, /should not hold, but it does: a is running/);
    await expectCheck({ kind: 'not', check: okA, reason: 'Stop a first.' }, false, /^Stop a first\.$/);
    await expectCheck({ kind: 'not', check: bad }, true);
  });

  test('an unknown host is a learner-readable failure, not an exception', async () => {
    await expectCheck({ kind: 'containerRunning', host: 'node2', name: `${p}a` }, false, /needs the host node2, but your lab only has node1/);
  });

  test('an aborted evaluation rejects (stale work is dropped, not reported)', async () => {
    const ac = new AbortController();
    const run = evaluate(CheckSchema.parse({ kind: 'reaches', from: `${p}a`, toIpOf: { container: `${p}c` } }), target, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('stale')), 50);
    await assert.rejects(run, /stale/);
  });
});
