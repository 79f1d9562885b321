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
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not print its URL in time. Output:\n${out}`)), 540_000);
    const check = (): void => { if (out.includes(`http://127.0.0.1:${port}`)) { clearTimeout(timer); resolve(); } };
    child.stdout.on('data', check);
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`npm start exited (${code}) before serving. Output:\n${out}`)); });
  });
  assert.match(out, /docker engine: running/);

  const home = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(home.status, 200);
  assert.match(await home.text(), /Docker Network Labs/);
  const health = await fetch(`http://127.0.0.1:${port}/runner/api/health`);
  assert.deepEqual(await health.json(), { ok: true });

  // Ctrl-C reaches the whole foreground process group in a terminal; do the same.
  process.kill(-child.pid!, 'SIGINT');
  const code = await exited;
  assert.equal(code, 0, `exit code after Ctrl-C; output:\n${out}`);
  await assert.rejects(fetch(`http://127.0.0.1:${port}/`), 'the port is closed after Ctrl-C');
});

test('a user who may not use the engine is told what to do', { timeout: 120_000 }, () => {
  if (process.getuid?.() !== 0) return;
  // `nobody` can run node but not open the root-owned Docker socket.
  const r = spawnSync('su', ['-s', '/bin/sh', 'nobody', '-c', `cd ${root} && ${process.execPath} scripts/start.mjs`], { encoding: 'utf8', timeout: 100_000, env: { PATH: `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`, HOME: '/tmp' } });
  const text = r.stdout + r.stderr;
  assert.notEqual(r.status, 0);
  assert.match(text, /permission denied .*docker group|may not use it/i, text);
  assert.doesNotMatch(text, /\n\s+at .*\.m?js:\d+/, 'no stack trace');
});
