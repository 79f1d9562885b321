// The real stack for end-to-end tests: scripts/serve.ts (Next + runner on one port) with its
// own data dir, instance label and lab pool, and Debian's Chromium driven by playwright-core.
// Every e2e file starts its server here, so start-up, logs and clean-up behave the same way.
//
// The web build comes from DNL_NEXT_DIST_DIR (default .next) and is rebuilt first when any of
// its inputs is newer (scripts/bootstrap.mjs); `npm test` builds .next once before the tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
// @ts-expect-error -- plain JS module without types
import { ensureWebBuild as ensureWebBuildJs } from '../../scripts/bootstrap.mjs';
import { removeInstanceResources } from '../../lab-runner/provider/cleanup.ts';

export const root = path.resolve(import.meta.dirname, '../..');
export const screenshots = path.join(root, 'docs/screenshots');
export const CHROME_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address() as net.AddressInfo; s.close(() => resolve(port)); });
  });
}

export interface ServerOptions {
  /** Short name for the data dir and instance label (e.g. 'workshop'). */
  name: string;
  /** This file's own lab pool (DNL_LAB_POOL), e.g. '10.201.0.0/16'. */
  labPool: string;
  /** Extra environment (DNL_POOL_SIZE defaults to '0': sandboxes start on demand). */
  env?: Record<string, string>;
  /** Reuse a data dir and instance (a restart test); default: fresh ones. */
  dataDir?: string;
  instance?: string;
  /** Check the web build first (default); false for a restart, where it was just checked. */
  build?: boolean;
}

export interface TestServer {
  base: string;
  port: number;
  instance: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the server printed so far. */
  log(): string;
  /** Stops the server only (its sandboxes and data stay): for restart tests. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stops the server, removes its sandboxes and its data dir. */
  stop(): Promise<void>;
}

export function ensureWebBuild(env: NodeJS.ProcessEnv = process.env): void { (ensureWebBuildJs as (e: NodeJS.ProcessEnv) => void)(env); }

export async function startServer(o: ServerOptions): Promise<TestServer> {
  const port = await freePort();
  const instance = o.instance ?? `test-${o.name}-${randomBytes(3).toString('hex')}`;
  const dataDir = o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `dnl-e2e-${o.name}-`));
  const env: NodeJS.ProcessEnv = {
    ...process.env, PORT: String(port), HOST: '127.0.0.1', DNL_DATA_DIR: dataDir, DNL_INSTANCE: instance,
    DNL_LAB_POOL: o.labPool, DNL_POOL_SIZE: '0', NEXT_TELEMETRY_DISABLED: '1', ...o.env,
  };
  if (o.build !== false) ensureWebBuild(env);
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/serve.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (b: Buffer) => { log += b.toString(); });
  child.stderr!.on('data', (b: Buffer) => { log += b.toString(); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready in 90 s:\n${log}`)), 90_000);
    const onData = () => { if (log.includes('is ready')) { clearTimeout(timer); resolve(); } };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${log}`)); });
  });
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); await exited; }
  };
  return {
    base: `http://127.0.0.1:${port}`, port, instance, dataDir, process: child,
    log: () => log,
    kill,
    async stop() {
      await kill();
      try { removeInstanceResources(instance); } catch (e) { console.error(`[harness] clean-up of ${instance} failed: ${(e as Error).message}`); }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROME_ARGS });
}
