// The terminal server end to end at the protocol level: a real HTTP server with the token route
// and WebSocket endpoint, node-pty running `docker exec -it <container> bash -l` into a
// throw-away container, and `ws` clients that behave well or badly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { Router, sendJson } from '../../lab-runner/api/http.ts';
import { LEARNER_COOKIE, signToken, signValue } from '../../lab-runner/auth.ts';
import { registerTerminalRoutes } from '../../lab-runner/api/terminal.ts';
import { TerminalHub } from '../../lab-runner/terminal/hub.ts';
import { createTerminalWs } from '../../lab-runner/terminal/ws.ts';
import { TargetNotFound, type TerminalTargets } from '../../lab-runner/terminal/targets.ts';
import {
  Close, HIGH_WATER, MAX_FRAME, TERMINAL_WS_PATH, decodeServerFrame, encodeAck, encodeAuth, encodeInput, encodeResize, type StatusMessage,
} from '../../protocol/terminal.ts';
import { pickShellImage, TerminalTestClient } from './terminal-helpers.ts';

const secret = 'terminal-ws-test-secret-' + randomBytes(8).toString('hex');
const instance = 'test-term-' + randomBytes(4).toString('hex');
const container = `tt-${instance}`;
const SANDBOX = 'sbx-' + instance;
const OWNER = 'l_owner', VIEWER = 'l_viewer', OTHER = 'l_other';

let server: http.Server;
let port = 0;
let hub: TerminalHub;
let wsPart: ReturnType<typeof createTerminalWs>;

const targets: TerminalTargets = {
  async command(sandboxId, host) {
    return sandboxId === SANDBOX && host === 'node1' ? { file: 'docker', args: ['exec', '-it', '-e', 'TERM=xterm-256color', container, 'bash', '-l'] } : undefined;
  },
  async authorize(learner, sandboxId, host) {
    if (sandboxId !== SANDBOX || host !== 'node1') throw new TargetNotFound(`There is no host ${host} in sandbox ${sandboxId}.`);
    return learner === OWNER ? 'rw' : learner === VIEWER ? 'ro' : undefined;
  },
};

before(async () => {
  const image = pickShellImage();
  execFileSync('docker', ['run', '-d', '--name', container, '--network', 'none', '--label', `dnl.test.instance=${instance}`, image, 'sleep', '100000']);
  const router = new Router();
  registerTerminalRoutes(router, { secret, targets });
  hub = new TerminalHub({ targets, idleMs: 60_000, high: HIGH_WATER });
  wsPart = createTerminalWs({ secret, hub, targets, authTimeoutMs: 1500 });
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    void router.handle(req, res, url).then((ok) => { if (!ok) sendJson(res, 404, { error: 'nope' }); });
  });
  server.on('upgrade', (req, socket, head) => {
    if (!wsPart.handleUpgrade(req, socket, head, new URL(req.url ?? '/', 'http://x'))) socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});

after(async () => {
  await wsPart?.close();
  server?.close();
  execFileSync('docker', ['rm', '-f', container], { stdio: 'ignore' });
});

const wsUrl = () => `ws://127.0.0.1:${port}${TERMINAL_WS_PATH}`;
const token = (sub: string, mode: 'rw' | 'ro' = 'rw', exp = Date.now() + 60_000, sandbox = SANDBOX) => signToken(secret, { sub, sandbox, host: 'node1', mode, exp });

async function tokenRequest(body: unknown, learner?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}/runner/api/terminal-token`, {
    method: 'POST', body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(learner ? { cookie: `${LEARNER_COOKIE}=${encodeURIComponent(signValue(secret, learner))}` } : {}) },
  });
  return { status: res.status, json: await res.json() as Record<string, unknown> };
}

function closeOf(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

test('token route: only the owner gets a read-write token', async () => {
  assert.equal((await tokenRequest({ sandboxId: SANDBOX, host: 'node1' })).status, 401);
  const other = await tokenRequest({ sandboxId: SANDBOX, host: 'node1' }, OTHER);
  // Someone else's sandbox answers exactly like one that does not exist (no existence oracle).
  assert.equal(other.status, 404);
  assert.match(String(other.json.error), /There is no host node1 in sandbox/);
  assert.equal((await tokenRequest({ sandboxId: 'nope', host: 'node1' }, OWNER)).status, 404);
  assert.equal((await tokenRequest({ sandboxId: SANDBOX, host: 'Node 1!' }, OWNER)).status, 400);
  const own = await tokenRequest({ sandboxId: SANDBOX, host: 'node1' }, OWNER);
  assert.equal(own.status, 200);
  assert.equal(own.json.mode, 'rw');
  const viewer = await tokenRequest({ sandboxId: SANDBOX, host: 'node1' }, VIEWER);
  assert.equal(viewer.json.mode, 'ro');
  const downgraded = await tokenRequest({ sandboxId: SANDBOX, host: 'node1', mode: 'ro' }, OWNER);
  assert.equal(downgraded.json.mode, 'ro');
});

test('bad token, expired token, another learner, foreign origin, garbage and oversize frames are refused', async () => {
  const cases: Array<{ name: string; send?: Array<Uint8Array | string>; origin?: string; code: number; reason: RegExp }> = [
    { name: 'bad token', send: [encodeAuth({ token: 'garbage-token-xxxxxxxx', cols: 80, rows: 24 })], code: Close.UNAUTHORIZED, reason: /invalid or expired/ },
    { name: 'expired token', send: [encodeAuth({ token: token(OWNER, 'rw', Date.now() - 1), cols: 80, rows: 24 })], code: Close.UNAUTHORIZED, reason: /expired/ },
    { name: 'token signed with another secret', send: [encodeAuth({ token: signToken('another-secret-0123456789', { sub: OWNER, sandbox: SANDBOX, host: 'node1', mode: 'rw', exp: Date.now() + 60_000 }), cols: 80, rows: 24 })], code: Close.UNAUTHORIZED, reason: /invalid/ },
    { name: "another learner's token", send: [encodeAuth({ token: token(OTHER), cols: 80, rows: 24 })], code: Close.FORBIDDEN, reason: /another learner/ },
    { name: 'a token for a sandbox that is gone', send: [encodeAuth({ token: token(OWNER, 'rw', Date.now() + 60_000, 'sbx-gone'), cols: 80, rows: 24 })], code: Close.NOT_FOUND, reason: /no host/ },
    { name: 'foreign origin', origin: 'http://evil.example', send: [], code: Close.FORBIDDEN, reason: /origin/ },
    { name: 'garbage first frame', send: [new Uint8Array([0xde, 0xad, 0xbe, 0xef])], code: Close.BAD_FRAME, reason: /bad frame: first frame must be the auth/ },
    { name: 'invalid auth JSON', send: ['{"token": 1}'], code: Close.BAD_FRAME, reason: /bad frame: auth frame/ },
    { name: 'no auth at all', send: [], code: Close.TIMEOUT, reason: /no auth frame/ },
    { name: 'oversize frame', send: [new Uint8Array(MAX_FRAME + 10)], code: 1009 /* ws: message too big */, reason: /^/ },
  ];
  for (const c of cases) {
    const ws = new WebSocket(wsUrl(), c.origin ? { origin: c.origin } : {});
    const closed = closeOf(ws);
    ws.on('error', () => {});
    await new Promise((r) => ws.once('open', r));
    for (const m of c.send ?? []) ws.send(m);
    const { code, reason } = await closed;
    assert.equal(code, c.code, `${c.name}: close code (reason: ${reason})`);
    assert.match(reason, c.reason, c.name);
  }
  // Garbage after a good auth: the session survives, the bad connection is closed.
  const t = await TerminalTestClient.open(wsUrl(), token(OWNER), { terminal: 7 });
  const closed = closeOf(t.ws);
  t.ws.send(new Uint8Array([0x31, 1])); // resize with a short body
  const { code, reason } = await closed;
  assert.equal(code, Close.BAD_FRAME);
  assert.match(reason, /resize frame must carry 4 bytes/);
  // …and the server still serves.
  const again = await TerminalTestClient.open(wsUrl(), token(OWNER), { terminal: 7 });
  await again.run('echo alive-$((40+2))', /alive-42/);
  again.close();
});

test('same shell after reconnect; scrollback replayed exactly once; resume sends only what was missed', async () => {
  const a = await TerminalTestClient.open(wsUrl(), token(OWNER), { terminal: 1 });
  const pid = await a.run('echo PID=$$', /PID=(\d+)/);
  await a.run('echo marker-$((6*7))-one', /marker-42-one/);
  const ready1 = a.ready!;
  const seen = ready1.from + a.received;
  a.close();

  // A page reload: a fresh screen, full replay, same shell.
  const b = await TerminalTestClient.open(wsUrl(), token(OWNER), { terminal: 1 });
  assert.equal(b.ready!.session, ready1.session);
  assert.equal((b.text.match(/marker-42-one/g) ?? []).length, 1, 'the output, once');
  assert.equal((b.text.match(/marker-\$\(\(6\*7\)\)-one/g) ?? []).length, 1, 'the command line, once');
  assert.equal(await b.run('echo PID=$$', /PID=(\d+)/), pid);
  b.close();

  // A dropped connection: the client says what it has; only newer output comes.
  const c = await TerminalTestClient.open(wsUrl(), token(OWNER), { terminal: 1, session: ready1.session, seen });
  assert.equal(c.ready!.from, seen);
  assert.doesNotMatch(c.text, /marker-42-one/);
  assert.match(c.text, /PID=/); // what b ran after a left
  c.close();
});

test('read-only viewer sees the output but cannot type', async () => {
  const owner = await TerminalTestClient.open(wsUrl(), token(OWNER), { terminal: 2 });
  await owner.waitPrompt();
  const viewer = await TerminalTestClient.open(wsUrl(), token(VIEWER, 'ro'), { terminal: 2 });
  assert.equal(viewer.ready!.mode, 'ro');
  // An owner's token asked for read-only is read-only too.
  const ownerRo = await TerminalTestClient.open(wsUrl(), token(OWNER, 'ro'), { terminal: 2 });
  assert.equal(ownerRo.ready!.mode, 'ro');
  viewer.ws.send(encodeInput('echo viewer-typed-$((1+1))\r'));
  ownerRo.ws.send(encodeInput('echo ro-owner-typed-$((1+1))\r'));
  await owner.run('echo owner-typed-$((2+2))', /owner-typed-4/);
  await viewer.waitFor(/owner-typed-4/);
  assert.doesNotMatch(owner.text + viewer.text, /viewer-typed-2|ro-owner-typed-2/);
  for (const x of [owner, viewer, ownerRo]) x.close();
});

test('resize reaches the shell: stty size follows', async () => {
  const t = await TerminalTestClient.open(wsUrl(), token(OWNER), { terminal: 3, cols: 100, rows: 30 });
  await t.waitPrompt();
  await t.run('stty size', /30 100/);
  t.ws.send(encodeResize(132, 43));
  await t.run('stty size', /43 132/);
  t.close();
});

test('`yes` is held back by flow control; Ctrl-C brings the prompt back within 2 s', async () => {
  const t = await TerminalTestClient.open(wsUrl(), token(OWNER), { terminal: 4, autoAck: false });
  await t.waitPrompt();
  const session = hub.get(SANDBOX, 'node1', 4)!;
  t.ws.send(encodeInput('yes\r'));
  await t.waitUntil(() => session.isPaused, 5000, 'pty paused');
  // Frames already in flight still arrive; after that, nothing more may come until we ack.
  // (Nothing to await: we check that nothing happens.)
  await new Promise((r) => setTimeout(r, 700));
  const settled = t.received;
  await new Promise((r) => setTimeout(r, 700));
  assert.ok(t.received - settled < 64 * 1024, `output kept flowing while paused: ${t.received - settled} bytes`);
  assert.ok(session.isPaused, 'still paused without acks');
  assert.ok(t.received < HIGH_WATER + 256 * 1024, `unacked bytes bounded: ${t.received}`);
  // Interrupt while held back (as a learner would, mid-flood), then ack as xterm does.
  const t0 = Date.now();
  const atCtrlC = t.received;
  t.ws.send(encodeInput('\x03'));
  t.autoAck = true;
  t.ackAll();
  await t.waitUntil(() => /\^C\r?\n?[^\n]*[#$] $/.test(t.tail(400)), 10_000, 'prompt after Ctrl-C');
  const ms = Date.now() - t0;
  const drained = t.received - atCtrlC;
  assert.ok(ms < 2000, `prompt after ${ms} ms`);
  assert.ok(drained < 64 * 1024, `the backlog was skipped, not forwarded: ${drained} bytes after Ctrl-C`);
  assert.match(t.tail(16_000), /output skipped after Ctrl-C/);
  await t.run('echo after-yes-$((3*3))', /after-yes-9/);
  t.close();
});

test('status frames parse and the exit of the shell is reported', async () => {
  const t = await TerminalTestClient.open(wsUrl(), token(OWNER), { terminal: 5 });
  await t.waitPrompt();
  const closed = closeOf(t.ws);
  t.ws.send(encodeInput('exit 3\r'));
  const { code } = await closed;
  assert.equal(code, 1000);
  const exited = t.statuses.find((s): s is Extract<StatusMessage, { state: 'exited' }> => s.state === 'exited');
  assert.ok(exited, 'an exited status');
  assert.equal(exited.code, 3);
  await t.waitUntil(() => hub.get(SANDBOX, 'node1', 5) === undefined, 2000, 'session removed');
  void decodeServerFrame;
});

test('node-pty backend (any provider argv): the same session behaviour', async () => {
  const npHub = new TerminalHub({ targets, idleMs: 60_000, backend: 'node-pty' });
  try {
    const s = await npHub.open(SANDBOX, 'node1', 0, { cols: 90, rows: 20 });
    let out = '';
    let waiter: (() => void) | undefined;
    const client = s.attach({ send: (f) => { if (f[0] === 0x30) out += Buffer.from(f.subarray(1)).toString(); waiter?.(); }, close: () => {} }, 'rw');
    const until = (re: RegExp) => new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out for ${re}: ${JSON.stringify(out.slice(-200))}`)), 10_000);
      waiter = () => { if (re.test(out)) { clearTimeout(t); resolve(); } };
      waiter();
    });
    await until(/[#$] $/);
    s.input(client, Buffer.from('stty size; echo np-$((2+3))\r'));
    await until(/20 90\r?\n(.*\r?\n)?np-5/);
    assert.ok(s.pid > 0);
  } finally { await npHub.close(); }
});
