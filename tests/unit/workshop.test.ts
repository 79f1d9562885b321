// Workshops over the real manager with the in-memory FakeProvider, the real router, SQLite store
// (in memory) and the real push channel: codes, capacity, reservations and hand-over, instructor
// binding, 404s for students, the dashboard feed, CSV, end, and bad input.
import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { loadConfig } from '../../lab-runner/config.ts';
import { Router, sendJson } from '../../lab-runner/api/http.ts';
import { registerSandboxRoutes } from '../../lab-runner/api/sandboxes.ts';
import { SandboxManager } from '../../lab-runner/sandbox/manager.ts';
import { FakeProvider } from '../../lab-runner/sandbox/fake-provider.ts';
import { Store } from '../../lab-runner/store/store.ts';
import { createWorkshops } from '../../lab-runner/workshop/index.ts';
import { csvCell } from '../../lab-runner/workshop/service.ts';
import type { CourseLesson } from '../../lab-runner/workshop/service.ts';
import { formatCode, normalizeCode, type DashboardMessage } from '../../protocol/workshop.ts';

const secret = 'unit-test-secret-0123456789';
const LESSONS: Record<string, CourseLesson> = {
  '05-bridge': { slug: '05-bridge', title: 'Bridge', hosts: 1, exercises: [{ id: 'create-network', title: 'Create' }, { id: 'connect', title: 'Connect' }] },
  '01-networking-101': { slug: '01-networking-101', title: '101', hosts: 1, exercises: [{ id: 'default-bridge', title: 'Default' }] },
};

async function serve(t: test.TestContext, env: Record<string, string> = {}) {
  const config = loadConfig(env as NodeJS.ProcessEnv, { dataDir: '/tmp/dnl-unit', poolSize: 0, maxSandboxes: 20 });
  const provider = new FakeProvider();
  const manager = new SandboxManager({ provider, config, log: () => undefined });
  await manager.start();
  const store = new Store(':memory:');
  const router = new Router();
  registerSandboxRoutes(router, { secret, manager });
  const part = createWorkshops({ config, secret, router, db: store.db, sandboxes: manager, course: async (s) => LESSONS[s], log: () => undefined });
  const server = http.createServer((req, res) => {
    void router.handle(req, res, new URL(req.url ?? '/', 'http://x')).then((ok) => { if (!ok) sendJson(res, 404, {}); });
  });
  server.on('upgrade', (req, socket, head) => { if (!part.ws.handleUpgrade(req, socket, head, new URL(req.url ?? '/', 'http://x'))) socket.destroy(); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(async () => { await part.close(); await manager.close(); server.close(); store.close(); });
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  const call = async (method: string, path: string, cookie?: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, { method, headers: { ...(cookie ? { cookie } : {}), 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try { json = JSON.parse(text) as Record<string, unknown>; } catch { /* csv */ }
    const sc = res.headers.get('set-cookie');
    return { status: res.status, json, text, cookie: sc ? sc.split(';')[0]! : cookie };
  };
  return { call, manager, provider, part, port, store };
}

const hour = 3600_000;
const workshopBody = (over: Record<string, unknown> = {}) => ({ title: 'Bridges 101', lessons: ['05-bridge', '01-networking-101'], capacity: 2, startsAt: Date.now(), endsAt: Date.now() + 2 * hour, ...over });

async function until<T>(f: () => T | undefined | false, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('join codes are human-friendly and forgiving to type', () => {
  assert.equal(normalizeCode('abc-234'), 'ABC234');
  assert.equal(normalizeCode(' ab c2 34 '), 'ABC234');
  assert.equal(normalizeCode('ABC10O'), undefined, 'ambiguous characters are not in the alphabet');
  assert.equal(normalizeCode('ABC23'), undefined);
  assert.equal(formatCode('ABC234'), 'ABC-234');
  assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvCell('Kim, Ji'), '"Kim, Ji"');
});

test('create → reserve → join hands over a reserved sandbox; capacity; names; passcode; students see no dashboard', async (t) => {
  const { call, manager } = await serve(t);
  const made = await call('POST', '/runner/api/workshops', undefined, workshopBody({ passcode: 'secret-pass' }));
  assert.equal(made.status, 200, made.text);
  const teacher = made.cookie!;
  const id = String(made.json.id);
  const code = String(made.json.code);
  assert.match(code, /^[A-Z2-9]{6}$/);
  assert.match(String(made.json.instructorPath), /^\/workshop\/teach#/);

  // Capacity 2, starting now: two reserved sandboxes come up.
  await until(() => manager.list().filter((s) => s.owner.startsWith(`r_${id}_`) && s.status === 'ready').length === 2);

  const noPass = await call('POST', '/runner/api/workshops/join', undefined, { code: formatCode(code).toLowerCase(), name: 'Ann' });
  assert.equal(noPass.status, 403);
  assert.equal(noPass.json.code, 'passcode');
  const ann = await call('POST', '/runner/api/workshops/join', noPass.cookie, { code: formatCode(code).toLowerCase(), name: 'Ann', passcode: 'secret-pass' });
  assert.equal(ann.status, 200, ann.text);
  assert.equal(ann.json.firstLesson, '05-bridge');
  const annSb = await call('GET', '/runner/api/sandboxes/current', ann.cookie);
  const boxes = annSb.json.sandboxes as Array<{ id: string; lesson: string; status: string }>;
  assert.equal(boxes.length, 1, 'the reserved sandbox was handed over');
  assert.equal(boxes[0]!.lesson, '05-bridge');
  // Her lesson page's claim reuses it (no second machine).
  const claim = await call('POST', '/runner/api/sandboxes', ann.cookie, { hosts: 1, lesson: '05-bridge' });
  assert.equal(claim.json.id, boxes[0]!.id);

  const dup = await call('POST', '/runner/api/workshops/join', undefined, { code, name: 'ann', passcode: 'secret-pass' });
  assert.equal(dup.status, 409);
  assert.equal(dup.json.code, 'name_taken');
  const bob = await call('POST', '/runner/api/workshops/join', undefined, { code, name: 'Bob', passcode: 'secret-pass' });
  assert.equal(bob.status, 200);
  const carl = await call('POST', '/runner/api/workshops/join', undefined, { code, name: 'Carl', passcode: 'secret-pass' });
  assert.equal(carl.status, 409);
  assert.equal(carl.json.code, 'full');
  assert.match(String(carl.json.error), /full: all 2 places are taken/);
  // Joining again with the same cookie is not a new place.
  const again = await call('POST', '/runner/api/workshops/join', ann.cookie, { code, name: 'Ann K' });
  assert.equal(again.status, 200);

  // Students (and strangers) get 404 on every instructor route; the instructor gets data.
  for (const who of [ann.cookie, bob.cookie, undefined]) {
    for (const [m, p, b] of [['GET', 'dashboard', undefined], ['POST', 'note', { text: 'hi' }], ['POST', 'end', {}], ['POST', 'extend', { minutes: 10 }], ['GET', 'results.csv', undefined], ['POST', 'students/1/reset', {}]] as const) {
      const r = await call(m, `/runner/api/workshops/${id}/${p}`, who, b);
      assert.equal(r.status, 404, `${m} ${p}`);
    }
  }
  const dash = await call('GET', `/runner/api/workshops/${id}/dashboard`, teacher);
  assert.equal(dash.status, 200);
  const names = (dash.json.students as Array<{ name: string }>).map((s) => s.name);
  assert.deepEqual(names, ['Ann K', 'Bob']);
  // Ann's "me" shows her workshop and nobody else.
  const me = await call('GET', '/runner/api/workshops/me', ann.cookie);
  assert.equal((me.json.workshop as { title: string }).title, 'Bridges 101');
  assert.ok(!JSON.stringify(me.json).includes('Bob'));

});

test('instructor link binds a browser; canView only for its students; end removes every sandbox and keeps results', async (t) => {
  const { call, manager, part, port, store, provider } = await serve(t);
  const made = await call('POST', '/runner/api/workshops', undefined, workshopBody({ capacity: 3 }));
  const id = String(made.json.id);
  const code = String(made.json.code);
  // Another browser opens the instructor link.
  const bad = await call('POST', '/runner/api/workshops/teach', undefined, { key: 'x'.repeat(32) });
  assert.equal(bad.status, 404);
  const teach = await call('POST', '/runner/api/workshops/teach', undefined, { key: made.json.instructorKey });
  assert.equal(teach.status, 200);
  const ta = teach.cookie!;
  const learnerOf = (c: string) => decodeURIComponent(c.split('=')[1]!).split('.').slice(0, -1).join('.');

  const ann = await call('POST', '/runner/api/workshops/join', undefined, { code, name: 'Ann' });
  const bob = await call('POST', '/runner/api/workshops/join', undefined, { code, name: 'Bob' });
  const annBox = manager.forLearner(learnerOf(ann.cookie!))[0]!;
  const info = await until(() => manager.info(annBox.id));
  assert.equal(part.canView(learnerOf(ta), info), true, 'the bound instructor may watch');
  assert.equal(part.canView(learnerOf(bob.cookie!), info), false, 'another student may not');

  // Dashboard channel: snapshot, then a pass recorded by the live checker appears (feed).
  const ws = new WebSocket(`ws://127.0.0.1:${port}/runner/ws/workshop?role=instructor&workshop=${id}`, { headers: { cookie: ta } });
  const got: DashboardMessage[] = [];
  ws.on('message', (d) => got.push(JSON.parse(String(d)) as DashboardMessage));
  await until(() => got.find((m) => m.type === 'snapshot'));
  const t0 = Date.now();
  store.recordPass(learnerOf(ann.cookie!), '05-bridge', 'create-network');
  const up = await until(() => got.find((m) => m.type === 'student' && m.student.name === 'Ann' && m.student.cells['05-bridge/create-network']?.passedAt));
  assert.ok(Date.now() - t0 < 2000, 'pushed within 2 s');
  assert.equal(up.type, 'student');
  // A student cannot open the dashboard channel.
  const denied = await new Promise<number>((resolve) => {
    const s = new WebSocket(`ws://127.0.0.1:${port}/runner/ws/workshop?role=instructor&workshop=${id}`, { headers: { cookie: ann.cookie! } });
    s.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
    s.on('open', () => resolve(101));
  });
  assert.equal(denied, 404);

  // Note reaches the student channel.
  const sws = new WebSocket(`ws://127.0.0.1:${port}/runner/ws/workshop?role=student`, { headers: { cookie: bob.cookie! } });
  const sgot: Array<{ type: string; workshop?: { note: string; state: string } }> = [];
  sws.on('message', (d) => sgot.push(JSON.parse(String(d)) as { type: string }));
  await until(() => sgot.length > 0);
  assert.equal((await call('POST', `/runner/api/workshops/${id}/note`, ta, { text: 'Break until 11:00' })).status, 200);
  await until(() => sgot.find((m) => m.workshop?.note === 'Break until 11:00'));

  // Bad input: clear 4xx.
  assert.equal((await call('POST', `/runner/api/workshops/${id}/extend`, ta, { minutes: 'ten' })).status, 400);
  assert.equal((await call('POST', `/runner/api/workshops/${id}/note`, ta, '{not json')).status, 400);
  assert.equal((await call('POST', `/runner/api/workshops/${id}/students/99/reset`, ta, {})).status, 404);
  assert.equal((await call('POST', `/runner/api/workshops/${id}/students/abc/reset`, ta, {})).status, 400);
  assert.equal((await call('POST', '/runner/api/workshops/join', undefined, { code: 'ZZZ-ZZZ', name: 'X' })).status, 404);
  assert.equal((await call('POST', '/runner/api/workshops', undefined, workshopBody({ lessons: ['99-nope'] }))).status, 400);
  assert.equal((await call('POST', '/runner/api/workshops', undefined, workshopBody({ endsAt: Date.now() - 1000, startsAt: Date.now() - 5000 }))).status, 400);
  assert.equal((await call('POST', '/runner/api/workshops', undefined, workshopBody({ capacity: 0 }))).status, 400);

  // Extend moves the end; reset gives a student a fresh lab.
  const before = (await call('GET', `/runner/api/workshops/${id}/dashboard`, ta)).json as { workshop: { endsAt: number }; students: Array<{ sid: number; name: string }> };
  const ext = await call('POST', `/runner/api/workshops/${id}/extend`, ta, { minutes: 15 });
  assert.equal(ext.status, 200);
  assert.equal((ext.json.workshop as { endsAt: number }).endsAt, before.workshop.endsAt + 15 * 60_000);
  const annSid = before.students.find((s) => s.name === 'Ann')!.sid;
  const rs = await call('POST', `/runner/api/workshops/${id}/students/${annSid}/reset`, ta, {});
  assert.equal(rs.status, 200, rs.text);
  assert.ok(provider.calls.some((c) => c.startsWith(`reset ${annBox.id}`)), 'the provider reset her sandbox');
  await until(() => manager.get(annBox.id)?.status === 'ready');

  const csv = await call('GET', `/runner/api/workshops/${id}/results.csv`, ta);
  assert.equal(csv.status, 200);
  assert.match(csv.text, /^\ufeff?student,joined_at,lesson,exercise,passed/);
  assert.match(csv.text, /\r\nAnn,[^,]+,05-bridge,create-network,yes,/);

  const end = await call('POST', `/runner/api/workshops/${id}/end`, ta, {});
  assert.equal(end.status, 200);
  assert.equal((end.json.workshop as { state: string }).state, 'ended');
  await until(() => sgot.find((m) => m.workshop?.state === 'ended'));
  const left = manager.list().filter((s) => s.owner === learnerOf(ann.cookie!) || s.owner === learnerOf(bob.cookie!) || s.owner.startsWith(`r_${id}_`));
  assert.deepEqual(left, [], 'every sandbox of the workshop is gone');
  assert.equal(part.canView(learnerOf(ta), info), false, 'no shadowing after the end');
  const late = await call('POST', '/runner/api/workshops/join', undefined, { code, name: 'Late' });
  assert.equal(late.status, 410);
  const csv2 = await call('GET', `/runner/api/workshops/${id}/results.csv`, ta);
  assert.match(csv2.text, /Ann,[^,]+,05-bridge,create-network,yes,/, 'results are kept');
  ws.close(); sws.close();
});

test('a workshop starting later reserves nothing until its lead time; the organiser key guards creation', async (t) => {
  const { call, manager } = await serve(t, { DNL_WORKSHOP_CREATE_KEY: 'organiser-key-123' });
  const denied = await call('POST', '/runner/api/workshops', undefined, workshopBody());
  assert.equal(denied.status, 403);
  const made = await call('POST', '/runner/api/workshops', undefined, workshopBody({ startsAt: Date.now() + 5 * hour, endsAt: Date.now() + 7 * hour }), { 'x-workshop-create-key': 'organiser-key-123' });
  assert.equal(made.status, 200, made.text);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(manager.list().filter((s) => s.owner.startsWith(`r_${String(made.json.id)}_`)).length, 0);
  const dash = await call('GET', `/runner/api/workshops/${String(made.json.id)}/dashboard`, made.cookie);
  assert.equal((dash.json.workshop as { state: string }).state, 'scheduled');
});

test('a runner restart loses nothing: workshop, students (same cookie), instructor binding, reserved sandboxes', async (t) => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnl-unit-ws-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const provider = new FakeProvider();
  const config = loadConfig({} as NodeJS.ProcessEnv, { dataDir: dir, poolSize: 0, maxSandboxes: 20 });
  const boot = async () => {
    const manager = new SandboxManager({ provider, config, log: () => undefined });
    await manager.start();
    const store = new Store(path.join(dir, 'dnl.sqlite'));
    const router = new Router();
    const part = createWorkshops({ config, secret, router, db: store.db, sandboxes: manager, course: async (s) => LESSONS[s], log: () => undefined });
    const server = http.createServer((req, res) => { void router.handle(req, res, new URL(req.url ?? '/', 'http://x')).then((ok) => { if (!ok) sendJson(res, 404, {}); }); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const call = async (method: string, p: string, cookie?: string, body?: unknown) => {
      const res = await fetch(base + p, { method, headers: { ...(cookie ? { cookie } : {}), 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const sc = res.headers.get('set-cookie');
      return { status: res.status, json: await res.json() as Record<string, unknown>, cookie: sc ? sc.split(';')[0]! : cookie };
    };
    const stop = async () => { await part.close(); await manager.close(); server.close(); store.close(); };
    return { manager, part, call, stop };
  };
  const a = await boot();
  const made = await a.call('POST', '/runner/api/workshops', undefined, workshopBody({ capacity: 3 }));
  const id = String(made.json.id);
  await until(() => a.manager.list().filter((s) => s.owner.startsWith(`r_${id}_`) && s.status === 'ready').length === 3);
  const ann = await a.call('POST', '/runner/api/workshops/join', undefined, { code: made.json.code, name: 'Ann' });
  assert.equal(ann.status, 200);
  const creates = provider.calls.filter((c) => c.startsWith('create')).length;
  await a.stop();

  const b = await boot();
  t.after(() => b.stop());
  const me = await b.call('GET', '/runner/api/workshops/me', ann.cookie);
  assert.equal((me.json.workshop as { name: string }).name, 'Ann', 'the student re-enters with their cookie');
  const dash = await b.call('GET', `/runner/api/workshops/${id}/dashboard`, made.cookie);
  assert.equal(dash.status, 200, 'the instructor binding survived');
  assert.deepEqual((dash.json.students as Array<{ name: string; sandbox: { status: string } | null }>).map((s) => s.name), ['Ann']);
  await until(() => b.manager.list().filter((s) => s.owner.startsWith(`r_${id}_`) && s.status === 'ready').length === 2);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(provider.calls.filter((c) => c.startsWith('create')).length, creates, 'reserved sandboxes were adopted, not started again');
  const annLearner = decodeURIComponent(ann.cookie!.split('=')[1]!).split('.').slice(0, -1).join('.');
  const box = b.manager.forLearner(annLearner)[0]!;
  await until(() => b.manager.info(box.id));
  assert.equal(b.part.canView(decodeURIComponent(made.cookie!.split('=')[1]!).split('.').slice(0, -1).join('.'), b.manager.info(box.id)!), true);
});

test('stuck: no pass for stuckMinutes while live and work remains', async () => {
  const { isStuck } = await import('../../protocol/workshop.ts');
  const w = { state: 'live' as const, startsAt: 0, stuckMinutes: 10, lessons: [{ slug: 'a', title: 'A', exercises: [{ id: 'x', title: 'X' }, { id: 'y', title: 'Y' }] }] };
  const row = (cells: Record<string, { passedAt: number | null; usedHint: number; usedSolution: boolean }>, last: number) => ({ sid: 1, name: 'n', joinedAt: 0, sandbox: null, cells, lastProgressAt: last });
  const min = 60_000;
  assert.equal(isStuck(w, row({}, 0), 9 * min), false);
  assert.equal(isStuck(w, row({}, 0), 11 * min), true);
  assert.equal(isStuck(w, row({ 'a/x': { passedAt: 5 * min, usedHint: 0, usedSolution: false } }, 5 * min), 11 * min), false);
  const done = { 'a/x': { passedAt: 1, usedHint: 0, usedSolution: false }, 'a/y': { passedAt: 2, usedHint: 0, usedSolution: false } };
  assert.equal(isStuck(w, row(done, 2), 60 * min), false, 'finished students are not stuck');
  assert.equal(isStuck({ ...w, state: 'scheduled' }, row({}, 0), 60 * min), false);
});
