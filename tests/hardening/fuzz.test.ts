// Bad input, thousands of times: every API route the runner registers (walked from its router,
// so a new route is fuzzed the day it lands) gets random and malformed paths, queries, bodies
// and cookies; every WebSocket endpoint gets garbage frames. The runner is the real one (real
// engine, real store) in this process: a crash ends the test. No response may be a 5xx, every
// error must be JSON with a sentence, and afterwards the runner still answers and a real learner
// still works. The seed is printed: DNL_FUZZ_SEED=<n> replays a run.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { LEARNER_COOKIE, signValue } from '../../lab-runner/auth.ts';
import { loadConfig } from '../../lab-runner/config.ts';
import type { Runner } from '../../lab-runner/runner.ts';
import { startRunnerServer, type RunnerServer } from './runner-server.ts';
import { recordRow } from './table.ts';

const seed = Number(process.env.DNL_FUZZ_SEED ?? Date.now() % 1_000_000);
const HTTP_CASES = Number(process.env.DNL_FUZZ_HTTP ?? 4000);
const WS_CASES = Number(process.env.DNL_FUZZ_WS ?? 600);

/** mulberry32: small, seeded, good enough to pick cases. */
function rng(s: number): () => number {
  return () => {
    s |= 0; s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(seed);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const int = (n: number) => Math.floor(rand() * n);

const STRINGS = ['', ' ', 'a', 'node1', 'node2', 'node9', '01-networking-101', '02-bridge', 'x'.repeat(5000), '../../etc/passwd',
  '%00', '\u0000', '\uffff', '한국어', '😀', '<script>alert(1)</script>', "'; DROP TABLE learners; --", '${7*7}', '__proto__',
  'constructor', '-1', '1e309', 'NaN', 'null', '0x10', ' 1', 'true', '\r\n', 'AAAA-BBBB', 'l_' + 'a'.repeat(16)];
const NUMBERS = [0, -1, 1, 2, 3, 8, 99, 2 ** 31, -(2 ** 53), 1e308, 0.5, Number.MAX_SAFE_INTEGER];
const KEYS = ['lesson', 'hosts', 'sandboxId', 'host', 'terminal', 'answer', 'code', 'name', 'displayName', 'passcode', 'title',
  'lessons', 'capacity', 'startsAt', 'endsAt', 'text', 'minutes', 'kind', 'exercise', 'id', 'lang', 'cols', 'rows', 'mode',
  'token', 'session', 'seen', 'filter', 'iface', 'preset', 'port', '__proto__', 'constructor'];

function value(depth = 0): unknown {
  switch (int(depth > 3 ? 4 : 7)) {
    case 0: return pick(STRINGS);
    case 1: return pick(NUMBERS);
    case 2: return pick([true, false, null]);
    case 3: return randomBytes(int(40)).toString(pick(['hex', 'base64', 'latin1'] as const));
    case 4: return Array.from({ length: int(5) }, () => value(depth + 1));
    default: return object(depth + 1);
  }
}
function object(depth = 0): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  // defineProperty: a key named __proto__ is data here, as it is in parsed JSON.
  for (let i = int(6); i > 0; i--) Object.defineProperty(o, pick(KEYS), { value: value(depth), enumerable: true, configurable: true, writable: true });
  return o;
}
/** JSON nested n levels deep (built as text: JSON.stringify itself would overflow). */
const deep = (n: number): string => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

/** A body: JSON of random shape, malformed JSON, a huge or deeply nested value, or binary. */
function body(): string | Buffer | undefined {
  switch (int(10)) {
    case 0: return undefined;
    case 1: return '{"lesson": ';
    case 2: return randomBytes(int(300));
    case 3: return JSON.stringify({ x: 'y'.repeat(70 * 1024) });
    case 4: return deep(int(2) ? 200 : 20_000);
    case 5: return JSON.stringify(value());
    default: return JSON.stringify(object());
  }
}

function fill(pathPattern: string): string {
  return pathPattern.replace(/:(\w+)/g, () => pick([
    encodeURIComponent(String(pick(STRINGS))), '%E0%A4%A', '%', '..', String(pick(NUMBERS)), randomBytes(8).toString('hex'), 'a%2Fb',
  ]));
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnl-fuzz-'));
const instance = `test-fuzz-${randomBytes(2).toString('hex')}`;
let rs: RunnerServer | undefined;
let runner: Runner;
let base = '';
const learner = 'l_fuzzlearner';
let cookie = '';
const serverErrors: string[] = [];

// In a server process an uncaught exception is a crash: here it is a failure of the test.
process.on('uncaughtException', (err) => { serverErrors.push(`uncaught: ${err.stack ?? String(err)}`); });
process.on('unhandledRejection', (err) => { serverErrors.push(`unhandled rejection: ${String(err)}`); });

before(async () => {
  // One learner, one sandbox at most, no warm pool: a lucky valid body may start one sandbox, no more.
  const config = loadConfig(process.env, { dataDir, instance, poolSize: 0, maxPerLearner: 1, maxSandboxes: 2, labPool: '10.206.0.0/16' });
  rs = await startRunnerServer(config);
  runner = rs.runner;
  base = rs.base;
  cookie = `${LEARNER_COOKIE}=${encodeURIComponent(signValue(runner.secret, learner))}`;
});

after(async () => { await rs?.close(); });

async function request(method: string, url: string, b: string | Buffer | undefined, headers: Record<string, string>): Promise<{ status: number; text: string; type: string }> {
  return new Promise((resolve, reject) => {
    // A body always carries its length (a GET with an unframed body is not HTTP; Node's parser answers that itself).
    if (b !== undefined) headers['content-length'] = String(Buffer.byteLength(b));
    const req = http.request(base + url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), type: String(res.headers['content-type'] ?? '') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (b !== undefined) req.write(b);
    req.end();
  });
}

test(`API fuzz: ${HTTP_CASES} random requests over every route, no 5xx, every error is JSON with words (seed ${seed})`, { timeout: 600_000 }, async (t) => {
  const routes = runner.routes();
  assert.ok(routes.length >= 10, `the router lists its routes (${routes.length})`);
  const t0 = Date.now();
  const byStatus = new Map<number, number>();
  const bad: string[] = [];
  for (let i = 0; i < HTTP_CASES; i++) {
    const r = pick(routes);
    const method = rand() < 0.8 ? r.method : pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
    let url = fill(r.path);
    if (rand() < 0.3) url += `?${pick(KEYS)}=${encodeURIComponent(JSON.stringify(value()) ?? '')}&${pick(KEYS)}=%ZZ`;
    const headers: Record<string, string> = {};
    const who = int(5);
    if (who <= 1) headers.cookie = cookie;
    else if (who === 2) headers.cookie = `${LEARNER_COOKIE}=${encodeURIComponent(`${learner}.forged`)}`;
    else if (who === 3) headers.cookie = `${LEARNER_COOKIE}=${randomBytes(30).toString('latin1').replace(/[^\x21-\x7e]/g, 'x')}; other=1`;
    if (rand() < 0.7) headers['content-type'] = pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']);
    if (rand() < 0.1) headers.origin = pick(['http://evil.example', 'null', base]);
    const b = method === 'GET' || method === 'DELETE' ? (rand() < 0.1 ? body() : undefined) : body();
    const res = await request(method, url, b, headers);
    byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
    // 503 is the designed answer when the machine is full (this runner allows 2 sandboxes); any other 5xx is a failure.
    const capacity = res.status === 503 && res.text.includes('"capacity"');
    if (res.status >= 500 && !capacity) bad.push(`${method} ${url} → ${res.status} ${res.text.slice(0, 200)}`);
    else if (res.status >= 400 && !res.type.includes('csv')) {
      let msg = '';
      try { msg = String((JSON.parse(res.text) as { error?: unknown }).error ?? ''); } catch { /* not JSON */ }
      if (msg.length < 8) bad.push(`${method} ${url} → ${res.status} without a JSON error sentence: ${res.text.slice(0, 120)}`);
    }
  }
  const ms = Date.now() - t0;
  t.diagnostic(`${HTTP_CASES} requests over ${routes.length} routes in ${(ms / 1000).toFixed(1)} s; statuses: ${[...byStatus].sort().map(([s, n]) => `${s}×${n}`).join(' ')}`);
  assert.deepEqual(bad.slice(0, 20), [], `${bad.length} bad responses`);
  assert.deepEqual(serverErrors, []);
  // Still up and still serving a real learner.
  assert.equal((await request('GET', '/runner/api/health', undefined, {})).status, 200);
  const cur = await request('GET', '/runner/api/sandboxes/current', undefined, { cookie });
  assert.equal(cur.status, 200, cur.text);
  recordRow({ kind: 'input', what: `API fuzz: ${HTTP_CASES} random/malformed requests over ${routes.length} routes`, outcome: `0 crashes, 0 5xx; ${[...byStatus].sort().map(([s, n]) => `${s}×${n}`).join(' ')}`, recoverMs: null, dataLost: 'none' });
});

test(`WebSocket fuzz: ${WS_CASES} garbage frames and handshakes on every endpoint, no crash (seed ${seed})`, { timeout: 600_000 }, async (t) => {
  const paths = ['/runner/ws/terminal', '/runner/ws/lab', '/runner/ws/labview', '/runner/ws/workshop', '/runner/ws/nothing', '/runner/ws/'];
  const wsBase = base.replace('http', 'ws');
  const closes = new Map<string, number>();
  let opened = 0;
  for (let i = 0; i < WS_CASES; i++) {
    const p = pick(paths) + (rand() < 0.3 ? `?${pick(KEYS)}=${encodeURIComponent(String(pick(STRINGS)))}` : '');
    const headers: Record<string, string> = rand() < 0.6 ? { cookie } : {};
    if (rand() < 0.5) headers.origin = pick([base, 'http://evil.example']);
    const outcome = await new Promise<string>((resolve) => {
      const ws = new WebSocket(wsBase + p, { headers, maxPayload: 1 << 20 });
      const done = (what: string) => { clearTimeout(timer); ws.removeAllListeners(); ws.on('error', () => {}); ws.terminate(); resolve(what); };
      const timer = setTimeout(() => done('open (no verdict in 2 s)'), 2000);
      ws.on('unexpected-response', (_req, res) => done(`http ${res.statusCode}`));
      ws.on('error', () => done('error'));
      ws.on('close', (code) => done(`close ${code}`));
      ws.on('open', () => {
        opened++;
        for (let k = int(6) + 1; k > 0; k--) {
          const f = int(5);
          if (f === 0) ws.send(randomBytes(int(2000)));
          else if (f === 1) ws.send(JSON.stringify(object()));
          else if (f === 2) ws.send(Buffer.concat([Buffer.from([int(256)]), randomBytes(int(64))]));
          else if (f === 3) ws.send(JSON.stringify({ token: pick(STRINGS), cols: pick(NUMBERS), rows: pick(NUMBERS), terminal: pick(NUMBERS), type: pick(['auth', 'subscribe', 'start', 'stop', 'hello']) }));
          else ws.send('x'.repeat(int(100_000)));
        }
      });
    });
    const key = outcome.replace(/\d{3,}/, (m) => m);
    closes.set(key, (closes.get(key) ?? 0) + 1);
  }
  t.diagnostic(`${WS_CASES} connections (${opened} opened); outcomes: ${[...closes].sort().map(([s, n]) => `${s}×${n}`).join(', ')}`);
  assert.deepEqual(serverErrors, []);
  assert.equal((await request('GET', '/runner/api/health', undefined, {})).status, 200);
  recordRow({ kind: 'input', what: `WebSocket fuzz: ${WS_CASES} connections with garbage frames on ${paths.length} paths`, outcome: `0 crashes; ${[...closes].sort().map(([s, n]) => `${s}×${n}`).join(', ')}`, recoverMs: null, dataLost: 'none' });
});
