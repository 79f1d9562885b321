// Shared set-up for the sandbox integration tests: a private instance label, lab pool and data
// folder per test file, and a cleanup that removes exactly what carries that label.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import Docker from 'dockerode';
import { loadConfig, type Config } from '../../lab-runner/config.ts';
import { labelFilter } from '../../lab-runner/provider/labels.ts';
import { HOST_IMAGE, LocalDockerProvider } from '../../lab-runner/provider/local.ts';

/** One image seed for all test files (built once per host image, reused across runs). */
export const SEED_DIR = path.join(os.tmpdir(), 'dnl-test-seed');

export function testProvider(cfg: Config): LocalDockerProvider {
  return new LocalDockerProvider({ config: cfg, seedDir: SEED_DIR });
}

export const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET ?? '/var/run/docker.sock' });

export function testConfig(over: Partial<Config> = {}): Config {
  // DNL_INSTANCE / DNL_LAB_POOL, when set, keep a run inside an operator's (or helper's) own range.
  const instance = (process.env.DNL_INSTANCE ? `${process.env.DNL_INSTANCE.slice(0, 10)}-` : 't') + randomBytes(4).toString('hex');
  const octet = 200 + Math.floor(Math.random() * 51);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnl-'));
  return loadConfig({} as NodeJS.ProcessEnv, { instance, labPool: process.env.DNL_LAB_POOL ?? `10.${octet}.0.0/16`, dataDir, poolSize: 0, secret: 'integration-secret-0123456789', ...over });
}

/** Removes every container, network and volume of this instance, and its data folder. */
export async function cleanup(cfg: Config): Promise<void> {
  const f = labelFilter(cfg.instance);
  const cs = await docker.listContainers({ all: true, filters: f });
  await Promise.all(cs.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
  const { Volumes } = await docker.listVolumes({ filters: f });
  await Promise.all((Volumes ?? []).map((v) => docker.getVolume(v.Name).remove().catch(() => undefined)));
  const ns = await docker.listNetworks({ filters: f });
  await Promise.all(ns.map((n) => docker.getNetwork(n.Id).remove().catch(() => undefined)));
  fs.rmSync(cfg.dataDir, { recursive: true, force: true });
}

export async function countResources(instance: string): Promise<{ containers: number; networks: number; volumes: number }> {
  const f = labelFilter(instance);
  const [c, n, v] = await Promise.all([docker.listContainers({ all: true, filters: f }), docker.listNetworks({ filters: f }), docker.listVolumes({ filters: f })]);
  return { containers: c.length, networks: n.length, volumes: (v.Volumes ?? []).length };
}

/** Skips the test (with the reason) when the sandbox host image has not been built yet. */
export async function needHostImage(t: TestContext): Promise<boolean> {
  try { await docker.getImage(HOST_IMAGE).inspect(); return true; } catch {
    t.skip(`${HOST_IMAGE} is not built (run \`npm run images\`)`);
    return false;
  }
}
