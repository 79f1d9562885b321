// The probe's pure parts: turning the kernel's answer into words, and choosing the sandbox
// HostConfig from the verdicts.
import test from 'node:test';
import assert from 'node:assert/strict';
import { interpret } from '../../lab-runner/probe/kernel.ts';
import { sandboxSecurity, FALLBACK_HOST_CONFIG, FALLBACK_DOCKER_ARGS, type HostProbe, type Verdict } from '../../lab-runner/probe/index.ts';

test('a refused link type names the kernel option and the lesson impact', () => {
  const v = interpret('ipvlan', { code: 2, output: 'Error: Unknown device type.\n' }, 'ns');
  assert.equal(v.ok, false);
  assert.equal(v.why, "kernel refused: Unknown device type (CONFIG_IPVLAN missing); the IPvlan lesson's exercises will show as unavailable");
  const n = interpret('vlan8021q', { code: 2, output: 'RTNETLINK answers: Operation not supported\n' }, 'ns');
  assert.match(n.why, /^kernel refused: Operation not supported \(CONFIG_VLAN_8021Q missing\); .*parent=eth0\.10/);
});

test('success says what was created and how; a failed setup is not blamed on the kernel feature', () => {
  assert.deepEqual(interpret('macvlan', { code: 0, output: '' }, 'unshare -n'), { ok: true, why: 'created a macvlan link on a veth parent (unshare -n)' });
  const s = interpret('macvlan', { code: 97, output: 'Error: Unknown device type.' }, 'unshare -n');
  assert.equal(s.ok, false);
  assert.match(s.why, /^could not run the test/);
});

function probe(mode: HostProbe['mode'], configured?: string): HostProbe {
  const v: Verdict = { ok: true, why: 'x' };
  return {
    engine: { ...v, version: '20.10', api: '1.41' }, privileged: v, fallback: v,
    runtimes: { ...v, available: ['runc'], default: 'runc', configured },
    kernel: { bridge: v, macvlan: v, ipvlan: v, vxlan: v, vlan8021q: v, ipvs: v, dummy: v },
    chromium: v, mode, via: 'ns', tookMs: 1, probedAt: 0,
  };
}

test('sandboxSecurity: privileged, fallback, runtime, or a clear refusal', () => {
  assert.equal(sandboxSecurity(probe('privileged')).Privileged, true);
  const fb = sandboxSecurity(probe('fallback'));
  assert.deepEqual(fb, JSON.parse(JSON.stringify(FALLBACK_HOST_CONFIG)));
  assert.deepEqual(fb.CapAdd, ['ALL']);
  assert.deepEqual(fb.CapDrop, ['SYS_RESOURCE']);
  assert.deepEqual(fb.MaskedPaths, [], 'systempaths=unconfined, as the engine API spells it');
  assert.ok(!fb.SecurityOpt?.some((o: string) => o.startsWith('systempaths')), 'the engine rejects the CLI spelling');
  fb.CapAdd!.push('mutated');
  assert.deepEqual(FALLBACK_HOST_CONFIG.CapAdd, ['ALL'], 'callers get a copy');
  assert.equal(sandboxSecurity(probe('runtime', 'sysbox-runc')).Runtime, 'sysbox-runc');
  assert.throws(() => sandboxSecurity(probe('none')), /cannot start/);
  assert.ok(FALLBACK_DOCKER_ARGS.includes('systempaths=unconfined'), 'the CLI form keeps the CLI spelling');
});
