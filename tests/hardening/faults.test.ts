/// <reference lib="dom" />
// Faults on the real stack, each timed and checked for lost data: the runner killed mid-lab
// (SIGKILL) and started again; one host of a two-host sandbox killed; the store's disk full
// (a small tmpfs, never the real disk); the browser's connections dropped under a live lesson.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { LEARNER_COOKIE, signValue } from '../../lab-runner/auth.ts';
import { loadConfig } from '../../lab-runner/config.ts';
import type { ProgressResponse } from '../../protocol/lab.ts';
import { launchChromium, startServer, type TestServer } from '../e2e/harness.ts';
import { terminalText, waitForPrompt } from '../e2e/page-terminal.ts';
import { startRunnerServer } from './runner-server.ts';
import { recordRow } from './table.ts';

const LESSON = '01-networking-101';
const labPool = '10.208.0.0/16';
const instance = `test-faults-${randomBytes(2).toString('hex')}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnl-faults-'));
const env = { DNL_GC_SECONDS: '2', DNL_LESSONS_DIR: '' };
let srv: TestServer;

before(async () => { srv = await startServer({ name: 'faults', labPool, dataDir, instance, env }); });
after(async () => { await srv?.stop(); });

type Progress = ProgressResponse;
const row = (p: Progress, id: string) => p.exercises.find((e) => e.exerciseId === id);
interface View { id: string; status: string; error?: string; hosts: Array<{ name: string }> }

async function api<T>(base: string, method: string, url: string, cookie: string, body?: unknown): Promise<{ status: number; json: T; setCookie: string | null }> {
  const res = await fetch(base + url, {
    method, headers: { ...(cookie ? { cookie } : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: await res.json() as T, setCookie: res.headers.get('set-cookie') };
}

async function until<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try { const v = await fn(); if (v !== undefined) return v; } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

const hostContainer = (sandbox: string, host: string) =>
  execFileSync('docker', ['ps', '-aq', '--filter', `label=dnl.instance=${instance}`, '--filter', `label=dnl.sandbox=${sandbox}`, '--filter', `label=dnl.host=${host}`], { encoding: 'utf8' }).trim();
const inHost = (sandbox: string, host: string, script: string) =>
  spawnSync('docker', ['exec', hostContainer(sandbox, host), 'bash', '-lc', script], { encoding: 'utf8', timeout: 60_000 });

/** A new learner: the first request mints the signed cookie. */
async function newLearner(base: string): Promise<string> {
  const r = await api<unknown>(base, 'GET', '/runner/api/sandboxes/current', '');
  const c = /dnl_learner=([^;]+)/.exec(r.setCookie ?? '')?.[1];
  assert.ok(c, 'a learner cookie is minted');
  return `${LEARNER_COOKIE}=${c}`;
}

test('runner killed mid-lab (SIGKILL): sandbox, its state and the learner\'s progress come back', { timeout: 600_000 }, async () => {
  const cookie = await newLearner(srv.base);
  const claim = await api<View>(srv.base, 'POST', '/runner/api/sandboxes', cookie, { lesson: LESSON, hosts: 1, wait: true });
  assert.equal(claim.json.status, 'ready', JSON.stringify(claim.json));
  const id = claim.json.id;
  assert.equal(inHost(id, 'node1', 'docker network create kept_net >/dev/null && echo marker > /root/marker').status, 0);
  const used = await api<{ usedHint: boolean }>(srv.base, 'POST', `/runner/api/lessons/${LESSON}/exercises/default-bridge/used`, cookie, { kind: 'hint' });
  assert.equal(used.status, 200);

  await srv.kill('SIGKILL');
  const t0 = Date.now();
  srv = await startServer({ name: 'faults', labPool, dataDir, instance, env, build: false });
  const back = await until('the sandbox adopted and ready', 120_000, async () => {
    const r = await api<{ sandboxes: View[] }>(srv.base, 'GET', '/runner/api/sandboxes/current', cookie);
    const v = r.json.sandboxes.find((s) => s.id === id);
    return v?.status === 'ready' ? v : undefined;
  });
  const recoverMs = Date.now() - t0;
  assert.equal(back.id, id);
  const progress = await api<Progress>(srv.base, 'GET', `/runner/api/lessons/${LESSON}/progress`, cookie);
  assert.ok((row(progress.json, 'default-bridge')?.usedHint ?? 0) >= 1, JSON.stringify(progress.json));
  const state = inHost(id, 'node1', 'cat /root/marker; docker network ls --format "{{.Name}}" | grep -x kept_net');
  assert.equal(state.status, 0, state.stderr);
  assert.match(state.stdout, /marker[\s\S]*kept_net/);
  recordRow({ kind: 'fault', what: 'runner killed mid-lab (SIGKILL), started again', outcome: 'sandbox adopted with its owner; files, inner networks and progress intact', recoverMs, dataLost: 'none' });
});

test('one host of a two-host sandbox killed: it is started again with its state, and the learner is told', { timeout: 600_000 }, async () => {
  const cookie = await newLearner(srv.base);
  const claim = await api<View>(srv.base, 'POST', '/runner/api/sandboxes', cookie, { lesson: '08-overlay', hosts: 2, wait: true });
  assert.equal(claim.json.status, 'ready', JSON.stringify(claim.json));
  const id = claim.json.id;
  assert.equal(inHost(id, 'node2', 'docker network create on_node2 >/dev/null').status, 0);
  execFileSync('docker', ['kill', hostContainer(id, 'node2')], { stdio: 'ignore' });
  const t0 = Date.now();
  // The learner sees what is happening (status starting with words), then ready again.
  const seen = await until('the runner noticing the dead host', 60_000, async () => {
    const r = await api<View>(srv.base, 'GET', `/runner/api/sandboxes/${id}`, cookie);
    return r.json.status === 'starting' ? r.json : undefined;
  });
  assert.match(seen.error ?? '', /node2 stopped unexpectedly/);
  await until('the sandbox ready again', 120_000, async () => {
    const r = await api<View>(srv.base, 'GET', `/runner/api/sandboxes/${id}`, cookie);
    return r.json.status === 'ready' ? true : undefined;
  });
  const recoverMs = Date.now() - t0;
  const st = inHost(id, 'node2', 'docker network ls --format "{{.Name}}" | grep -x on_node2 && ping -c1 -W2 node1 >/dev/null && echo ok');
  assert.equal(st.status, 0, st.stdout + st.stderr);
  recordRow({ kind: 'fault', what: 'one host of a two-host sandbox killed (docker kill node2)', outcome: 'noticed by the collector, learner told, node2 started again; its inner networks kept; node1 reachable', recoverMs, dataLost: 'none' });
});

test('the store\'s disk fills up: a clear 503, nothing saved before is lost, writes resume when there is room', { timeout: 300_000 }, async (t) => {
  if (process.getuid?.() !== 0) { t.skip('needs root to mount a tmpfs'); return; }
  const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'dnl-full-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mnt]);
  t.after(() => { spawnSync('umount', ['-l', mnt]); fs.rmSync(mnt, { recursive: true, force: true }); });
  const config = loadConfig(process.env, { dataDir: path.join(mnt, 'data'), instance: `${instance}x`, poolSize: 0, labPool });
  const rs = await startRunnerServer(config);
  t.after(() => rs.close());
  const { runner, base } = rs;
  const cookie = `${LEARNER_COOKIE}=${encodeURIComponent(signValue(runner.secret, 'l_diskfull'))}`;
  const use = (ex: string, kind: 'hint' | 'solution') => api<{ error?: string; code?: string }>(base, 'POST', `/runner/api/lessons/${LESSON}/exercises/${ex}/used`, cookie, { kind });

  assert.equal((await use('default-bridge', 'hint')).status, 200);
  // Fill the file system to the last byte.
  spawnSync('dd', ['if=/dev/zero', `of=${path.join(mnt, 'filler')}`, 'bs=64k'], { stdio: 'ignore' });
  const t0 = Date.now();
  // Writes now fail; each with words, none with a crash. (SQLite may absorb a few in pages it already has.)
  let refused: { status: number; json: { error?: string; code?: string } } | undefined;
  for (let i = 0; i < 50 && !refused; i++) {
    const r = await use(i % 2 ? 'own-network' : 'default-bridge', i % 2 ? 'solution' : 'hint');
    if (r.status !== 200) refused = r;
  }
  if (refused) {
    assert.equal(refused.status, 503, JSON.stringify(refused.json));
    assert.equal(refused.json.code, 'storage');
    assert.match(refused.json.error ?? '', /could not save.*Everything saved before is safe/);
  }
  assert.equal((await api<unknown>(base, 'GET', '/runner/api/health', '')).status, 200, 'the runner still answers');
  const during = await api<Progress>(base, 'GET', `/runner/api/lessons/${LESSON}/progress`, cookie);
  assert.ok((row(during.json, 'default-bridge')?.usedHint ?? 0) >= 1, `reads still work and show what was saved: ${JSON.stringify(during.json)}`);
  // Room again: writes resume, nothing earlier is lost.
  fs.rmSync(path.join(mnt, 'filler'));
  const ok = await use('own-network', 'solution');
  assert.equal(ok.status, 200, JSON.stringify(ok.json));
  const recoverMs = Date.now() - t0;
  const after = await api<Progress>(base, 'GET', `/runner/api/lessons/${LESSON}/progress`, cookie);
  assert.ok((row(after.json, 'default-bridge')?.usedHint ?? 0) >= 1, JSON.stringify(after.json));
  assert.equal(row(after.json, 'own-network')?.usedSolution, true, JSON.stringify(after.json));
  recordRow({ kind: 'fault', what: 'store disk full (6 MB tmpfs filled to the last byte)', outcome: refused ? `writes refused with 503 "${refused.json.code}" and words; reads kept working; writes resumed once freed` : 'SQLite absorbed every write in pages it already had; reads and writes kept working', recoverMs, dataLost: 'none' });
});

test('the browser\'s connections drop under a live lesson: the same shell and the live checks come back', { timeout: 600_000 }, async () => {
  // A TCP relay between Chromium and the server, so the test can cut every connection at once.
  const upstream = new URL(srv.base);
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((client) => {
    const server = net.connect(Number(upstream.port), upstream.hostname);
    for (const s of [client, server]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => s.destroy()); }
    client.pipe(server).pipe(client);
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(relay.address() as net.AddressInfo).port}`;
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${base}/lessons/${LESSON}?lang=en`);
    await waitForPrompt(page);
    await page.locator('.xterm-helper-textarea').first().focus();
    await page.keyboard.type('echo SHELL=$$\n');
    let pid1 = '';
    await until('the shell to print its pid', 30_000, async () => { pid1 = /SHELL=(\d+)/.exec(await terminalText(page))?.[1] ?? ''; return pid1 || undefined; });

    for (const s of sockets) s.destroy(); // every connection, WebSockets included, is cut (1006)
    const t0 = Date.now();
    // The page reconnects by itself: typing reaches the same shell again.
    let typedAt = 0;
    await until('the terminal back on the same shell', 60_000, async () => {
      if (Date.now() - typedAt > 2000) { // a line every 2 s until one comes back from the same shell
        typedAt = Date.now();
        await page.locator('.xterm-helper-textarea').first().focus();
        await page.keyboard.type('echo AGAIN=$$\n');
      }
      return (await terminalText(page)).includes(`AGAIN=${pid1}`) ? true : undefined;
    });
    const recoverMs = Date.now() - t0;
    // The live channel is back too: a change in the lab turns an exercise Passed with no click.
    await page.keyboard.type('docker network create lab_net && docker run -d --name container2 --network lab_net nginx\n');
    const status = page.locator('section.exercise[data-exercise="own-network"] [role="status"]');
    await status.filter({ hasText: /Passed/ }).waitFor({ timeout: 90_000 });
    recordRow({ kind: 'fault', what: 'browser connections dropped (TCP cut, WebSockets 1006)', outcome: `page reconnected to the same shell (pid ${pid1}); live checks back (an exercise turned Passed with no click)`, recoverMs, dataLost: 'none' });
  } finally {
    await browser?.close();
    for (const s of sockets) s.destroy();
    relay.close();
  }
});
