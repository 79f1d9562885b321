// Every setting the runner reads, in one place, validated once at start.
// An operator who mistypes a variable gets its name and what is wrong, never a silent default.
import path from 'node:path';
import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const ConfigSchema = z.object({
  port: int(1, 65535).default(3000).describe('PORT: where the web app and runner API listen'),
  host: z.string().min(1).default('127.0.0.1').describe('HOST: address to bind; 0.0.0.0 for a workshop room'),
  dataDir: z.string().min(1).default('.data').describe('DNL_DATA_DIR: SQLite store, sockets, logs'),
  secret: z.string().min(16).optional().describe('DNL_SECRET: signs learner cookies and terminal tokens; generated into the data dir when unset'),
  dockerSocket: z.string().default('/var/run/docker.sock').describe('DOCKER_SOCKET: the engine that runs sandboxes'),
  labPool: z.string().regex(/^\d+\.\d+\.0\.0\/16$/, 'must look like 10.210.0.0/16').default('10.210.0.0/16')
    .describe('DNL_LAB_POOL: /16 cut into one /24 per lab network; must not overlap lesson subnets'),
  runtime: z.string().optional().describe('DNL_RUNTIME: OCI runtime for sandbox hosts (e.g. sysbox-runc); default runc'),
  hostMemoryMb: int(128, 65536).default(1024).describe('DNL_HOST_MEMORY_MB: memory limit per sandbox host'),
  hostPids: int(64, 65536).default(1024).describe('DNL_HOST_PIDS: pids limit per sandbox host'),
  hostCpus: z.coerce.number().min(0.1).max(64).default(1).describe('DNL_HOST_CPUS: CPU limit per sandbox host'),
  hostBootCpus: z.coerce.number().min(0.1).max(64).optional()
    .describe("DNL_HOST_BOOT_CPUS: CPU limit while a host boots (before any learner command runs), lowered to DNL_HOST_CPUS once its engine is ready; default: every core of the machine"),
  hostDiskMb: int(64, 1_048_576).default(2048).describe('DNL_HOST_DISK_MB: disk budget per sandbox host'),
  gcSeconds: int(1, 3600).default(15).describe('DNL_GC_SECONDS: how often the collector runs (expiry, orphans, stopped hosts restarted, pool refill)'),
  diskCheckSeconds: int(1, 3600).default(15).describe('DNL_DISK_CHECK_SECONDS: how often the disk watchdog measures each claimed sandbox'),
  maxSandboxes: int(1, 10_000).default(60).describe('DNL_MAX_SANDBOXES: total sandboxes on this machine'),
  maxPerLearner: int(1, 100).default(1).describe('DNL_MAX_PER_LEARNER: live sandboxes one learner may hold'),
  rateLearnerPerMinute: int(1, 10_000).default(20).describe('DNL_RATE_LEARNER_PER_MINUTE: sandbox starts/resets/joins one learner may ask for per minute'),
  rateAddressPerMinute: int(1, 100_000).default(300).describe('DNL_RATE_ADDRESS_PER_MINUTE: the same per client address (a room behind one NAT shares it)'),
  poolSize: int(0, 200).default(2).describe('DNL_POOL_SIZE: warm single-host sandboxes kept ready'),
  poolRefillDelayMs: int(0, 600_000).default(5000)
    .describe("DNL_POOL_REFILL_DELAY_MS: after a claim, how long the pool waits before starting a replacement (a host's start takes seconds of CPU that would otherwise delay the claimer's first prompt)"),
  idleMinutes: int(1, 24 * 60).default(30).describe('DNL_IDLE_MINUTES: a sandbox nobody touched this long is removed'),
  ttlMinutes: int(1, 7 * 24 * 60).default(240).describe('DNL_TTL_MINUTES: hard lifetime of a sandbox'),
  instance: z.string().regex(/^[a-z0-9-]{1,20}$/).default('dnl').describe('DNL_INSTANCE: label prefix; two runners on one engine need different ones'),
  terminalBackend: z.enum(['auto', 'node-pty']).default('auto')
    .describe("DNL_TERMINAL_BACKEND: 'auto' runs a provider's `docker exec -it` through the Engine API (no CLI process per terminal); 'node-pty' always spawns the argv"),
  terminalPrewarm: z.enum(['ready', 'token']).default('ready')
    .describe("DNL_TERMINAL_PREWARM: when each host's first shell starts: 'ready' as soon as a learner's lab is ready (its prompt waits for the page), 'token' only when the page asks for a terminal"),
  workshopLeadMinutes: int(0, 24 * 60).default(15).describe('DNL_WORKSHOP_LEAD_MINUTES: how long before a workshop starts its reserved sandboxes are started'),
  workshopCreateKey: z.string().min(8).optional().describe('DNL_WORKSHOP_CREATE_KEY: when set, creating a workshop needs this key (x-workshop-create-key header; the create page asks for it)'),
});
export type Config = z.infer<typeof ConfigSchema>;

const ENV: Record<keyof Config, string> = {
  port: 'PORT', host: 'HOST', dataDir: 'DNL_DATA_DIR', secret: 'DNL_SECRET', dockerSocket: 'DOCKER_SOCKET',
  labPool: 'DNL_LAB_POOL', runtime: 'DNL_RUNTIME', hostMemoryMb: 'DNL_HOST_MEMORY_MB', hostPids: 'DNL_HOST_PIDS',
  hostCpus: 'DNL_HOST_CPUS', hostBootCpus: 'DNL_HOST_BOOT_CPUS', hostDiskMb: 'DNL_HOST_DISK_MB', diskCheckSeconds: 'DNL_DISK_CHECK_SECONDS', gcSeconds: 'DNL_GC_SECONDS', maxSandboxes: 'DNL_MAX_SANDBOXES',
  maxPerLearner: 'DNL_MAX_PER_LEARNER', rateLearnerPerMinute: 'DNL_RATE_LEARNER_PER_MINUTE', rateAddressPerMinute: 'DNL_RATE_ADDRESS_PER_MINUTE', poolSize: 'DNL_POOL_SIZE', poolRefillDelayMs: 'DNL_POOL_REFILL_DELAY_MS', idleMinutes: 'DNL_IDLE_MINUTES',
  ttlMinutes: 'DNL_TTL_MINUTES', instance: 'DNL_INSTANCE', terminalBackend: 'DNL_TERMINAL_BACKEND', terminalPrewarm: 'DNL_TERMINAL_PREWARM',
  workshopLeadMinutes: 'DNL_WORKSHOP_LEAD_MINUTES', workshopCreateKey: 'DNL_WORKSHOP_CREATE_KEY',
};

export function envName(key: keyof Config): string { return ENV[key]; }

/** Reads the configuration from an environment (process.env by default); throws one readable message. */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Config> = {}): Config {
  const raw: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV)) {
    const v = env[name];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const parsed = ConfigSchema.safeParse({ ...raw, ...overrides });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = i.path[0] as keyof Config;
      return `  ${ENV[key] ?? String(key)}: ${i.message}`;
    });
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const cfg = parsed.data;
  return { ...cfg, dataDir: path.resolve(cfg.dataDir) };
}
