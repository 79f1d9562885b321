// Terminal benchmark: our /play page all the way into a sandbox host, against the WeTTY anchor,
// in the same sitting, with the shared harness (/work/shared/bench/terminal → a copy in
// /tmp/termbench; it drives Debian's Chromium and reads xterm's buffer via window.term).
//
//   node --import tsx bench/terminal.ts [--reps 5] [--warmup 1] [--no-wetty] [--renderer webgl|dom] [--json]
//
// Our server is scripts/serve.ts with its own data dir and instance label, and a warm pool of
// exactly reps+warmup single-host sandboxes (DNL_MAX_SANDBOXES caps it, so no refill runs while
// measuring): each repetition is a fresh browser = a new learner who gets a warm sandbox, which
// is the "first prompt with a warm sandbox" case. Afterwards every resource with that instance
// label is removed. Also measured here: server RSS per extra open terminal (N terminals via ws).
import { spawn, execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LEARNER_COOKIE, signToken } from '../lab-runner/auth.ts';
import { TERMINAL_WS_PATH } from '../protocol/terminal.ts';
import { TerminalTestClient } from '../tests/e2e/terminal-helpers.ts';
import { table as benchTable, type BenchReport, type BenchRow } from './index.ts';
import { removeInstanceResources } from '../lab-runner/provider/cleanup.ts';

const root = path.resolve(import.meta.dirname, '..');
const HARNESS_SRC = '/work/shared/bench/terminal';
const HARNESS = process.env.DNL_TERMBENCH_DIR ?? '/tmp/termbench';

const { values: opt } = parseArgs({
  options: {
    reps: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    'no-wetty': { type: 'boolean', default: false },
    renderer: { type: 'string', default: 'webgl' },
    label: { type: 'string', default: 'dnl-play' },
    terminals: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
const reps = Number(opt.reps), warmup = Number(opt.warmup);
const log = (m: string) => { if (!opt.json) console.error(`[bench/terminal] ${m}`); };

function sh(cmd: string, args: string[], cwd?: string): void {
  const r = spawnSync(cmd, args, { cwd, stdio: opt.json ? ['ignore', 'ignore', 'inherit'] : 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status})`);
}

function ensureHarness(): void {
  if (!fs.existsSync(path.join(HARNESS, 'bench.mjs'))) { log(`copying the harness to ${HARNESS}`); fs.cpSync(HARNESS_SRC, HARNESS, { recursive: true }); }
  if (!fs.existsSync(path.join(HARNESS, 'node_modules', 'playwright-core'))) sh('npm', ['ci', '--no-audit', '--no-fund'], HARNESS);
  if (!opt['no-wetty'] && !fs.existsSync(path.join(HARNESS, 'anchors/wetty/node_modules/wetty'))) sh('npm', ['ci', '--no-audit', '--no-fund'], path.join(HARNESS, 'anchors/wetty'));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

function dockerLines(args: string[]): string[] {
  return execFileSync('docker', args, { encoding: 'utf8' }).split('\n').filter(Boolean);
}

/** RSS of a process and all its descendants, MiB (from /proc). */
function treeRssMiB(pid: number): number {
  const children = new Map<number, number[]>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch { /* gone */ }
  }
  let kib = 0;
  const walk = (p: number) => {
    try { kib += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0); } catch { /* gone */ }
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return kib / 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ours { port: number; server: ChildProcess; instance: string; dataDir: string; appDir: string }

/**
 * A private snapshot of the app to serve from: every top-level entry symlinked except `.next`,
 * which is copied (without its cache), so another `next build` in the shared tree during the
 * run cannot swap the web app's chunks under the benchmark.
 */
function snapshotApp(): string {
  if (!fs.existsSync(path.join(root, '.next', 'BUILD_ID'))) throw new Error('No web build: run `npx next build` first.');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnl-bench-app-'));
  for (const e of fs.readdirSync(root)) {
    if (e === '.next' || e === '.git' || e === '.data') continue;
    fs.symlinkSync(path.join(root, e), path.join(dir, e));
  }
  fs.cpSync(path.join(root, '.next'), path.join(dir, '.next'), { recursive: true, filter: (src) => !src.startsWith(path.join(root, '.next', 'cache')) });
  return dir;
}

async function startOurs(poolSize: number): Promise<Ours> {
  const port = await freePort();
  const appDir = snapshotApp();
  const instance = 'bench-term-' + randomBytes(3).toString('hex');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnl-bench-term-'));
  const server = spawn(process.execPath, ['--import', 'tsx', 'scripts/serve.ts'], {
    cwd: appDir, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DNL_DATA_DIR: dataDir, DNL_INSTANCE: instance, DNL_LAB_POOL: '10.231.0.0/16', DNL_POOL_SIZE: String(poolSize), DNL_MAX_SANDBOXES: String(poolSize), NODE_ENV: 'production' },
  });
  let out = '';
  server.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
  server.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
  const deadline = Date.now() + 60_000;
  while (!out.includes('is ready')) {
    if (server.exitCode !== null || Date.now() > deadline) throw new Error(`our server did not start:\n${out}`);
    await sleep(100);
  }
  // Wait for the warm pool: every host container up and its inner engine answering with images.
  log(`waiting for ${poolSize} warm sandboxes …`);
  const poolDeadline = Date.now() + 10 * 60_000;
  for (;;) {
    const hosts = dockerLines(['ps', '-q', '--filter', `label=dnl.instance=${instance}`, '--filter', 'label=dnl.role=host']);
    if (hosts.length >= poolSize) {
      const ok = hosts.every((h) => spawnSync('docker', ['exec', h, 'docker', 'image', 'inspect', 'busybox'], { stdio: 'ignore' }).status === 0);
      if (ok) break;
    }
    if (Date.now() > poolDeadline) throw new Error(`the warm pool did not fill:\n${out.slice(-2000)}`);
    await sleep(1000);
  }
  await sleep(5000); // let the last sandbox's start-up work settle
  return { port, server, instance, dataDir, appDir };
}

async function stopOurs(o: Ours): Promise<void> {
  if (o.server.exitCode === null) {
    const exited = new Promise((r) => o.server.once('exit', r));
    o.server.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    if (o.server.exitCode === null) o.server.kill('SIGKILL');
  }
  removeInstanceResources(o.instance);
  fs.rmSync(o.dataDir, { recursive: true, force: true });
  fs.rmSync(o.appDir, { recursive: true, force: true }); // symlinks are removed, not followed
}

/** Server RSS per extra open terminal: N shells into one claimed sandbox via the WS protocol. */
async function rssPerTerminal(o: Ours, n: number): Promise<{ n: number; idleMiB: number; openMiB: number; perTerminalMiB: number }> {
  const res = await fetch(`http://127.0.0.1:${o.port}/runner/api/sandboxes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: 1, wait: true }) });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const sb = await res.json() as { id: string; status: string };
  if (sb.status !== 'ready') throw new Error(`no sandbox for the RSS test: ${JSON.stringify(sb)}`);
  const tokRes = async (terminal: number) => {
    const r = await fetch(`http://127.0.0.1:${o.port}/runner/api/terminal-token`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ sandboxId: sb.id, host: 'node1', terminal }) });
    return (await r.json() as { token: string }).token;
  };
  void LEARNER_COOKIE; void signToken;
  await sleep(2000);
  const idle = treeRssMiB(o.server.pid!);
  const clients: TerminalTestClient[] = [];
  for (let i = 0; i < n; i++) {
    const t = await TerminalTestClient.open(`ws://127.0.0.1:${o.port}${TERMINAL_WS_PATH}`, await tokRes(i), { terminal: i });
    await t.waitPrompt(30_000);
    await t.run('echo ok', /ok/);
    clients.push(t);
  }
  await sleep(2000);
  const open = treeRssMiB(o.server.pid!);
  for (const c of clients) c.close();
  return { n, idleMiB: idle, openMiB: open, perTerminalMiB: (open - idle) / n };
}

function harness(args: string[], extraEnv: Record<string, string> = {}): void {
  sh(process.execPath, ['bench.mjs', ...args, ...(opt.json ? ['--quiet'] : [])], HARNESS);
  void extraEnv;
}

async function main(): Promise<void> {
  ensureHarness();
  const common = ['--reps', String(reps), '--warmup', String(warmup)];
  const results: string[] = [];
  if (!opt['no-wetty']) {
    log('WeTTY anchor (bash --norc --noprofile) …');
    harness(['--label', 'wetty-clean', '--url', 'http://127.0.0.1:3100/', '--server',
      "node anchors/wetty/node_modules/wetty/build/main.js --host 127.0.0.1 --port 3100 --ssh-host localhost --log-level warn --command 'bash --norc --noprofile'", ...common]);
    results.push('results/wetty-clean.json');
  }
  const ours = await startOurs(reps + warmup + 1); // +1: the per-terminal RSS test claims one too
  let perTerm: Awaited<ReturnType<typeof rssPerTerminal>> | undefined;
  try {
    const query = opt.renderer === 'dom' ? '?renderer=dom' : '';
    log(`our /play page (renderer ${opt.renderer}) …`);
    harness(['--label', opt.label, '--url', `http://127.0.0.1:${ours.port}/play${query}`, '--pid', String(ours.server.pid), '--term-expr', 'window.term', '--ready-timeout-ms', '60000', ...common]);
    results.push(`results/${opt.label}.json`);
    perTerm = await rssPerTerminal(ours, Number(opt.terminals));
  } finally {
    await stopOurs(ours);
  }
  const table = execFileSync(process.execPath, ['report.mjs', ...results, ...['results/ttyd-clean.json'].filter((f) => fs.existsSync(path.join(HARNESS, f)))], { cwd: HARNESS, encoding: 'utf8' });
  const load = (f: string) => JSON.parse(fs.readFileSync(path.join(HARNESS, f), 'utf8')) as Harness;
  const me = load(`results/${opt.label}.json`);
  const wetty = opt['no-wetty'] ? undefined : load('results/wetty-clean.json');
  const report = toReport(me, wetty, perTerm, table);
  console.log(opt.json ? JSON.stringify(report, null, 2) : `${table}\n${benchTable(report)}`);
}

interface Stat { median: number; min: number; max: number }
interface Harness {
  label: string;
  page: { renderer: string };
  summary: { ttfpMs: Stat; echoP50Ms: Stat; bulkMBps: Stat; rssDuringTreeMiB: Stat };
  memBefore?: { treeKiB?: number; serverKiB: number };
}

function toReport(me: Harness, wetty: Harness | undefined, perTerm: { perTerminalMiB: number; n: number } | undefined, harnessTable: string): BenchReport {
  const s = me.summary;
  const range = (x: Stat, d = 1) => `median of ${me.label}; min ${x.min.toFixed(d)}, max ${x.max.toFixed(d)}`;
  const rows: BenchRow[] = [
    { metric: 'time to first prompt (warm sandbox)', value: Math.round(s.ttfpMs.median), unit: 'ms', target: '≤ 1500', ok: s.ttfpMs.median <= 1500, note: range(s.ttfpMs, 0) },
    { metric: 'keystroke echo p50, painted', value: s.echoP50Ms.median, unit: 'ms', target: wetty ? `≤ ${wetty.summary.echoP50Ms.median.toFixed(1)} (WeTTY), ≤ 10.2 (1.5× ttyd)` : '≤ 10.2', ok: s.echoP50Ms.median <= Math.min(10.2, wetty?.summary.echoP50Ms.median ?? Infinity), note: range(s.echoP50Ms) },
    { metric: 'seq 1 200000 throughput', value: s.bulkMBps.median, unit: 'MB/s', target: wetty ? `≥ ${wetty.summary.bulkMBps.median.toFixed(2)} (WeTTY)` : undefined, ok: wetty ? s.bulkMBps.median >= wetty.summary.bulkMBps.median : undefined, note: range(s.bulkMBps, 2) },
  ];
  if (perTerm) {
    const wettyPer = wetty?.memBefore ? wetty.summary.rssDuringTreeMiB.median - wetty.memBefore.serverKiB / 1024 : undefined;
    rows.push({ metric: 'server RSS per open terminal', value: perTerm.perTerminalMiB, unit: 'MiB', target: wettyPer !== undefined ? `≤ ${wettyPer.toFixed(1)} (WeTTY: session tree − idle server)` : undefined, ok: wettyPer !== undefined ? perTerm.perTerminalMiB <= wettyPer : undefined, note: `${perTerm.n} terminals opened over the protocol` });
  }
  return { name: 'terminal', rows, notes: [`renderer ${me.page.renderer}; WeTTY runs bash --norc --noprofile on this machine, ours bash -l inside a sandbox host`, ...harnessTable.trim().split('\n')] };
}

main().catch((err: unknown) => { console.error(err instanceof Error ? err.stack : err); process.exit(1); });
