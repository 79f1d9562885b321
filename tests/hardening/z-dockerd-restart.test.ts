// The Docker daemon restarts under a running class: every sandbox host stops with it. The runner
// must keep answering while the engine is away, then start the learner's hosts again with their
// files, inner networks and progress. This restarts the machine's Docker daemon, so it runs in CI
// (CI=true) or when asked (DNL_TEST_DOCKERD_RESTART=1), never by surprise on a developer's
// machine; it runs after the other hardening tests (file order) so nothing else uses the engine.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LEARNER_COOKIE } from '../../lab-runner/auth.ts';
import { root, startServer, type TestServer } from '../e2e/harness.ts';
import { recordRow } from './table.ts';

// Two CI rehearsals once timed out here: the collector's first start of the stopped host hit the
// daemon mid-shutdown, got a 500, and the sandbox was marked failed for good. The manager now
// retries such a start on its next passes (tests/unit/sandbox-manager.test.ts).
const wanted = process.env.DNL_TEST_DOCKERD_RESTART === '1' || (process.env.CI === 'true' && process.env.DNL_TEST_DOCKERD_RESTART !== '0');
const LESSON = '01-networking-101';
let srv: TestServer | undefined;
after(async () => { await srv?.stop(); });

const dockerUp = () => spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
async function until(what: string, ms: number, ok: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await ok()) return; await new Promise((r) => setTimeout(r, 250)); }
  throw new Error(`timed out waiting for ${what}`);
}

/** Stops the daemon and starts it again the way it was started (systemd, or the same command line). */
async function restartDockerd(): Promise<void> {
  const systemd = fs.existsSync('/run/systemd/system') && spawnSync('systemctl', ['is-active', '--quiet', 'docker']).status === 0;
  if (systemd) { execFileSync('systemctl', ['restart', 'docker']); return; }
  // pidof also lists every sandbox host's INNER dockerd (their processes are visible from here):
  // the machine's daemon is the one in this PID namespace.
  const ours = fs.readlinkSync('/proc/self/ns/pid');
  const pids = execFileSync('pidof', ['dockerd'], { encoding: 'utf8' }).trim().split(/\s+/).map(Number)
    .filter((p) => { try { return fs.readlinkSync(`/proc/${p}/ns/pid`) === ours; } catch { return false; } });
  assert.equal(pids.length, 1, `exactly one dockerd in this PID namespace (found ${pids.join(', ') || 'none'})`);
  const pid = pids[0]!;
  const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  process.kill(pid, 'SIGTERM');
  await until('dockerd to exit', 60_000, () => !fs.existsSync(`/proc/${pid}`));
  const log = path.join(root, '.data', 'dockerd.log');
  fs.mkdirSync(path.dirname(log), { recursive: true });
  const out = fs.openSync(log, 'a');
  spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', out, out] }).unref();
  await until('dockerd to answer again', 60_000, dockerUp);
}

test('Docker daemon restart: the runner stays up, the learner\'s hosts come back with their state', {
  skip: wanted ? (process.getuid?.() === 0 ? false : 'needs root') : 'restarts the Docker daemon: runs in CI (CI=true) or with DNL_TEST_DOCKERD_RESTART=1',
  timeout: 600_000,
}, async () => {
  srv = await startServer({ name: 'dockerd', labPool: '10.211.0.0/16', env: { DNL_GC_SECONDS: '2', DNL_LESSONS_DIR: '' } });
  const first = await fetch(`${srv.base}/runner/api/sandboxes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ lesson: LESSON, hosts: 1, wait: true }) });
  const cookie = `${LEARNER_COOKIE}=${/dnl_learner=([^;]+)/.exec(first.headers.get('set-cookie') ?? '')![1]}`;
  const view = await first.json() as { id: string; status: string };
  assert.equal(view.status, 'ready');
  const host = execFileSync('docker', ['ps', '-q', '--filter', `label=dnl.instance=${srv.instance}`, '--filter', `label=dnl.sandbox=${view.id}`, '--filter', 'label=dnl.host=node1'], { encoding: 'utf8' }).trim();
  assert.equal(spawnSync('docker', ['exec', host, 'bash', '-lc', 'docker network create before_restart >/dev/null && echo kept > /root/marker']).status, 0);
  const used = await fetch(`${srv.base}/runner/api/lessons/${LESSON}/exercises/default-bridge/used`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{"kind":"hint"}' });
  assert.equal(used.status, 200);

  const t0 = Date.now();
  await restartDockerd();
  // The runner answered throughout (it is the same process) and now brings the host back.
  assert.equal((await fetch(`${srv.base}/runner/api/health`)).status, 200);
  let last = '';
  await until('the sandbox ready again', 180_000, async () => {
    const r = await fetch(`${srv!.base}/runner/api/sandboxes/${view.id}`, { headers: { cookie } });
    const v = await r.json() as { status: string; error?: string };
    last = `runner says ${v.status}${v.error ? ` (${v.error})` : ''}`;
    if (v.status !== 'ready') return false;
    const info = spawnSync('docker', ['exec', host, 'docker', 'info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 10_000 });
    last += `; docker info in the host: exit ${info.status} ${(info.stderr || info.stdout).trim().slice(0, 300)}`;
    return info.status === 0;
  }).catch((err: unknown) => {
    // Say what was seen, so a timeout in CI can be understood from its log alone.
    const sh = (args: string[]) => { const x = spawnSync('docker', args, { encoding: 'utf8', timeout: 10_000 }); return `${x.stdout}${x.stderr}`.trim(); };
    console.log(`# last: ${last}`);
    console.log(`# host container: ${sh(['ps', '-a', '--filter', `id=${host}`, '--format', '{{.Status}}'])}`);
    console.log(`# host log (tail):\n${sh(['logs', '--tail', '15', host])}`);
    console.log(`# inner dockerd log (tail):\n${sh(['exec', host, 'tail', '-n', '15', '/var/log/dockerd.log'])}`);
    console.log(`# inner containerd log (tail):\n${sh(['exec', host, 'tail', '-n', '8', '/var/log/containerd.log'])}`);
    console.log(`# runner log (tail):\n${srv!.log().split('\n').slice(-25).join('\n')}`);
    throw err;
  });
  const recoverMs = Date.now() - t0;
  const st = spawnSync('docker', ['exec', host, 'bash', '-lc', 'cat /root/marker && docker network ls --format "{{.Name}}" | grep -x before_restart'], { encoding: 'utf8' });
  assert.equal(st.status, 0, st.stdout + st.stderr);
  const prog = await (await fetch(`${srv.base}/runner/api/lessons/${LESSON}/progress`, { headers: { cookie } })).json() as { exercises: Array<{ exerciseId: string; usedHint: number }> };
  assert.ok((prog.exercises.find((e) => e.exerciseId === 'default-bridge')?.usedHint ?? 0) >= 1);
  recordRow({ kind: 'fault', what: 'Docker daemon restarted under a live lab', outcome: 'runner stayed up; collector started the stopped host again; files, inner networks, progress kept', recoverMs, dataLost: 'none' });
});
