// A fork bomb and a memory hog inside sandboxes stay there: the sandbox's pids and memory limits
// bind the learner's INNER containers (dnl-init nests them with --cgroup-parent), while the runner
// and another sandbox keep answering.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRunner } from '../../lab-runner/runner.ts';
import { testProvider, cleanup, docker, needHostImage, testConfig } from './sandbox-helpers.ts';
import { recordRow } from '../hardening/table.ts';

function cgroupFile(controller: string, containerId: string, file: string): string | undefined {
  for (const p of [`/sys/fs/cgroup/${controller}/docker/${containerId}/${file}`, `/sys/fs/cgroup/system.slice/docker-${containerId}.scope/${file}`]) {
    if (fs.existsSync(p)) return fs.readFileSync(p, 'utf8').trim();
  }
  return undefined;
}

test('fork bomb and memory hog are contained', { timeout: 300_000 }, async (t) => {
  if (!(await needHostImage(t))) return;
  const cfg = testConfig({ hostPids: 300, hostMemoryMb: 256, maxPerLearner: 1 });
  t.after(() => cleanup(cfg));
  const runner = await createRunner({ config: cfg, provider: testProvider(cfg) });
  const server = http.createServer((req, res) => { void runner.handleHttp(req, res); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(async () => { server.close(); await runner.close(); });
  const health = `http://127.0.0.1:${(server.address() as AddressInfo).port}/runner/api/health`;
  const m = runner.manager, p = runner.provider;

  const [bomb, hog, calm] = await Promise.all(['bomber', 'hogger', 'calm'].map(async (l) => m.whenReady((await m.claim(l)).id)));
  const hostId = (id: string) => m.info(id)!.hosts[0]!.id;

  // Hosts boot with every core (DNL_HOST_BOOT_CPUS), and are held to DNL_HOST_CPUS once ready.
  for (const s of [bomb!, hog!, calm!]) {
    const hc = (await docker.getContainer(hostId(s.id)).inspect()).HostConfig;
    assert.equal(hc.NanoCpus, cfg.hostCpus * 1e9, 'the engine records the learner-time CPU limit');
    const quota = cgroupFile('cpu', hostId(s.id), 'cpu.cfs_quota_us');
    if (quota !== undefined) assert.equal(Number(quota), cfg.hostCpus * Number(cgroupFile('cpu', hostId(s.id), 'cpu.cfs_period_us')), 'and the kernel enforces it');
  }

  // Fork bomb inside an inner container (detached: the bomb may leave no pid for `docker` itself).
  const fb = await p.exec(bomb!.id, 'node1', "docker run -d --name bomb busybox sh -c 'f() { f | f & }; f; sleep 600'", { timeoutMs: 60_000 });
  assert.equal(fb.exitCode, 0, fb.stderr);
  // Memory hog inside an inner container: dd fills a 400 MB buffer, again and again.
  const mh = await p.exec(hog!.id, 'node1', 'docker run -d --name hog --restart always busybox dd if=/dev/zero of=/dev/null bs=400M count=1000', { timeoutMs: 60_000 });
  assert.equal(mh.exitCode, 0, mh.stderr);

  // Wait for the limits to bite (read from the host's cgroup files, a condition rather than a sleep).
  const deadline = Date.now() + 60_000;
  let pids = 0, oomKills = 0;
  while (Date.now() < deadline) {
    pids = Number(cgroupFile('pids', hostId(bomb!.id), 'pids.current') ?? 0);
    // The OOM killer fired inside the sandbox (the inner engine saw its container OOM-killed).
    const st = await p.engine(hog!.id, 'node1').getContainer('hog').inspect().catch(() => undefined);
    oomKills = st ? (st.State.OOMKilled ? 1 : 0) + st.RestartCount : 0;
    if (pids >= 250 && oomKills > 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(pids >= 250, `the bomb filled its sandbox (pids.current=${pids})`);
  assert.ok(pids <= 300, `but no further than its pids limit (pids.current=${pids})`);
  assert.ok(oomKills > 0, 'the hog met the sandbox memory limit (OOM kill inside the sandbox cgroup)');
  const maxUsage = Number(cgroupFile('memory', hostId(hog!.id), 'memory.max_usage_in_bytes') ?? 0);
  assert.ok(maxUsage <= 257 * 1024 * 1024, `memory stayed at the 256 MiB limit (max ${maxUsage})`);
  const hogHost = await docker.getContainer(hostId(hog!.id)).inspect();
  assert.equal(hogHost.State.Running, true, 'the OOM killer took the inner container, not the sandbox host');

  // The runner and the calm sandbox keep answering while both storms rage.
  const t0 = Date.now();
  const h = await fetch(health);
  assert.equal(h.status, 200);
  const ok = await p.exec(calm!.id, 'node1', 'docker run --rm busybox echo still-fine', { timeoutMs: 60_000 });
  assert.equal(ok.exitCode, 0, ok.stderr);
  assert.equal(ok.stdout.trim(), 'still-fine');
  assert.ok(Date.now() - t0 < 30_000, `calm sandbox answered in ${Date.now() - t0} ms`);
  const outer = await docker.getContainer(hostId(calm!.id)).inspect();
  assert.equal(outer.State.Running, true);

  // Destroying the bombed sandbox frees everything.
  await m.destroy(bomb!.id);
  await m.destroy(hog!.id);
  assert.equal(m.get(bomb!.id), undefined);
  const calmMs = Date.now() - t0;
  recordRow({ kind: 'abuse', what: 'fork bomb in an inner container', outcome: `stopped at the sandbox's pids limit (${pids}/300); runner and a calm sandbox answered (${calmMs} ms)`, recoverMs: null, dataLost: 'none' });
  recordRow({ kind: 'abuse', what: 'memory hog (400 MB buffers, restart always)', outcome: `OOM-killed inside the sandbox (max ${Math.round(maxUsage / 1048576)} MiB of 256); the host kept running`, recoverMs: null, dataLost: 'none' });
});
