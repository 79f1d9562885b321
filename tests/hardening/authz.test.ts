// The authorization matrix, against the real runner and a real sandbox: learner A (a workshop
// student with a sandbox), learner B (another learner), the workshop's instructor I, and an
// anonymous caller N, on every API route the router lists and on every WebSocket and the lab
// proxy. Every route must be declared in POLICY below: a new route fails this test until someone
// decides who may use it. Ids from the client are A's real ids: only A (or, where stated, I)
// may act on them; anyone else gets the same answer as for an id that never existed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { LEARNER_COOKIE, signValue } from '../../lab-runner/auth.ts';
import { loadConfig } from '../../lab-runner/config.ts';
import type { Runner } from '../../lab-runner/runner.ts';
import { startRunnerServer, type RunnerServer } from './runner-server.ts';
import { recordRow } from './table.ts';

type Role = 'A' | 'B' | 'I' | 'N';
const ROLES: Role[] = ['A', 'B', 'I', 'N'];
const LESSON = '01-networking-101';
const EXERCISE = 'default-bridge';

/**
 * Who may use each route on A's resources. 'any': open to everyone, acting only on the caller's
 * own data (checked: the answer never contains A's ids). Destructive routes are tried by the
 * roles that must be refused only (A's sandbox and the workshop must survive the test).
 */
const POLICY: Record<string, { allow: Role[] | 'any'; destructive?: boolean; body?: unknown }> = {
  'GET /runner/api/health': { allow: 'any' },
  'POST /runner/api/sandboxes': { allow: 'any', destructive: true },
  'GET /runner/api/sandboxes/current': { allow: 'any' },
  'GET /runner/api/sandboxes/:id': { allow: ['A'] },
  'POST /runner/api/sandboxes/:id/reset': { allow: ['A'], destructive: true, body: {} },
  'POST /runner/api/sandboxes/:id/extend': { allow: ['A'], body: {} },
  'POST /runner/api/sandboxes/:id/touch': { allow: ['A'], body: {} },
  'DELETE /runner/api/sandboxes/:id': { allow: ['A'], destructive: true },
  'POST /runner/api/terminal-token': { allow: ['A', 'I'] },
  'POST /runner/api/lessons/:slug/check': { allow: ['A'] },
  'POST /runner/api/lessons/:slug/exercises/:id/answer': { allow: ['A'] },
  'POST /runner/api/lessons/:slug/exercises/:id/used': { allow: 'any', body: { kind: 'hint' } },
  'GET /runner/api/lessons/:slug/progress': { allow: 'any' },
  'POST /runner/api/workshops': { allow: 'any', destructive: true },
  'POST /runner/api/workshops/join': { allow: 'any', destructive: true },
  'GET /runner/api/workshops/me': { allow: 'any' },
  'POST /runner/api/workshops/teach': { allow: ['I'] },
  'GET /runner/api/workshops/:id/dashboard': { allow: ['I'] },
  'POST /runner/api/workshops/:id/note': { allow: ['I'], body: { text: 'hello room' } },
  'POST /runner/api/workshops/:id/extend': { allow: ['I'], body: { minutes: 5 } },
  'POST /runner/api/workshops/:id/end': { allow: ['I'], destructive: true, body: {} },
  'POST /runner/api/workshops/:id/students/:sid/reset': { allow: ['I'], destructive: true, body: {} },
  'GET /runner/api/workshops/:id/results.csv': { allow: ['I'] },
};

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnl-authz-'));
const instance = `test-authz-${randomBytes(2).toString('hex')}`;
let rs: RunnerServer | undefined;
let runner: Runner;
let base = '';
const cookie: Record<Role, string> = { A: '', B: '', I: '', N: '' };
let sandboxA = '', workshop = '', sidA = 0, instructorKey = '';

async function call(role: Role, method: string, url: string, body?: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(base + url, {
    method, headers: { ...(cookie[role] ? { cookie: cookie[role] } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, text: await res.text() };
}

before(async () => {
  const config = loadConfig(process.env, { dataDir, instance, poolSize: 0, labPool: '10.209.0.0/16', workshopLeadMinutes: 60 });
  rs = await startRunnerServer(config);
  runner = rs.runner;
  base = rs.base;
  for (const r of ['A', 'B', 'I'] as const) cookie[r] = `${LEARNER_COOKIE}=${encodeURIComponent(signValue(runner.secret, `l_authz${r}${randomBytes(4).toString('hex')}`))}`;

  // I creates a workshop for one student, binds their browser with the link's key; A joins it.
  const now = Date.now();
  const created = await call('I', 'POST', '/runner/api/workshops', { title: 'Authz room', lessons: [LESSON], capacity: 1, startsAt: now - 60_000, endsAt: now + 3_600_000 });
  assert.equal(created.status, 200, created.text);
  const w = JSON.parse(created.text) as { id: string; code: string; instructorKey: string };
  workshop = w.id; instructorKey = w.instructorKey;
  assert.equal((await call('I', 'POST', '/runner/api/workshops/teach', { key: instructorKey })).status, 200);
  const joined = await call('A', 'POST', '/runner/api/workshops/join', { code: w.code, name: 'Student A' });
  assert.equal(joined.status, 200, joined.text);
  // A's lab for the lesson (the workshop's reserved one when it is ready; a fresh one otherwise).
  const claim = await call('A', 'POST', '/runner/api/sandboxes', { lesson: LESSON, hosts: 1, wait: true });
  assert.equal(claim.status, 200, claim.text);
  sandboxA = (JSON.parse(claim.text) as { id: string; status: string }).id;
  const dash = JSON.parse((await call('I', 'GET', `/runner/api/workshops/${workshop}/dashboard`)).text) as { students: Array<{ sid: number; sandbox: { id: string } | null }> };
  sidA = dash.students[0]!.sid;
  assert.equal(dash.students[0]!.sandbox?.id, sandboxA, 'the dashboard knows A\'s lab');
});

after(async () => { await rs?.close(); });

function fill(p: string): string {
  // The answer route on an exercise that takes a typed answer (in the bridge lesson), about A's lab.
  if (p.endsWith('/answer')) return p.replace(':slug', '05-bridge').replace(':id', 'container3-ip');
  return p.replace(':slug', LESSON).replace(':sid', String(sidA))
    .replace(':id', p.startsWith('/runner/api/workshops') ? workshop : p.startsWith('/runner/api/lessons') ? EXERCISE : sandboxA);
}

function bodyFor(key: string): unknown {
  if (key === 'POST /runner/api/terminal-token') return { sandboxId: sandboxA, host: 'node1', mode: 'ro' };
  if (key.endsWith('/answer')) return { value: '172.17.0.2', sandbox: sandboxA };
  if (key.endsWith('/used')) return { kind: 'hint' };
  if (key.endsWith('/check')) return { sandbox: sandboxA };
  if (key === 'POST /runner/api/workshops/teach') return { key: 'x'.repeat(32) };
  return POLICY[key]?.body ?? (key.startsWith('POST') ? {} : undefined);
}

test('every API route is declared, and only the allowed roles may act on A\'s resources', { timeout: 300_000 }, async (t) => {
  const routes = runner.routes().map((r) => `${r.method} ${r.path}`);
  const undeclared = routes.filter((k) => !(k in POLICY));
  assert.deepEqual(undeclared, [], 'routes without an authorization policy: add them to POLICY');
  const lines: string[] = [];
  let checks = 0;
  for (const key of routes) {
    const pol = POLICY[key]!;
    const [method, p] = key.split(' ') as [string, string];
    const url = fill(p);
    for (const role of ROLES) {
      const allowed = pol.allow === 'any' || pol.allow.includes(role);
      if (pol.destructive && allowed) continue; // A's lab and the workshop must survive the test
      // The teach route is the key holder's: I with the real key, everyone else with a wrong one.
      const body = key.endsWith('/teach') && role === 'I' ? { key: instructorKey } : bodyFor(key);
      const r = await call(role, method, url, body);
      checks++;
      if (pol.allow === 'any') {
        assert.ok(r.status < 500, `${role} ${key}: ${r.status} ${r.text}`);
        if (role !== 'A' && !key.startsWith('POST /runner/api/workshops')) assert.ok(!r.text.includes(sandboxA), `${role} ${key} leaked A's sandbox id: ${r.text}`);
      } else if (allowed) {
        // Allowed: past the ownership check (a 400 for a body the route finds wrong is still "allowed").
        assert.ok(r.status < 500 && ![401, 403, 404].includes(r.status), `${role} ${key} must be allowed: ${r.status} ${r.text}`);
      } else {
        assert.ok([401, 403, 404].includes(r.status), `${role} ${key} must be refused: ${r.status} ${r.text}`);
        // Echoing an id the caller sent is fine; anything else of A's is a leak.
        const sent = url.includes(sandboxA) || JSON.stringify(body ?? '').includes(sandboxA);
        assert.ok((sent || !r.text.includes(sandboxA)) && !r.text.includes('Student A'), `${role} ${key}: the refusal leaks A's data: ${r.text}`);
      }
      lines.push(`${key.padEnd(58)} ${role} → ${r.status}`);
    }
  }
  t.diagnostic(`${checks} route × role checks over ${routes.length} routes`);
  // A's lab survived every refused destructive attempt.
  const still = JSON.parse((await call('A', 'GET', `/runner/api/sandboxes/${sandboxA}`)).text) as { status: string };
  assert.equal(still.status, 'ready');
  recordRow({ kind: 'authz', what: `authorization matrix: ${routes.length} API routes × learner A / learner B / instructor / anonymous`, outcome: `${checks} checks; every route declared; others get 403/404 that leak nothing`, recoverMs: null, dataLost: 'none' });
});

/** Opens a socket and reports how it ended within 3 s: 'open', 'http <status>' or 'close <code>'. */
async function wsOutcome(role: Role, pathAndQuery: string, firstFrame?: Buffer | string): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(base.replace('http', 'ws') + pathAndQuery, { headers: { ...(cookie[role] ? { cookie: cookie[role] } : {}), origin: base } });
    const done = (what: string) => { clearTimeout(timer); ws.removeAllListeners(); ws.on('error', () => {}); ws.terminate(); resolve(what); };
    const timer = setTimeout(() => done('open'), 3000);
    ws.on('unexpected-response', (_q, res) => done(`http ${res.statusCode}`));
    ws.on('close', (code) => done(`close ${code}`));
    ws.on('error', () => done('error'));
    ws.on('open', () => { if (firstFrame !== undefined) ws.send(firstFrame); });
  });
}

test('WebSockets and the lab proxy: only the owner (or the instructor, read-only) gets in', { timeout: 120_000 }, async () => {
  const refused = (o: string) => /^(http 40[134]|close 44\d\d)$/.test(o);
  const lab = `/runner/ws/lab?sandbox=${sandboxA}&lesson=${LESSON}`;
  const labview = `/runner/ws/labview?sandbox=${sandboxA}`;
  const dash = `/runner/ws/workshop?role=instructor&workshop=${workshop}`;
  const expect: Array<[string, Role, boolean]> = [
    [lab, 'A', true], [lab, 'B', false], [lab, 'I', false], [lab, 'N', false],
    [labview, 'A', true], [labview, 'B', false], [labview, 'I', true], [labview, 'N', false],
    [dash, 'I', true], [dash, 'A', false], [dash, 'B', false], [dash, 'N', false],
  ];
  const got: string[] = [];
  for (const [p, role, ok] of expect) {
    const o = await wsOutcome(role, p);
    got.push(`${p.split('?')[0]} ${role} → ${o}`);
    if (ok) assert.equal(o, 'open', `${role} ${p}`);
    else assert.ok(refused(o), `${role} ${p} must be refused, got ${o}`);
  }
  // Terminal: a token is the only way in; B cannot get one for A's host, and a forged one is refused.
  const tokB = await call('B', 'POST', '/runner/api/terminal-token', { sandboxId: sandboxA, host: 'node1' });
  assert.equal(tokB.status, 404);
  const tokI = JSON.parse((await call('I', 'POST', '/runner/api/terminal-token', { sandboxId: sandboxA, host: 'node1' })).text) as { mode: string };
  assert.equal(tokI.mode, 'ro', 'the instructor only ever gets a read-only (shadow) token');
  const forged = JSON.stringify({ token: 'x'.repeat(40), cols: 80, rows: 24, terminal: 0 });
  assert.ok(refused(await wsOutcome('B', '/runner/ws/terminal', forged)));
  // The lab proxy: A's published port is A's; B and anonymous get nothing, and no address is reachable by name.
  for (const role of ['B', 'N'] as const) {
    const r = await call(role, 'GET', `/lab/${sandboxA}/node1/80/`);
    assert.ok([403, 404].includes(r.status), `${role} on A's lab proxy: ${r.status}`);
  }
  for (const p of [`/lab/${sandboxA}/127.0.0.1/80/`, `/lab/${sandboxA}/node1/22/`, `/lab/${sandboxA}/10.0.0.1/80/`]) {
    const r = await call('A', 'GET', p);
    assert.ok([400, 403, 404].includes(r.status), `A asking for ${p}: ${r.status}`);
  }
  recordRow({ kind: 'authz', what: 'WebSockets (lab, labview, workshop, terminal) and the lab proxy × 4 roles', outcome: `${expect.length + 7} checks: owner in, instructor read-only, everyone else refused`, recoverMs: null, dataLost: 'none' });
});
