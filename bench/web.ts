/// <reference lib="dom" />
// Web bench: on a real lesson page with a real sandbox, how long from "your lab is ready" (the
// status line turns ready) to the first prompt in the terminal, and where that time goes; how
// long from a `docker network create` typed in the terminal to the live diagram showing it; how
// long from `docker run -d -p 8080:80 nginx` to the port's link in the lab pane (issue #10: within
// a second); the lesson page's first-load JavaScript (gzip).
//
//   node --import tsx bench/web.ts [--runs 5] [--prewarm ready|token] [--json]
//   npm run bench -- --only web --runs 5
//
// Each run is a new learner (fresh browser context) on lesson 05-bridge with its own sandbox; a
// warm pool of one is refilled between runs (the bench waits for it), so every run claims a warm
// sandbox, as a learner on a server that is not starting hosts at that moment would.
// The web app is served from a private copy of the build (DNL_NEXT_DIST_DIR, default .next), so a
// rebuild in the shared tree cannot swap chunks under the bench. Timings come from the page
// itself (performance.now(): a MutationObserver on the status line, wrapped fetch/WebSocket, and
// a check of xterm's buffer on every animation frame). Medians; the machine is shared, so noisy.
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { median, runStandalone, type BenchReport, type BenchRow } from './index.ts';
import { removeInstanceResources } from '../lab-runner/provider/cleanup.ts';

const root = path.resolve(import.meta.dirname, '..');
const CHROME_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SLUG = '05-bridge';

function arg(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

/** Every top-level entry symlinked except the build, which is copied (without its cache). */
function snapshotApp(distDir: string): string {
  const src = path.join(root, distDir);
  if (!fs.existsSync(path.join(src, 'BUILD_ID'))) throw new Error(`No web build in ${distDir}: run \`DNL_NEXT_DIST_DIR=${distDir} npx next build\` first.`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnl-bench-web-'));
  for (const e of fs.readdirSync(root)) {
    if (e === '.git' || e.startsWith('.next') || e === '.data') continue;
    fs.symlinkSync(path.join(root, e), path.join(dir, e));
  }
  fs.cpSync(src, path.join(dir, '.next-bench'), { recursive: true, filter: (p) => !p.startsWith(path.join(src, 'cache')) });
  return dir;
}

interface Server {
  base: string;
  child: ChildProcess;
  /** Resolves once the runner has logged `n` warm sandboxes ready since it started. */
  warm(n: number): Promise<void>;
  stop(): Promise<void>;
}

async function startServer(appDir: string, prewarm: string, log: (m: string) => void): Promise<Server> {
  const port = await freePort();
  const instance = `bench-web-${randomBytes(3).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnl-bench-web-data-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/serve.ts'], {
    cwd: appDir, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DNL_DATA_DIR: dataDir, DNL_INSTANCE: instance, DNL_LAB_POOL: '10.204.0.0/16',
      DNL_POOL_SIZE: '1', DNL_NEXT_DIST_DIR: '.next-bench', DNL_LESSONS_DIR: '', DNL_TERMINAL_PREWARM: prewarm, NEXT_TELEMETRY_DISABLED: '1' },
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready in 90 s:\n${out}`)), 90_000);
    child.stdout!.on('data', () => { if (out.includes('is ready')) { clearTimeout(timer); resolve(); } });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${out}`)); });
  });
  log(`server on :${port} (instance ${instance}, prewarm ${prewarm})`);
  return {
    base: `http://127.0.0.1:${port}`, child,
    async warm(n) {
      const count = () => out.split('\n').filter((l) => /warm sandbox \S+ ready/.test(l)).length;
      const until = Date.now() + 180_000;
      while (count() < n) {
        if (Date.now() > until || child.exitCode !== null) throw new Error(`the pool did not refill (${count()} of ${n} warm sandboxes):\n${out.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      try { removeInstanceResources(instance); } catch (e) { log(`clean-up of ${instance} failed: ${String(e)}`); }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Page-side probes; every mark is performance.now() of the first time it happened. Plain JS in a
 * string: tsx would wrap named functions in a helper that does not exist in the page.
 */
const PROBE = `(() => {
  const marks = {};
  const mark = (k) => { if (marks[k] === undefined) marks[k] = performance.now(); };
  window.__dnlMarks = marks;
  const origFetch = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const token = url.includes('/runner/api/terminal-token');
    if (token) mark('tokenAsked');
    const res = await origFetch(input, init);
    if (token) mark('tokenGot');
    return res;
  };
  const Orig = window.WebSocket;
  window.WebSocket = class extends Orig {
    constructor(url, protocols) {
      super(url, protocols);
      if (String(url).includes('/runner/ws/terminal')) {
        mark('wsNew');
        this.addEventListener('open', () => mark('wsOpen'));
        this.addEventListener('message', () => mark('wsFirstFrame'));
      }
      if (String(url).includes('/runner/ws/labview')) {
        this.addEventListener('message', (ev) => { if (typeof ev.data === 'string' && ev.data.includes('"port":8080')) mark('portPushed:8080'); });
      }
    }
  };
  new MutationObserver(() => {
    if (document.querySelector('.sandbox-bar[data-phase="ready"]')) mark('ready');
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-phase'], childList: true });
  const frame = () => {
    try {
      const b = window.term && window.term.buffer.active;
      if (b) mark('xterm');
      const line = b && b.getLine(b.baseY + b.cursorY);
      if (line && /[#$] ?$/.test(line.translateToString(true).trimEnd())) { mark('prompt'); return; }
    } catch (e) { marks.probeError = marks.probeError || performance.now(); }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  // A command typed in the terminal: mark when its output (a 64-hex id) is on screen, and when
  // the diagram draws the network it created.
  window.__dnlWatch = (name) => {
    const watch = () => {
      const b = window.term && window.term.buffer.active;
      let text = '';
      if (b) for (let i = Math.max(0, b.length - 30); i < b.length; i++) { const l = b.getLine(i); text += (l ? l.translateToString(true) : '') + '\\n'; }
      if (/\\b[0-9a-f]{64}\\b/.test(text)) mark('cmdDone:' + name);
      if (document.querySelector('.topology g.topo-network[data-network="' + name + '"]')) mark('drawn:' + name);
      if (marks['cmdDone:' + name] === undefined || marks['drawn:' + name] === undefined) requestAnimationFrame(watch);
    };
    requestAnimationFrame(watch);
  };
  // \`docker run -d -p PORT:80 nginx\` typed in the terminal: mark when the command has returned
  // (the container id is on screen below the typed line AND the prompt is back: the CLI prints the
  // id right after create, before the container has started and its port is published) and when
  // the port's link is in the page.
  window.__dnlWatchPort = (port) => {
    const b0 = window.term.buffer.active;
    const from = b0.baseY + b0.cursorY;
    const watch = () => {
      const b = window.term.buffer.active;
      let text = '';
      for (let i = from; i < b.length; i++) { const l = b.getLine(i); text += (l ? l.translateToString(true) : '') + '\\n'; }
      const cur = b.getLine(b.baseY + b.cursorY);
      if (/\\b[0-9a-f]{64}\\b/.test(text) && cur && /[#$] ?$/.test(cur.translateToString(true).trimEnd())) mark('portCmdDone:' + port);
      if (document.querySelector('[data-testid="port-links"] a[data-port="' + port + '"]')) mark('portLink:' + port);
      if (marks['portCmdDone:' + port] === undefined || marks['portLink:' + port] === undefined) requestAnimationFrame(watch);
    };
    requestAnimationFrame(watch);
  };
})();`;

type Marks = Record<string, number>;
interface Run { marks: Marks; diagramMs: number; afterCmdMs: number; linkMs: number; linkAfterCmdMs: number; pushedAfterCmdMs: number }

async function oneRun(browser: Browser, base: string): Promise<Run> {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    await ctx.addInitScript({ content: PROBE });
    const page = await ctx.newPage();
    await page.goto(`${base}/lessons/${SLUG}?lang=en`);
    if (!(await page.evaluate(() => '__dnlMarks' in window))) throw new Error('the page probe did not install (a syntax error in PROBE?)');
    await page.waitForFunction(() => (window as unknown as { __dnlMarks?: Marks }).__dnlMarks?.prompt !== undefined, undefined, { timeout: 600_000, polling: 100 });
    const marks = await page.evaluate(() => (window as unknown as { __dnlMarks: Marks }).__dnlMarks);
    // Change → diagram: a network created in the terminal appears in the live diagram.
    await page.locator('.topology g.topo-network[data-network="bridge"]').waitFor({ timeout: 60_000 });
    const name = `bench_${randomBytes(2).toString('hex')}`;
    await page.locator('.xterm').first().click();
    await page.evaluate((n) => (window as unknown as { __dnlWatch(n: string): void }).__dnlWatch(n), name);
    const t0 = await page.evaluate(() => performance.now());
    await page.keyboard.type(`docker network create ${name}\n`);
    await page.locator(`.topology g.topo-network[data-network="${name}"]`).waitFor({ timeout: 120_000 });
    await page.waitForFunction((n) => (window as unknown as { __dnlMarks: Marks }).__dnlMarks[`cmdDone:${n}`] !== undefined, name, { timeout: 60_000, polling: 100 });
    // Publish → link: a port published in the terminal appears as a link in the lab pane.
    const port = 8080;
    await page.evaluate((p) => (window as unknown as { __dnlWatchPort(p: number): void }).__dnlWatchPort(p), port);
    const t1 = await page.evaluate(() => performance.now());
    await page.keyboard.type(`docker run -d -p ${port}:80 nginx\n`);
    await page.waitForFunction((p) => { const k = (window as unknown as { __dnlMarks: Marks }).__dnlMarks; return k[`portLink:${p}`] !== undefined && k[`portCmdDone:${p}`] !== undefined; }, port, { timeout: 120_000, polling: 100 });
    const m = await page.evaluate(() => (window as unknown as { __dnlMarks: Marks }).__dnlMarks);
    return {
      marks, diagramMs: m[`drawn:${name}`]! - t0, afterCmdMs: m[`drawn:${name}`]! - m[`cmdDone:${name}`]!,
      linkMs: m[`portLink:${port}`]! - t1, linkAfterCmdMs: m[`portLink:${port}`]! - m[`portCmdDone:${port}`]!,
      pushedAfterCmdMs: m[`portPushed:${port}`]! - m[`portCmdDone:${port}`]!,
    };
  } finally {
    await ctx.close();
  }
}

async function firstLoadKB(base: string): Promise<number> {
  const html = await (await fetch(`${base}/lessons/${SLUG}?lang=en`)).text();
  const srcs = [...new Set([...html.matchAll(/<script[^>]+src="([^"]+\.js)"/g)].map((m) => m[1]!))];
  let gz = 0;
  for (const src of srcs) gz += zlib.gzipSync(Buffer.from(await (await fetch(new URL(src, base))).arrayBuffer())).length;
  return gz / 1024;
}

export default async function bench(opts: { runs: number; args: string[]; log: (m: string) => void }): Promise<BenchReport> {
  const runs = Number(arg(opts.args, '--runs', '5'));
  const prewarm = arg(opts.args, '--prewarm', 'ready');
  const dist = process.env.DNL_NEXT_DIST_DIR || '.next';
  const appDir = snapshotApp(dist);
  const srv = await startServer(appDir, prewarm, opts.log);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROME_ARGS });
  const all: Run[] = [];
  try {
    const kb = await firstLoadKB(srv.base);
    for (let i = 0; i < runs; i++) {
      // Every run claims a warm sandbox on a settled machine: the refill after the previous
      // claim (DNL_POOL_REFILL_DELAY_MS later) has finished before the next learner arrives.
      await srv.warm(i + 1);
      const r = await oneRun(browser, srv.base);
      opts.log(`run ${i + 1}/${runs}: ready→prompt ${(r.marks.prompt! - r.marks.ready!).toFixed(0)} ms, typed→diagram ${r.diagramMs.toFixed(0)} ms, command done→diagram ${r.afterCmdMs.toFixed(0)} ms, run -p done→link ${r.linkAfterCmdMs.toFixed(0)} ms`);
      all.push(r);
    }
    const since = (k: string) => median(all.map((r) => (r.marks[k] ?? NaN) - r.marks.ready!));
    const spread = (xs: number[]) => `median of ${xs.length}; min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}`;
    const prompt = all.map((r) => r.marks.prompt! - r.marks.ready!);
    const diagram = all.map((r) => r.diagramMs);
    const afterCmd = all.map((r) => r.afterCmdMs);
    const link = all.map((r) => r.linkMs);
    const linkAfter = all.map((r) => r.linkAfterCmdMs);
    const pushedAfter = all.map((r) => r.pushedAfterCmdMs);
    const rows: BenchRow[] = [
      { metric: 'lesson page first-load JS (gzip)', value: Math.round(kb * 10) / 10, unit: 'KB', target: '≤ 300', ok: kb <= 300, note: `/lessons/${SLUG}` },
      { metric: 'page load → lab ready', value: Math.round(median(all.map((r) => r.marks.ready!))), unit: 'ms', note: 'a warm sandbox every run (the pool of 1 refills between runs)' },
      { metric: 'ready → terminal token asked', value: Math.round(since('tokenAsked')), unit: 'ms' },
      { metric: 'ready → terminal token answered', value: Math.round(since('tokenGot')), unit: 'ms' },
      { metric: 'ready → xterm created', value: Math.round(since('xterm')), unit: 'ms', note: 'xterm.js loaded and opened' },
      { metric: 'ready → terminal socket open', value: Math.round(since('wsOpen')), unit: 'ms' },
      { metric: 'ready → first terminal frame', value: Math.round(since('wsFirstFrame')), unit: 'ms' },
      { metric: 'ready → first prompt visible', value: Math.round(median(prompt)), unit: 'ms', target: '≤ 1000', ok: median(prompt) <= 1000, note: spread(prompt) },
      { metric: 'network create typed → shown in diagram', value: Math.round(median(diagram)), unit: 'ms', note: `${spread(diagram)}; includes the docker command itself` },
      { metric: 'command returned → shown in diagram', value: Math.round(median(afterCmd)), unit: 'ms', target: '≤ 1000', ok: median(afterCmd) <= 1000, note: `${spread(afterCmd)}; negative: drawn before the CLI printed the id` },
      { metric: 'docker run -p typed → port link shown', value: Math.round(median(link)), unit: 'ms', note: `${spread(link)}; includes the docker command itself` },
      { metric: 'docker run -p returned (prompt back) → port link shown', value: Math.round(median(linkAfter)), unit: 'ms', target: '≤ 1000', ok: median(linkAfter) <= 1000, note: `${spread(linkAfter)}; negative: shown before the prompt came back` },
      { metric: '  of which: the runner\'s push arrived', value: Math.round(median(pushedAfter)), unit: 'ms', note: `${spread(pushedAfter)}; after the prompt came back` },
    ];
    return { name: 'web', rows, notes: [`DNL_TERMINAL_PREWARM=${prewarm}; build ${dist}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores, shared: noisy)`] };
  } finally {
    await browser.close();
    await srv.stop();
    fs.rmSync(appDir, { recursive: true, force: true });
  }
}

void runStandalone(bench, 'web');
