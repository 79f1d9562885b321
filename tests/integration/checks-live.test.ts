// Live checks through the real runner (createRunner → runner.ts wiring): the lesson routes and
// the /runner/ws/lab WebSocket against a real sandbox claimed by a learner. A Docker event
// (network create) must turn an exercise Passed on the socket with no request; a pass is
// recorded once; someone else's cookie gets 404 like a missing sandbox.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { LEARNER_COOKIE, signValue } from '../../lab-runner/auth.ts';
import { loadConfig } from '../../lab-runner/config.ts';
import { createRunner, type Runner } from '../../lab-runner/runner.ts';
import { lessonLookup } from '../../lab-runner/live/lessons.ts';
import type { CheckResponse, LabServerMessage, ProgressResponse } from '../../protocol/lab.ts';

const hostImage = (() => { try { execFileSync('docker', ['image', 'inspect', 'dnl/host:latest'], { stdio: 'ignore' }); return true; } catch { return false; } })();

describe('live checks through the runner', { skip: hostImage ? false : 'dnl/host:latest is not built (npm run images)', timeout: 300_000 }, () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnl-live-'));
  let runner: Runner;
  let server: http.Server;
  let base = '';
  let sandbox = '';
  const learner = 'l_livetest';
  const cookieFor = (id: string): string => `${LEARNER_COOKIE}=${encodeURIComponent(signValue(runner.secret, id))}`;
  const sh = async (script: string): Promise<void> => {
    const r = await runner.provider.exec(sandbox, 'node1', script, { timeoutMs: 60_000 });
    assert.equal(r.exitCode, 0, `${script}: ${r.stderr}`);
  };
  const post = async (url: string, body: unknown, who = learner): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(base + url, { method: 'POST', headers: { cookie: cookieFor(who), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: await res.json() };
  };

  before(async () => {
    const config = loadConfig(process.env, { dataDir, instance: `test-live-${randomBytes(2).toString('hex')}`, poolSize: 0 });
    runner = await createRunner({ config });
    server = http.createServer((req, res) => { void runner.handleHttp(req, res).then((done) => { if (!done) { res.statusCode = 404; res.end(); } }); });
    server.on('upgrade', (req, socket, head) => { if (!runner.handleUpgrade(req, socket, head)) socket.destroy(); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const v = await runner.manager.claim(learner, { hosts: 1, lesson: '05-bridge' });
    sandbox = (await runner.manager.whenReady(v.id)).id;
  });
  after(async () => {
    if (sandbox) await runner.manager.destroy(sandbox).catch(() => undefined);
    server?.close();
    await runner?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('someone else cannot open the live socket or check the lesson (404, like a missing sandbox)', async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${base.replace('http', 'ws')}/runner/ws/lab?sandbox=${sandbox}`, { headers: { cookie: cookieFor('l_intruder') } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => { ws.close(); resolve(101); });
    });
    assert.equal(status, 404);
    const r = await post('/runner/api/lessons/05-bridge/check', { sandbox }, 'l_intruder');
    assert.equal(r.status, 404);
  });

  test('the socket sends every exercise, then turns one Passed on a Docker event with no request', async () => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/runner/ws/lab?sandbox=${sandbox}`, { headers: { cookie: cookieFor(learner) } });
    const msgs: LabServerMessage[] = [];
    const waiters: Array<() => void> = [];
    ws.on('message', (d) => { msgs.push(JSON.parse(String(d)) as LabServerMessage); for (const w of waiters.splice(0)) w(); });
    const until = async (pred: () => boolean, what: string): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (!pred()) {
        assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
        await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 1000); });
      }
    };
    const status = (id: string) => [...msgs].reverse().find((m) => m.type === 'exercise' && m.exerciseId === id) as Extract<LabServerMessage, { type: 'exercise' }> | undefined;
    await until(() => ['create-network', 'ping-by-name', 'default-bridge', 'isolation', 'connect'].every((id) => status(id)), 'all five statuses');
    assert.equal(status('create-network')!.passed, false);
    assert.match(status('create-network')!.reason, /There is no network named my_bridge_network/);
    const t0 = Date.now();
    await sh('docker network create my_bridge_network');
    await until(() => status('create-network')?.passed === true, 'create-network Passed');
    const ms = Date.now() - t0;
    assert.ok(status('create-network')!.passedAt, 'first pass time recorded');
    ws.close();
    // Issue 5 wants ≤ 1 s on the page; the command itself (exec into the host) is included here.
    assert.ok(ms < 10_000, `event → status took ${ms} ms`);
  });

  test('POST check returns every status; used + progress record hint use before the pass, and the pass once', async () => {
    const used = await post('/runner/api/lessons/05-bridge/exercises/ping-by-name/used', { kind: 'hint' });
    assert.equal(used.status, 200);
    const bad = await post('/runner/api/lessons/05-bridge/exercises/ping-by-name/used', { kind: 'peek' });
    assert.equal(bad.status, 400);
    assert.match((bad.json as { error: string }).error, /kind/);
    const nope = await post('/runner/api/lessons/05-bridge/exercises/no-such/used', { kind: 'hint' });
    assert.equal(nope.status, 404);

    const r = await post('/runner/api/lessons/05-bridge/check', {});
    assert.equal(r.status, 200);
    const body = r.json as CheckResponse;
    assert.equal(body.sandbox, sandbox);
    // Every exercise of the lesson, in order; only the network exists so far.
    const ids = (await lessonLookup()('05-bridge'))!.exercises.map((x) => x.id);
    assert.deepEqual(body.exercises.map((x) => [x.exerciseId, x.passed]), ids.map((id) => [id, id === 'create-network']));
    // Each reason comes in Korean too.
    assert.match(body.exercises.find((x) => x.exerciseId === 'ping-by-name')!.reasonKo ?? '', /이름이 container3인 컨테이너가 없습니다/);
    const first = body.exercises[0]!.passedAt;
    const again = (await post('/runner/api/lessons/05-bridge/check', {})).json as CheckResponse;
    assert.equal(again.exercises[0]!.passedAt, first, 'the first pass time does not move');

    const res = await fetch(`${base}/runner/api/lessons/05-bridge/progress`, { headers: { cookie: cookieFor(learner) } });
    const prog = await res.json() as ProgressResponse;
    assert.deepEqual(prog.exercises.find((x) => x.exerciseId === 'create-network'), { exerciseId: 'create-network', passedAt: first, usedHint: 0, usedSolution: false });
    assert.deepEqual(prog.exercises.find((x) => x.exerciseId === 'ping-by-name'), { exerciseId: 'ping-by-name', passedAt: null, usedHint: 1, usedSolution: false });
    const notAnswer = await post('/runner/api/lessons/05-bridge/exercises/create-network/answer', { value: '172.18.0.2' });
    assert.equal(notAnswer.status, 400);
    assert.match((notAnswer.json as { error: string }).error, /checked in your lab, not by a typed answer/);
    const unknown = await post('/runner/api/lessons/99-nope/check', {});
    assert.equal(unknown.status, 404);
  });
});
