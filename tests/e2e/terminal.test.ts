// The browser terminal against the real stack: scripts/serve.ts (Next + runner) on a free port
// with its own data dir and instance label, real sandboxes on the local engine, Debian's
// Chromium driven by playwright-core. Needs `next build` (scripts/test.mjs runs it first).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { LEARNER_COOKIE, signToken, signValue } from '../../lab-runner/auth.ts';
import { Close, TERMINAL_WS_PATH, encodeAuth } from '../../protocol/terminal.ts';
import { TerminalTestClient } from './terminal-helpers.ts';
import { launchChromium, startServer, type TestServer } from './harness.ts';

// The page-side globals these tests touch (this file is compiled without the DOM lib).
interface XtermLike { rows: number; cols: number; buffer: { active: { length: number; baseY: number; cursorY: number; getLine(i: number): { translateToString(trim?: boolean): string } | undefined } } }
declare const window: { term?: XtermLike; dispatchEvent(e: Event): boolean };
declare const document: { querySelector(sel: string): { getAttribute(name: string): string | null } | null };

let srv: TestServer;
let browser: Browser;
const base = () => srv.base;

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

before(async () => {
  srv = await startServer({ name: 'term', labPool: '10.230.0.0/16', env: { DNL_MAX_PER_LEARNER: '1' } });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close().catch(() => {});
  await srv?.stop();
});

// ---------------------------------------------------------------- page helpers (read xterm's buffer)

/** The screen + scrollback of the focused terminal, lines right-trimmed. */
async function screen(page: Page): Promise<string> {
  return page.evaluate(() => {
    const t = window.term;
    if (!t) return '';
    const b = t.buffer.active;
    const out: string[] = [];
    for (let i = 0; i < b.length; i++) out.push(b.getLine(i)?.translateToString(true) ?? '');
    return out.join('\n');
  });
}

async function cursorLine(page: Page): Promise<string> {
  return page.evaluate(() => {
    const t = window.term;
    if (!t) return '';
    const b = t.buffer.active;
    return (b.getLine(b.baseY + b.cursorY)?.translateToString(true) ?? '').trimEnd();
  });
}

async function waitPrompt(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.waitForFunction(() => {
    const t = window.term;
    if (!t) return false;
    const b = t.buffer.active;
    return /[#$] ?$/.test((b.getLine(b.baseY + b.cursorY)?.translateToString(true) ?? '').trimEnd());
  }, undefined, { timeout: timeoutMs, polling: 50 });
}

async function waitScreen(page: Page, re: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await screen(page);
    if (re.test(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${re} on screen:\n${s.split('\n').filter(Boolean).slice(-15).join('\n')}`);
    await page.waitForTimeout(50);
  }
}

async function type(page: Page, text: string): Promise<void> {
  await waitPrompt(page); // typed ahead of the prompt, a line is echoed twice (tty + readline)
  await page.locator('.xterm').first().click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

async function openPlay(ctx: BrowserContext, query = ''): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(`${base()}/play${query}`);
  await page.waitForFunction(() => Boolean(window.term), undefined, { timeout: 120_000 });
  await waitPrompt(page, 120_000);
  return page;
}

async function learnerCookie(ctx: BrowserContext): Promise<string> {
  const c = (await ctx.cookies(base())).find((x) => x.name === LEARNER_COOKIE);
  assert.ok(c, 'the page set a learner cookie');
  return c.value;
}

async function currentSandbox(ctx: BrowserContext): Promise<string> {
  const res = await ctx.request.get(`${base()}/runner/api/sandboxes/current`);
  const body = await res.json() as { sandboxes: Array<{ id: string }> };
  assert.ok(body.sandboxes[0], 'the learner has a sandbox');
  return body.sandboxes[0].id;
}

// ---------------------------------------------------------------- the tests

let ctxA: BrowserContext;
let pageA: Page;

test('docker network ls in the sandbox host shows bridge, host and none', async () => {
  ctxA = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  pageA = await openPlay(ctxA);
  await type(pageA, 'docker network ls');
  const s = await waitScreen(pageA, /NETWORK ID[\s\S]*\bnone\b/);
  for (const n of ['bridge', 'host', 'none']) assert.match(s, new RegExp(`\\b${n}\\s+${n}\\b|\\b${n}\\b.*\\blocal\\b`), `network ${n}`);
  // The shell is on the sandbox host, not on the server machine.
  await type(pageA, 'echo HOST=$(hostname)');
  const h = /HOST=(\S+)/.exec(await waitScreen(pageA, /HOST=\S+/))![1];
  assert.notEqual(h, os.hostname());
});

test('resizing the window changes stty size', async () => {
  await type(pageA, 'clear; stty size');
  const before = /^(\d+) (\d+)$/m.exec(await waitScreen(pageA, /^\d+ \d+$/m))!;
  const dims1 = await pageA.evaluate(() => [window.term!.rows, window.term!.cols]);
  assert.deepEqual([Number(before[1]), Number(before[2])], dims1);
  await pageA.setViewportSize({ width: 760, height: 520 });
  await pageA.waitForFunction((d) => window.term!.cols !== d[1] && window.term!.rows !== d[0], dims1, { timeout: 5000 });
  const dims2 = await pageA.evaluate(() => [window.term!.rows, window.term!.cols]);
  await type(pageA, 'clear; stty size');
  await waitScreen(pageA, new RegExp(`^${dims2[0]} ${dims2[1]}$`, 'm'));
  await pageA.setViewportSize({ width: 1200, height: 800 });
});

test('`yes` then Ctrl-C: prompt within 2 s, server memory bounded', async () => {
  const pid = srv.process.pid!;
  const rssBefore = rssMiB(pid);
  await type(pageA, 'yes');
  await waitScreen(pageA, /^y\n(y\n){5}/m);
  // Let the flood run for a while; flow control must keep both sides bounded.
  await pageA.waitForTimeout(3000);
  const rssDuring = rssMiB(pid);
  const t0 = Date.now();
  await pageA.keyboard.press('Control+C');
  await waitPrompt(pageA, 2000);
  const ms = Date.now() - t0;
  assert.ok(ms < 2000, `prompt after ${ms} ms`);
  console.log(`# yes + Ctrl-C: prompt after ${ms} ms; server RSS ${rssBefore.toFixed(0)} → ${rssDuring.toFixed(0)} MiB`);
  assert.ok(rssDuring - rssBefore < 150, `server RSS grew from ${rssBefore} to ${rssDuring} MiB during the flood`);
  await type(pageA, 'clear');
});

test('reload: the same shell ($$) and its scrollback, shown once', async () => {
  const marker = 'mark' + randomBytes(3).toString('hex');
  await type(pageA, `echo PID=$$; echo ${marker}-$((7*6))`);
  const s1 = await waitScreen(pageA, new RegExp(`${marker}-42`));
  const pid = /PID=(\d+)/.exec(s1)![1];
  await waitPrompt(pageA);
  await pageA.reload();
  await pageA.waitForFunction(() => Boolean(window.term), undefined, { timeout: 30_000 });
  const s2 = await waitScreen(pageA, new RegExp(`${marker}-42`), 15_000);
  await waitPrompt(pageA);
  assert.equal((s2.match(new RegExp(`${marker}-42`, 'g')) ?? []).length, 1, 'the output line appears exactly once after reload');
  assert.equal((s2.match(new RegExp(`${marker}-\\$\\(\\(7\\*6\\)\\)`, 'g')) ?? []).length, 1, 'the command line appears exactly once');
  await type(pageA, 'echo PID2=$$');
  const pid2 = /PID2=(\d+)/.exec(await waitScreen(pageA, /PID2=\d+/))![1];
  assert.equal(pid2, pid, 'the same shell after reload');
});

test('click-to-run types into the terminal (Ctrl-C first when asked)', async () => {
  await type(pageA, 'sleep 1000');
  await pageA.evaluate(() => window.dispatchEvent(new CustomEvent('dnl:run', { detail: { host: 'node1', command: 'echo ran-$((20+3))', interrupt: true } })));
  await waitScreen(pageA, /^ran-23$/m);
  await waitPrompt(pageA);
});

test("another learner's token, a bad token, a foreign origin and garbage frames are refused; the owner's token works", async () => {
  const secret = fs.readFileSync(path.join(srv.dataDir, 'secret'), 'utf8').trim();
  const sandbox = await currentSandbox(ctxA);
  const cookieA = await learnerCookie(ctxA);
  const url = `ws://127.0.0.1:${srv.port}${TERMINAL_WS_PATH}`;
  const origin = base();

  // The token route: a second learner (own cookie) is refused a token for A's sandbox.
  const ctxB = await browser.newContext();
  try {
    await ctxB.request.get(`${base()}/runner/api/sandboxes/current`); // gets B a cookie
    const r = await ctxB.request.post(`${base()}/runner/api/terminal-token`, { data: { sandboxId: sandbox, host: 'node1' } });
    assert.equal(r.status(), 404, 'refused exactly like a sandbox that does not exist');
  } finally { await ctxB.close(); }

  const refuse = async (name: string, frames: Array<Uint8Array | string>, code: number, reason: RegExp, headers: Record<string, string> = { origin }) => {
    const ws = new WebSocket(url, { headers });
    ws.on('error', () => {});
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (c, why) => r({ code: c, reason: why.toString() })));
    await new Promise((r) => ws.once('open', r));
    for (const f of frames) ws.send(f);
    const got = await closed;
    assert.equal(got.code, code, `${name}: ${got.reason}`);
    assert.match(got.reason, reason, name);
  };
  const other = signToken(secret, { sub: 'l_someone_else', sandbox, host: 'node1', mode: 'rw', exp: Date.now() + 60_000 });
  await refuse("another learner's token", [encodeAuth({ token: other, cols: 80, rows: 24 })], Close.FORBIDDEN, /another learner/);
  await refuse('a bad token', [encodeAuth({ token: 'not-a-real-token-at-all', cols: 80, rows: 24 })], Close.UNAUTHORIZED, /invalid or expired/);
  await refuse('garbage first frame', [new Uint8Array([1, 2, 3, 4, 5])], Close.BAD_FRAME, /bad frame/);
  const resA = await fetch(`${base()}/runner/api/terminal-token`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: `${LEARNER_COOKIE}=${encodeURIComponent(cookieA)}`, origin }, body: JSON.stringify({ sandboxId: sandbox, host: 'node1', terminal: 2 }) });
  assert.equal(resA.status, 200);
  const { token } = await resA.json() as { token: string };
  await refuse('a foreign origin', [encodeAuth({ token, cols: 80, rows: 24, terminal: 2 })], Close.FORBIDDEN, /origin/, { origin: 'http://attacker.example' });
  await refuse('garbage after auth', [encodeAuth({ token, cols: 80, rows: 24, terminal: 2 }), new Uint8Array([0x7f, 0, 0])], Close.BAD_FRAME, /bad frame/);
  // The owner's token, used from node: a working shell on the same host (terminal 2).
  const t = await TerminalTestClient.open(url, token, { terminal: 2, headers: { origin } });
  await t.waitPrompt(30_000);
  assert.equal(await t.run('echo ok-$((1+1))', /ok-(\d)/), '2');
  t.close();
  void signValue;
  // The server survived all of that.
  await type(pageA, 'echo still-$((5+5))');
  await waitScreen(pageA, /^still-10$/m);
});

test('two hosts: a tab per host, and a Run goes to the right host', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  try {
    const page = await ctx.newPage();
    await page.goto(`${base()}/play?hosts=2`);
    await page.locator('[role=tab][data-host=node2]').waitFor({ timeout: 120_000 });
    await page.waitForFunction(() => Boolean(window.term), undefined, { timeout: 60_000 });
    await waitPrompt(page, 60_000);
    await page.locator('.dnl-terminal[data-host=node2][data-state=ready]').waitFor({ state: 'attached', timeout: 60_000 });
    // Run on node2 while node1's tab is in front: the node2 tab comes forward and runs it there.
    await page.evaluate(() => window.dispatchEvent(new CustomEvent('dnl:run', { detail: { host: 'node2', command: 'echo on-$(hostname)' } })));
    await page.waitForFunction(() => document.querySelector('[role=tab][data-host=node2]')?.getAttribute('aria-selected') === 'true', undefined, { timeout: 5000 });
    const node2 = page.locator('.dnl-terminal[data-host=node2] .xterm');
    await node2.click(); // focus → window.term is node2's terminal
    const s = await waitScreen(page, /^on-\S+$/m, 30_000);
    const name = /^on-(\S+)$/m.exec(s)![1];
    assert.match(name!, /node2/);
  } finally { await ctx.close(); }
});

test('when the sandbox goes, its shells end and the page says so', async () => {
  const sandbox = await currentSandbox(ctxA);
  const res = await ctxA.request.delete(`${base()}/runner/api/sandboxes/${sandbox}`);
  assert.equal(res.status(), 200);
  await pageA.locator('.dnl-terminal[data-state=exited], .dnl-terminal[data-state=error]').waitFor({ state: 'attached', timeout: 15_000 });
  await ctxA.close();
});
