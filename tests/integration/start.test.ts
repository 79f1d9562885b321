// The README's first command, as a user runs it: `npm start` comes up, serves the site and the
// runner API on the configured port, and Ctrl-C stops it cleanly. Also the bootstrap's refusal
// path: a user who may not use the engine gets words saying what to do, not a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

test('npm start serves the site and stops cleanly on Ctrl-C', { timeout: 600_000 }, async (t) => {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnl-start-'));
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), DNL_DATA_DIR: dataDir, DNL_POOL_SIZE: '0', DNL_INSTANCE: `tstart${process.pid}` },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  t.after(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } fs.rmSync(dataDir, { recursive: true, force: true }); });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not print its URL in time. Output:\n${out}`)), 540_000);
    const check = (): void => { if (out.includes(`http://127.0.0.1:${port}`)) { clearTimeout(timer); resolve(); } };
    child.stdout.on('data', check);
    void exited.then(({ code }) => { clearTimeout(timer); reject(new Error(`npm start exited (${code}) before serving. Output:\n${out}`)); });
  });
  assert.match(out, /docker engine: running/);

  const home = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(home.status, 200);
  assert.match(await home.text(), /Docker Network Labs/);
  const health = await fetch(`http://127.0.0.1:${port}/runner/api/health`);
  assert.deepEqual(await health.json(), { ok: true });

  // Ctrl-C reaches the whole foreground process group in a terminal; do the same.
  process.kill(-child.pid!, 'SIGINT');
  const { code, signal } = await exited;
  // npm itself dies of the SIGINT it was sent (as in a terminal); our own processes must exit cleanly.
  assert.ok(code === 0 || signal === 'SIGINT', `exit after Ctrl-C: code ${code}, signal ${signal}; output:\n${out}`);
  assert.match(out, /\[serve\] SIGINT: closing/);
  await waitUntil(() => !groupAlive(child.pid!), 30_000, `processes of npm start still running after Ctrl-C; output:\n${out}`);
  await assert.rejects(fetch(`http://127.0.0.1:${port}/`), 'the port is closed after Ctrl-C');
});

function groupAlive(pgid: number): boolean {
  try { process.kill(-pgid, 0); return true; } catch { return false; }
}

async function waitUntil(cond: () => boolean, ms: number, why: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(why);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a user who may not use the engine is told what to do', { timeout: 120_000 }, (t) => {
  if (process.getuid?.() !== 0) { t.skip('needs root to run the bootstrap as another user'); return; }
  // `nobody` can run node but not open the root-owned Docker socket. The clone may sit in a
  // folder nobody cannot enter, so run a copy of the bootstrap from a world-readable folder.
  const dir = fs.mkdtempSync('/var/tmp/dnl-nobody-');
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.cpSync(path.join(root, 'scripts'), path.join(dir, 'scripts'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.writeFileSync(path.join(dir, 'node_modules', '.package-lock.json'), '{}');
  fs.chmodSync(dir, 0o755);
  const r = spawnSync('su', ['-s', '/bin/sh', 'nobody', '-c', `cd ${dir} && ${process.execPath} scripts/start.mjs`], { encoding: 'utf8', timeout: 100_000, env: { PATH: `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`, HOME: '/tmp' } as unknown as NodeJS.ProcessEnv });
  const text = r.stdout + r.stderr;
  assert.notEqual(r.status, 0);
  assert.match(text, /permission denied .*docker group|may not use it/i, text);
  assert.doesNotMatch(text, /\n\s+at .*\.m?js:\d+/, 'no stack trace');
});
