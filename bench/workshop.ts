// Workshop load: a room of simulated students (default 30) in one workshop on this machine,
// against an in-process runner (the real API, sandboxes, terminal and live-check WebSockets;
// no web pages). Each student joins with the code, gets their lab (a reserved, pre-started
// sandbox), opens the live-check socket like the lesson page, and types the bridge lesson's
// (05-bridge) solution commands through the terminal WebSocket, one exercise after another.
// An instructor socket follows the dashboard. Measured:
//   - time to reserve the room's sandboxes (before the start, what a room joining at once avoids),
//   - time for the room to get sandboxes: all students join at once → every lab ready,
//   - check latency: a command's output finished → the exercise passes on the student's socket,
//   - dashboard latency: the pass on the student's socket → the dashboard's update,
//   - peak memory: runner process RSS, and the sandboxes' own memory (cgroups).
//   npm run bench:workshop [-- --students 30] [--json]
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { format, parseArgs } from 'node:util';
import Docker from 'dockerode';
import WebSocket from 'ws';
import { loadConfig } from '../lab-runner/config.ts';
import { createRunner, type Runner } from '../lab-runner/runner.ts';
import { loadCourse } from '../lessons/load.ts';
import { answerOf } from '../lessons/checks.ts';
import { LAB_WS_PATH, type LabServerMessage } from '../protocol/lab.ts';
import { TERMINAL_WS_PATH } from '../protocol/terminal.ts';
import { WORKSHOP_WS_PATH, type DashboardMessage } from '../protocol/workshop.ts';
import { removeInstanceResources } from '../lab-runner/provider/cleanup.ts';
import { TerminalTestClient } from '../tests/e2e/terminal-helpers.ts';
import { median, runStandalone, type BenchOptions, type BenchReport, type BenchRow } from './index.ts';

const LESSON = '05-bridge';
const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]! : NaN; };

interface Client { cookie: string; name: string }

async function call(base: string, c: Client | undefined, method: string, p: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown>; cookie?: string }> {
  const res = await fetch(base + p, { method, headers: { 'content-type': 'application/json', ...(c?.cookie ? { cookie: c.cookie } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  const sc = res.headers.get('set-cookie');
  return { status: res.status, json, cookie: sc ? sc.split(';')[0] : undefined };
}

/** Memory of this instance's sandbox host containers (cgroup v1 or v2), in bytes. */
async function sandboxMemory(docker: Docker, instance: string): Promise<number> {
  const list = await docker.listContainers({ filters: { label: [`dnl.instance=${instance}`, 'dnl.role=host'] } }).catch(() => []);
  let sum = 0;
  for (const c of list) {
    for (const f of [`/sys/fs/cgroup/memory/docker/${c.Id}/memory.usage_in_bytes`, `/sys/fs/cgroup/system.slice/docker-${c.Id}.scope/memory.current`]) {
      try { sum += Number(fs.readFileSync(f, 'utf8').trim()); break; } catch { /* other layout */ }
    }
  }
  return sum;
}

const bench = async (opts: BenchOptions): Promise<BenchReport> => {
  const { values } = parseArgs({ args: opts.args, options: { students: { type: 'string', default: '30' }, json: { type: 'boolean' }, runs: { type: 'string' } }, strict: false });
  const N = Number(values.students);
  const instance = `bench-ws-${randomBytes(2).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnl-bench-ws-'));
  const config = loadConfig(process.env, {
    instance, dataDir, labPool: process.env.DNL_LAB_POOL ?? '10.201.0.0/16', poolSize: 0,
    maxSandboxes: N + 2, maxPerLearner: 1, workshopLeadMinutes: 15,
  });
  const docker = new Docker({ socketPath: config.dockerSocket });
  const course = await loadCourse({ compile: false });
  const lesson = course.lessons.find((l) => l.slug === LESSON);
  if (!lesson) throw new Error(`lesson ${LESSON} not found`);
  // An answer exercise is solved by reading the answer off the last command's output and typing
  // it into the answer box (POST …/answer), as a student does.
  const exercises = lesson.lab.exercises.map((x) => ({ id: x.id, commands: x.solution.map((s) => s.run), answer: answerOf(x.check) !== undefined }));
  opts.log(`${N} students, lesson ${LESSON} (${exercises.length} exercises, ${exercises.reduce((n, x) => n + x.commands.length, 0)} commands each), instance ${instance}`);

  // The runner's parts log with console.log; stdout must carry only the report (--json).
  const stdoutLog = console.log;
  console.log = (...a: unknown[]) => { process.stderr.write(format(...a) + '\n'); };
  let runner: Runner | undefined;
  let server: http.Server | undefined;
  const sockets: Array<{ close(): void }> = [];
  let peakRss = 0, peakSandbox = 0, sampling = true;
  const load0 = os.loadavg()[0];
  const sampler = (async () => {
    while (sampling) {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      peakSandbox = Math.max(peakSandbox, await sandboxMemory(docker, instance));
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  try {
    runner = await createRunner({ config, pool: { 1: 0 } });
    const r = runner;
    server = http.createServer((req, res) => { void r.handleHttp(req, res).then((ok) => { if (!ok) { res.statusCode = 404; res.end(); } }); });
    server.on('upgrade', (req, socket, head) => { if (!r.handleUpgrade(req, socket, head)) socket.destroy(); });
    await new Promise<void>((res) => server!.listen(0, '127.0.0.1', res));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const wsBase = base.replace('http', 'ws');

    // ---- The instructor creates the workshop and follows the dashboard.
    const created = await call(base, undefined, 'POST', '/runner/api/workshops', { title: 'Bench room', lessons: [LESSON], capacity: N, startsAt: Date.now(), endsAt: Date.now() + 2 * 3600_000 });
    if (created.status !== 200) throw new Error(`create: ${JSON.stringify(created.json)}`);
    const teacher: Client = { cookie: created.cookie!, name: 'teacher' };
    const wid = String(created.json.id), code = String(created.json.code);
    const tCreate = performance.now();
    const dash = new WebSocket(`${wsBase}${WORKSHOP_WS_PATH}?role=instructor&workshop=${wid}`, { headers: { cookie: teacher.cookie } });
    sockets.push(dash);
    const dashSeen = new Map<string, number>(); // `${name}/${exercise}` → first time the dashboard showed the pass
    let reservedAt = 0;
    const names = new Map<number, string>();
    dash.on('message', (d) => {
      const m = JSON.parse(String(d)) as DashboardMessage;
      const now = performance.now();
      if (m.type === 'reservations' && m.reservations.ready >= N && !reservedAt) reservedAt = now;
      const rows = m.type === 'snapshot' ? m.snapshot.students : m.type === 'student' ? [m.student] : [];
      for (const s of rows) {
        names.set(s.sid, s.name);
        for (const [k, c] of Object.entries(s.cells)) {
          const key = `${s.name}/${k.split('/')[1]}`;
          if (c.passedAt !== null && !dashSeen.has(key)) dashSeen.set(key, now);
        }
      }
    });
    await new Promise<void>((res, rej) => { dash.once('open', () => res()); dash.once('error', rej); });
    opts.log('waiting for the reserved sandboxes …');
    const reserveDeadline = Date.now() + 15 * 60_000;
    while (!reservedAt && Date.now() < reserveDeadline) await new Promise((res) => setTimeout(res, 200));
    if (!reservedAt) throw new Error(`the ${N} reserved sandboxes were not ready within 15 min`);
    const reserveS = (reservedAt - tCreate) / 1000;
    opts.log(`${N} sandboxes reserved in ${reserveS.toFixed(1)} s; the room joins`);

    // ---- The room joins at once; each student gets their lab.
    const tJoin = performance.now();
    const readyAt: number[] = [];
    const checkLat: number[] = [];
    const dashLat: number[] = [];
    const failures: string[] = [];
    let passedAll = 0;
    let checkPresses = 0;
    await Promise.all(Array.from({ length: N }, async (_, i) => {
      const name = `student-${String(i + 1).padStart(2, '0')}`;
      try {
        const j = await call(base, undefined, 'POST', '/runner/api/workshops/join', { code, name });
        if (j.status !== 200) throw new Error(`join: ${JSON.stringify(j.json)}`);
        const me: Client = { cookie: j.cookie!, name };
        const sb = await call(base, me, 'POST', '/runner/api/sandboxes', { hosts: 1, lesson: LESSON, wait: true });
        if (sb.status !== 200) throw new Error(`sandbox: ${JSON.stringify(sb.json)}`);
        readyAt.push(performance.now() - tJoin);
        const sandbox = String(sb.json.id);

        const lab = new WebSocket(`${wsBase}${LAB_WS_PATH}?sandbox=${sandbox}&lesson=${LESSON}`, { headers: { cookie: me.cookie } });
        sockets.push(lab);
        const passed = new Map<string, number>();
        const reasons = new Map<string, string>();
        const waiters = new Set<() => void>();
        lab.on('message', (d) => {
          const m = JSON.parse(String(d)) as LabServerMessage;
          if (m.type === 'exercise' && !m.passed) reasons.set(m.exerciseId, m.reason);
          if (m.type === 'exercise' && m.passed && !passed.has(m.exerciseId)) passed.set(m.exerciseId, performance.now());
          for (const w of waiters) w();
        });
        await new Promise<void>((res, rej) => { lab.once('open', () => res()); lab.once('error', rej); });

        const tok = await call(base, me, 'POST', '/runner/api/terminal-token', { sandboxId: sandbox, host: 'node1' });
        if (tok.status !== 200) throw new Error(`token: ${JSON.stringify(tok.json)}`);
        const term = await TerminalTestClient.open(`${wsBase}${TERMINAL_WS_PATH}`, String(tok.json.token), { cols: 120, rows: 40 });
        sockets.push({ close: () => term.ws.close() });
        let k = 0;
        for (const ex of exercises) {
          let doneAt = 0;
          let output = '';
          for (const cmd of ex.commands) {
            const mark = `__done_${++k}__`;
            const from = term.text.length;
            // The marker is printed by the shell (not echoed as typed: the $(( )) is evaluated).
            term.ws.send(Buffer.concat([Buffer.from('0'), Buffer.from(`${cmd}; echo __done_$((${k}))__\r`)]));
            await term.waitUntil(() => term.text.includes(mark, from), 300_000, `${name}: ${cmd}`);
            output = term.text.slice(from, term.text.indexOf(mark, from));
            doneAt = performance.now();
            if (lab.readyState === lab.OPEN) lab.send(JSON.stringify({ type: 'activity' }));
          }
          if (ex.answer) {
            // eslint-disable-next-line no-control-regex
            const lines = output.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.includes('__done_'));
            const value = lines.filter((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l)).pop() ?? lines.pop() ?? '';
            const a = await call(base, me, 'POST', `/runner/api/lessons/${LESSON}/exercises/${ex.id}/answer`, { value, sandbox });
            if (a.status !== 200) throw new Error(`${name}: answer ${JSON.stringify(value)} to ${ex.id}: ${JSON.stringify(a.json)}`);
            doneAt = performance.now();
          }
          // Like a student who sees no tick after a while, press Check every 15 s (a check that
          // failed under load is not re-run until something changes in the lab).
          let presses = 0;
          await new Promise<void>((res, rej) => {
            const press = setInterval(() => { presses++; if (lab.readyState === lab.OPEN) lab.send(JSON.stringify({ type: 'check' })); }, 15_000);
            const timer = setTimeout(() => {
              clearInterval(press); waiters.delete(check);
              rej(new Error(`${name}: ${ex.id} did not pass within 300 s (last reason: ${reasons.get(ex.id) ?? 'none'})`));
            }, 300_000);
            const check = (): void => { if (passed.has(ex.id)) { clearTimeout(timer); clearInterval(press); waiters.delete(check); res(); } };
            waiters.add(check);
            check();
          });
          checkPresses += presses;
          checkLat.push(Math.max(0, passed.get(ex.id)! - doneAt));
        }
        passedAll++;
        // The dashboard saw each pass (pushed), measured from the student's own socket.
        for (const ex of exercises) {
          const key = `${name}/${ex.id}`;
          const until = Date.now() + 10_000;
          while (!dashSeen.has(key) && Date.now() < until) await new Promise((res) => setTimeout(res, 50));
          if (dashSeen.has(key)) dashLat.push(Math.max(0, dashSeen.get(key)! - passed.get(ex.id)!));
          else failures.push(`${name}: ${ex.id} never reached the dashboard`);
        }
        term.ws.close();
        lab.close();
      } catch (err) {
        failures.push(err instanceof Error ? err.message : String(err));
      }
    }));
    const roomS = Math.max(...readyAt) / 1000;

    // ---- The instructor ends the workshop: every sandbox goes.
    const tEnd = performance.now();
    const ended = await call(base, teacher, 'POST', `/runner/api/workshops/${wid}/end`, {});
    if (ended.status !== 200) failures.push(`end: ${JSON.stringify(ended.json)}`);
    const left = (await docker.listContainers({ all: true, filters: { label: [`dnl.instance=${instance}`, 'dnl.role=host'] } })).length;
    const endS = (performance.now() - tEnd) / 1000;
    sampling = false;
    await sampler;
    const mb = (b: number) => Math.round(b / 1048576);
    const rows: BenchRow[] = [
      { metric: 'students who passed every exercise', value: passedAll, unit: `of ${N}`, target: `= ${N}`, ok: passedAll === N },
      { metric: 'reserve the room (create → all sandboxes ready)', value: Number(reserveS.toFixed(1)), unit: 's', note: `${N} sandboxes, 3 started at a time, before the start time` },
      { metric: 'room gets sandboxes (all join at once → every lab ready)', value: Number(roomS.toFixed(2)), unit: 's', note: `per student p50 ${(median(readyAt) / 1000).toFixed(2)} s` },
      { metric: 'check latency p50 (output done → pass)', value: Math.round(pct(checkLat, 0.5)), unit: 'ms', note: `${checkLat.length} passes` },
      { metric: 'check latency p95', value: Math.round(pct(checkLat, 0.95)), unit: 'ms', note: `max ${Math.round(Math.max(...checkLat))} ms; Check pressed ${checkPresses} time(s) in all` },
      { metric: 'dashboard latency p50 (pass → dashboard)', value: Math.round(pct(dashLat, 0.5)), unit: 'ms', target: '≤ 2000' , ok: pct(dashLat, 0.5) <= 2000 },
      { metric: 'dashboard latency p95', value: Math.round(pct(dashLat, 0.95)), unit: 'ms', target: '≤ 2000', ok: pct(dashLat, 0.95) <= 2000 },
      { metric: 'end workshop → sandboxes removed', value: Number(endS.toFixed(1)), unit: 's', target: '0 left', ok: left === 0, note: `${left} host container(s) left` },
      { metric: 'peak runner process RSS', value: mb(peakRss), unit: 'MiB', note: 'the runner and the simulated clients share this process' },
      { metric: 'peak sandbox memory (sum of hosts)', value: mb(peakSandbox), unit: 'MiB', note: `${N} sandboxes with their nginx containers` },
    ];
    const notes = [
      `load average ${load0.toFixed(1)} at start, ${os.loadavg()[0].toFixed(1)} at the end (${os.cpus().length} cores, shared with other work): timings are noisy`,
      ...failures.slice(0, 10).map((f) => `FAILED ${f}`),
    ];
    return { name: `workshop (${N} students, ${LESSON})`, rows, notes };
  } finally {
    sampling = false;
    for (const s of sockets) { try { s.close(); } catch { /* closed */ } }
    server?.close();
    await runner?.close().catch(() => undefined);
    try { removeInstanceResources(instance); } catch (e) { opts.log(`clean-up of ${instance} failed: ${(e as Error).message}`); }
    fs.rmSync(dataDir, { recursive: true, force: true });
    console.log = stdoutLog;
  }
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void runStandalone(bench, 'workshop');
export default bench;
