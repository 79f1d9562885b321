// The host probe against the real machine: each kernel verdict must equal an independent attempt
// made here (our own `unshare -n ip link add …`, different names and parameters), the security
// verdicts must match what the engine does with our own `docker run`, and the probe leaves no
// container behind.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import Docker from 'dockerode';
import { probeHost, sandboxSecurity, PROBE_LABEL, PROBE_IMAGE, FALLBACK_DOCKER_ARGS, KERNEL_FEATURES, type KernelFeature } from '../../lab-runner/probe/index.ts';

const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET || '/var/run/docker.sock' });
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function sh(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, out: stdout + stderr });
    });
  });
}

/** The test's own attempt per feature: same kernel question, written independently of the probe. */
const INDEPENDENT: Record<KernelFeature, string> = {
  bridge: 'ip link add tbr type bridge',
  dummy: 'ip link add tdm type dummy',
  macvlan: 'ip link add ta type veth peer name tb && ip link add tmv link ta type macvlan mode private',
  ipvlan: 'ip link add ta type veth peer name tb && ip link add tiv link ta type ipvlan mode l3',
  vxlan: 'ip link add ta type veth peer name tb && ip link add tvx type vxlan id 7 local 127.0.0.1 dstport 8472',
  vlan8021q: 'ip link add ta type veth peer name tb && ip link add link ta name ta.20 type vlan id 20',
  // IPVS registers /proc/net/ip_vs in every network namespace when the kernel has it (loaded).
  ipvs: 'cat /proc/net/ip_vs >/dev/null',
};

test('kernel verdicts equal an independent attempt in a fresh network namespace', { timeout: 120_000 }, async (t) => {
  if (!isRoot) { t.skip('needs root for unshare -n (the probe itself falls back to a container)'); return; }
  const probe = await probeHost({ docker, refresh: true });
  for (const f of KERNEL_FEATURES) {
    const mine = await sh('unshare', ['-n', 'sh', '-c', INDEPENDENT[f]]);
    assert.equal(probe.kernel[f].ok, mine.code === 0, `${f}: probe says ${probe.kernel[f].ok} (${probe.kernel[f].why}); independent attempt exit ${mine.code}: ${mine.out.trim()}`);
    assert.ok(probe.kernel[f].why.length > 10, `${f} says why`);
    if (!probe.kernel[f].ok) assert.match(probe.kernel[f].why, /kernel refused|could not run|cannot test/, `${f}: a refusal is explained`);
  }
});

test('the probe via a throw-away container agrees with the namespace probe', { timeout: 180_000 }, async (t) => {
  if (!isRoot) { t.skip('needs root to compare with unshare -n'); return; }
  const img = await docker.getImage('dnl/host:latest').inspect().catch(() => undefined);
  if (!img) { t.skip('dnl/host:latest not built (npm run images)'); return; }
  const viaNs = await probeHost({ docker, kernelVia: 'unshare', refresh: true });
  const viaCt = await probeHost({ docker, kernelVia: 'container', refresh: true });
  assert.match(viaCt.via, /container/);
  for (const f of KERNEL_FEATURES) assert.equal(viaCt.kernel[f].ok, viaNs.kernel[f].ok, `${f}: ${viaCt.kernel[f].why} vs ${viaNs.kernel[f].why}`);
});

test('engine, privileged and fallback verdicts match what the engine does; nothing is left behind', { timeout: 120_000 }, async (t) => {
  const probe = await probeHost({ docker, refresh: true });
  assert.equal(probe.engine.ok, true, probe.engine.why);
  assert.match(probe.engine.api, /^1\.\d+$/);
  assert.ok(probe.engine.version.length > 0);
  assert.ok(probe.runtimes.available.includes('runc') || probe.runtimes.available.length > 0, probe.runtimes.why);

  // Cached per process: the same answer without asking again.
  assert.equal(await probeHost({ docker }), probe);

  const img = await docker.getImage(PROBE_IMAGE).inspect().catch(() => undefined);
  if (!img) { t.skip(`${PROBE_IMAGE} not built (npm run images)`); return; }
  const label = ['--label', 'dnl.instance=test-probe', '--network', 'none'];
  const priv = await sh('docker', ['run', '--rm', ...label, '--privileged', PROBE_IMAGE, 'true']);
  assert.equal(probe.privileged.ok, priv.code === 0, `privileged: probe ${probe.privileged.why}; docker run: ${priv.out}`);
  if (!probe.privileged.ok) assert.match(probe.privileged.why, /refused --privileged: \S/);
  const fb = await sh('docker', ['run', '--rm', ...label, ...FALLBACK_DOCKER_ARGS, PROBE_IMAGE, 'sh', '-c', 'mkdir -p /mnt/x && mount -t tmpfs t /mnt/x']);
  assert.equal(probe.fallback.ok, fb.code === 0, `fallback: probe ${probe.fallback.why}; docker run: ${fb.out}`);

  assert.ok(probe.privileged.ok || probe.fallback.ok, 'sandbox hosts can start one way or the other');
  const sec = sandboxSecurity(probe);
  if (probe.mode === 'privileged') assert.equal(sec.Privileged, true);
  if (probe.mode === 'fallback') {
    assert.deepEqual(sec.CapDrop, ['SYS_RESOURCE']);
    assert.equal(sec.Privileged, undefined);
  }

  const left = await docker.listContainers({ all: true, filters: { label: [PROBE_LABEL] } });
  assert.equal(left.length, 0, 'every throw-away container was removed');
});

test('on this machine: macvlan/vxlan/bridge yes; ipvlan/802.1q/IPVS no; privileged no, fallback yes', { timeout: 60_000 }, async (t) => {
  // The machine the course is developed on (DESIGN.md); elsewhere the verdicts may differ.
  if (!/-fc-/.test((await sh('uname', ['-r'])).out)) { t.skip('not the reference VM'); return; }
  const p = await probeHost({ docker });
  assert.deepEqual(
    { macvlan: p.kernel.macvlan.ok, vxlan: p.kernel.vxlan.ok, bridge: p.kernel.bridge.ok, ipvlan: p.kernel.ipvlan.ok, vlan8021q: p.kernel.vlan8021q.ok, ipvs: p.kernel.ipvs.ok, privileged: p.privileged.ok, fallback: p.fallback.ok },
    { macvlan: true, vxlan: true, bridge: true, ipvlan: false, vlan8021q: false, ipvs: false, privileged: false, fallback: true },
  );
  assert.equal(p.mode, 'fallback');
});
