// Abuse inside sandboxes, all at once, on the real engine: a disk filler, a CPU spinner, a
// crypto-miner-like load and a flood of inner containers, each in its own learner's sandbox,
// while a calm learner keeps working. Each attack must stay in its sandbox (its limits hold,
// or the watchdog stops it with a message), and the runner and the calm learner must keep
// answering. (The fork bomb and memory hog are in tests/integration/sandbox-containment.test.ts,
// which adds its rows to the same table.)
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { cleanup, docker, needHostImage, testConfig, testProvider } from '../integration/sandbox-helpers.ts';
import { startRunnerServer } from './runner-server.ts';
import { recordRow } from './table.ts';

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] ?? NaN; };

/** CPU time (ns) a host container has used: cgroup v1 cpuacct or v2 cpu.stat. */
function cpuNs(containerId: string): number {
  for (const p of [`/sys/fs/cgroup/cpuacct/docker/${containerId}/cpuacct.usage`, `/sys/fs/cgroup/cpu,cpuacct/docker/${containerId}/cpuacct.usage`]) {
    if (fs.existsSync(p)) return Number(fs.readFileSync(p, 'utf8'));
  }
  const v2 = `/sys/fs/cgroup/system.slice/docker-${containerId}.scope/cpu.stat`;
  if (fs.existsSync(v2)) return Number(/usage_usec (\d+)/.exec(fs.readFileSync(v2, 'utf8'))?.[1] ?? NaN) * 1000;
  return NaN;
}

function cgroupValue(controller: string, containerId: string, file: string): number {
  for (const p of [`/sys/fs/cgroup/${controller}/docker/${containerId}/${file}`, `/sys/fs/cgroup/system.slice/docker-${containerId}.scope/${file}`]) {
    if (fs.existsSync(p)) return Number(fs.readFileSync(p, 'utf8').trim());
  }
  return NaN;
}

test('disk filler, CPU spinner, miner-like load and a container flood stay in their sandboxes', { timeout: 900_000 }, async (t) => {
  if (!(await needHostImage(t))) return;
  // Small budgets so the attacks meet them quickly (and the disk filler writes little to the real disk).
  const cfg = testConfig({ hostDiskMb: 300, diskCheckSeconds: 2, hostMemoryMb: 512, hostPids: 400, hostCpus: 1, maxPerLearner: 1 });
  t.after(() => cleanup(cfg));
  const rs = await startRunnerServer(cfg, { provider: testProvider(cfg) });
  t.after(() => rs.close());
  const { runner } = rs;
  const health = `${rs.base}/runner/api/health`;
  const m = runner.manager, p = runner.provider;
  const learners = ['filler', 'spinner', 'miner', 'flooder', 'calm'] as const;
  const sb = Object.fromEntries(await Promise.all(learners.map(async (l) => [l, (await m.whenReady((await m.claim(l)).id))!.id] as const))) as Record<(typeof learners)[number], string>;
  const hostId = (id: string) => m.info(id)!.hosts[0]!.id;
  const statusOf = (id: string) => m.get(id);

  // Baseline for the calm learner: a docker command in its own sandbox.
  const calmRun = async () => { const t0 = Date.now(); const r = await p.exec(sb.calm, 'node1', 'docker ps -q | wc -l', { timeoutMs: 60_000 }); assert.equal(r.exitCode, 0, r.stderr); return Date.now() - t0; };
  const before = [await calmRun(), await calmRun(), await calmRun()];

  // --- the attacks, all at once ---
  // Disk filler in the host's own shell (not in a container): 20 MB/s for at most 40 s (bounded: ≤ 800 MB).
  void p.exec(sb.filler, 'node1', 'for i in $(seq 40); do dd if=/dev/zero of=/root/fill.$i bs=1M count=20 status=none; sleep 1; done', { timeoutMs: 120_000 }).catch(() => undefined);
  // CPU spinner: four busy loops in inner containers.
  const spin = await p.exec(sb.spinner, 'node1', "for i in 1 2 3 4; do docker run -d busybox sh -c 'while :; do :; done' >/dev/null; done", { timeoutMs: 60_000 });
  assert.equal(spin.exitCode, 0, spin.stderr);
  // Miner-like: eight hashing processes in the host itself, plus memory they hold.
  const mine = await p.exec(sb.miner, 'node1', 'for i in $(seq 8); do (sha256sum /dev/zero >/dev/null &) ; done; echo started', { timeoutMs: 30_000 });
  assert.equal(mine.exitCode, 0, mine.stderr);
  // Container flood: start sleeping containers until the sandbox refuses (at most 90 s).
  const floodT0 = Date.now();
  const flood = p.exec(sb.flooder, 'node1', 'n=0; end=$((SECONDS+90)); while [ $SECONDS -lt $end ]; do docker run -d --network none busybox sleep 3600 >/dev/null 2>&1 || break; n=$((n+1)); done; echo started=$n', { timeoutMs: 150_000 });

  // While all of that runs: the runner's health and the calm learner's commands.
  const healthMs: number[] = [], during: number[] = [];
  const cpuA0 = cpuNs(hostId(sb.spinner)), cpuB0 = cpuNs(hostId(sb.miner)), tc0 = Date.now();
  for (let i = 0; i < 10; i++) {
    const t0 = Date.now();
    assert.equal((await fetch(health)).status, 200);
    healthMs.push(Date.now() - t0);
    during.push(await calmRun());
  }
  const secs = (Date.now() - tc0) / 1000;
  const spinCores = (cpuNs(hostId(sb.spinner)) - cpuA0) / 1e9 / secs;
  const mineCores = (cpuNs(hostId(sb.miner)) - cpuB0) / 1e9 / secs;
  t.diagnostic(`CPU over ${secs.toFixed(1)} s: spinner ${spinCores.toFixed(2)} cores, miner ${mineCores.toFixed(2)} cores (limit ${cfg.hostCpus})`);
  t.diagnostic(`calm learner's docker command: ${median(before)} ms before, ${median(during)} ms during (median); runner health ${median(healthMs)} ms (median), ${Math.max(...healthMs)} ms max`);
  if (Number.isFinite(spinCores)) assert.ok(spinCores <= cfg.hostCpus * 1.15, `the spinner is held to its CPU limit (${spinCores.toFixed(2)} cores)`);
  if (Number.isFinite(mineCores)) assert.ok(mineCores <= cfg.hostCpus * 1.15, `the miner is held to its CPU limit (${mineCores.toFixed(2)} cores)`);
  assert.ok(Math.max(...healthMs) < 5000, `the runner kept answering (max ${Math.max(...healthMs)} ms)`);

  // The container flood ends at the sandbox's limits, not the machine's.
  const fr = await flood;
  const started = Number(/started=(\d+)/.exec(fr.stdout)?.[1] ?? NaN);
  const floodPids = cgroupValue('pids', hostId(sb.flooder), 'pids.current');
  const floodMem = cgroupValue('memory', hostId(sb.flooder), 'memory.usage_in_bytes');
  t.diagnostic(`container flood: ${started} containers in ${((Date.now() - floodT0) / 1000).toFixed(0)} s; host pids ${floodPids} (limit ${cfg.hostPids}), memory ${(floodMem / 1048576).toFixed(0)} MiB (limit ${cfg.hostMemoryMb})`);
  assert.ok(Number.isFinite(started) && started > 0, `the flood started containers: ${fr.stdout} ${fr.stderr}`);
  if (Number.isFinite(floodPids)) assert.ok(floodPids <= cfg.hostPids, 'pids stay within the sandbox limit');
  if (Number.isFinite(floodMem)) assert.ok(floodMem <= cfg.hostMemoryMb * 1048576 * 1.01, 'memory stays within the sandbox limit');

  // The disk filler: the watchdog stops it and the learner is told (status message; then paused).
  const d0 = Date.now();
  while (Date.now() - d0 < 120_000 && statusOf(sb.filler)?.status !== 'error') await new Promise((r) => setTimeout(r, 500));
  const filler = statusOf(sb.filler);
  t.diagnostic(`disk filler: ${filler?.status} — ${filler?.error}`);
  assert.equal(filler?.status, 'error', 'the filler sandbox is stopped');
  assert.match(filler?.error ?? '', /more than its 300 MB of disk.*Reset the lab/);
  const fillerHost = await docker.getContainer(hostId(sb.filler)).inspect();
  assert.equal(fillerHost.State.Paused, true, 'its host is paused: nothing more is written');
  // Measured from outside (the paused host's own engine is frozen): its writable layer.
  const [listed] = await docker.listContainers({ all: true, size: true, filters: { id: [hostId(sb.filler)] } });
  const usage = { node1: Number((listed as { SizeRw?: number } | undefined)?.SizeRw ?? 0) };
  // (The watchdog also counted the inner engine's images; the host's own layer is the filler's part.)
  assert.ok(usage.node1 > 0 && usage.node1 < 900 * 1048576, `written before the stop stays bounded (${Math.round(usage.node1 / 1048576)} MB)`);
  // The way forward works: Reset gives a fresh, ready machine.
  const tr = Date.now();
  await m.reset(sb.filler);
  assert.equal((await m.whenReady(sb.filler))?.status, 'ready');
  const resetMs = Date.now() - tr;

  // The calm learner is still fine; the others still have their own (limited) sandboxes.
  assert.ok(await calmRun() < 30_000);
  for (const l of ['spinner', 'miner', 'flooder'] as const) assert.equal(statusOf(sb[l])?.status, 'ready', `${l}'s sandbox is still there`);

  const calm = `calm learner ${median(before)} → ${median(during)} ms; runner health max ${Math.max(...healthMs)} ms`;
  recordRow({ kind: 'abuse', what: 'disk filler (dd in the host shell, 20 MB/s)', outcome: `watchdog stopped containers, then paused the sandbox with a message (filler's layer ${Math.round(usage.node1 / 1048576)} MB; budget 300 MB incl. images); reset → ready`, recoverMs: resetMs, dataLost: 'none' });
  recordRow({ kind: 'abuse', what: 'CPU spinner (4 busy inner containers)', outcome: `held to ${spinCores.toFixed(2)} cores (limit ${cfg.hostCpus}); ${calm}`, recoverMs: null, dataLost: 'none' });
  recordRow({ kind: 'abuse', what: 'miner-like load (8 sha256sum in the host)', outcome: `held to ${mineCores.toFixed(2)} cores (limit ${cfg.hostCpus})`, recoverMs: null, dataLost: 'none' });
  recordRow({ kind: 'abuse', what: 'container flood (docker run in a loop)', outcome: `${started} containers, then refused inside the sandbox; pids ${floodPids}/${cfg.hostPids}, memory ${(floodMem / 1048576).toFixed(0)}/${cfg.hostMemoryMb} MiB`, recoverMs: null, dataLost: 'none' });
});
