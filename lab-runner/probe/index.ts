// The host probe: what this machine can do for the course, found by trying each thing for
// real (a container start with each security mode, each link type in a throw-away network
// namespace), never by reading version numbers. The runner calls it once at start (the result
// is cached per process); `npm run doctor` prints it.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import crypto from 'node:crypto';
import Docker from 'dockerode';
import { containerAttempt, probeKernel, unshareAttempt, KERNEL_FEATURES, IMPACT, type KernelFeature } from './kernel.ts';
import { FALLBACK_HOST_CONFIG, PRIVILEGED_HOST_CONFIG } from './security.ts';
import type { EngineVerdict, HostProbe, RuntimesVerdict, SandboxMode, Verdict } from './types.ts';

export type { EngineVerdict, HostProbe, RuntimesVerdict, SandboxMode, Verdict } from './types.ts';
export type { KernelFeature } from './kernel.ts';
export { KERNEL_FEATURES, IMPACT, ATTEMPTS } from './kernel.ts';
export { sandboxSecurity, PRIVILEGED_HOST_CONFIG, FALLBACK_HOST_CONFIG, FALLBACK_DOCKER_ARGS } from './security.ts';

/** Image used for the throw-away start tests (2 MB, built by lab-runner/images). */
export const PROBE_IMAGE = 'dnl/busybox:latest';
/** Image used for kernel tests when we are not root (has iproute2 and kmod). */
export const PROBE_KERNEL_IMAGE = 'dnl/host:latest';
/** Every throw-away container carries this label (and is removed before the probe returns). */
export const PROBE_LABEL = 'dnl.probe';

export interface ProbeOptions {
  docker?: Docker;
  /** OCI runtime sandboxes should use (DNL_RUNTIME), e.g. sysbox-runc. */
  runtime?: string;
  chromiumPath?: string;
  /** Ignore the per-process cache and probe again. */
  refresh?: boolean;
  /** Force how kernel features are tested (default: unshare when root, else a container). */
  kernelVia?: 'unshare' | 'container';
}

let cached: { key: string; result: Promise<HostProbe> } | undefined;

/** Probes once per process (per engine socket and runtime); `refresh` probes again. */
export function probeHost(opts: ProbeOptions = {}): Promise<HostProbe> {
  const docker = opts.docker ?? new Docker();
  const modem = docker.modem as { socketPath?: string; host?: string };
  const key = `${modem.socketPath ?? modem.host ?? ''}|${opts.runtime ?? ''}|${opts.kernelVia ?? ''}`;
  if (!opts.refresh && cached?.key === key) return cached.result;
  const result = runProbe(docker, opts);
  cached = { key, result };
  result.catch(() => { if (cached?.result === result) cached = undefined; });
  return result;
}

function words(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  // "(HTTP code 500) server error - failed to create shim task: OCI runtime create failed: runc
  // create failed: unable to start container process: …: unable to apply caps: operation not
  // permitted: unknown" → keep the part after the last runtime prefix, drop the noise.
  const cut = msg.replace(/^\(HTTP code \d+\)\s*[a-z ]*-\s*/i, '')
    .replace(/^.*(?:runc create failed|OCI runtime create failed):\s*/i, '')
    .replace(/^unable to start container process:\s*/i, '')
    .replace(/:\s*unknown\s*$/i, '')
    .trim();
  return cut.length > 300 ? `${cut.slice(0, 300)}…` : cut;
}

async function engineVerdict(docker: Docker): Promise<EngineVerdict> {
  const modem = docker.modem as { socketPath?: string; host?: string };
  const where = modem.socketPath ?? modem.host ?? 'the default socket';
  try {
    const v = await docker.version();
    return { ok: true, version: v.Version, api: v.ApiVersion, why: `Docker Engine ${v.Version} (API ${v.ApiVersion}, ${v.Os}/${v.Arch}, kernel ${v.KernelVersion}) at ${where}` };
  } catch (err) {
    return {
      ok: false, version: '', api: '',
      why: `cannot reach the Docker engine at ${where}: ${(err as Error).message}. Start it (as root: \`dockerd &\`, or \`systemctl start docker\`) or set DOCKER_SOCKET.`,
    };
  }
}

async function hasImage(docker: Docker, image: string): Promise<boolean> {
  try { await docker.getImage(image).inspect(); return true; } catch { return false; }
}

/** Creates and starts a throw-away container with `hostConfig`; ok when it runs `cmd` to exit 0. */
async function tryStart(docker: Docker, hostConfig: Docker.HostConfig, cmd: string[], labels: Record<string, string>): Promise<{ ok: boolean; error?: string }> {
  let c: Docker.Container | undefined;
  try {
    c = await docker.createContainer({ Image: PROBE_IMAGE, Cmd: cmd, Labels: labels, HostConfig: { ...hostConfig, NetworkMode: 'none' } });
    await c.start();
    const { StatusCode } = await c.wait() as { StatusCode: number };
    if (StatusCode === 0) return { ok: true };
    const logs = (await c.logs({ stdout: true, stderr: true })).toString().replace(/[\x00-\x08]/g, '').trim();
    return { ok: false, error: `the test command exited ${StatusCode}${logs ? `: ${logs}` : ''}` };
  } catch (err) {
    return { ok: false, error: words(err) };
  } finally {
    await c?.remove({ force: true }).catch(() => {});
  }
}

async function securityVerdicts(docker: Docker, labels: Record<string, string>): Promise<{ privileged: Verdict; fallback: Verdict }> {
  if (!(await hasImage(docker, PROBE_IMAGE))) {
    const why = `cannot test: the image ${PROBE_IMAGE} is missing; run \`npm run images\` first`;
    return { privileged: { ok: false, why }, fallback: { ok: false, why } };
  }
  // The fallback test mounts a filesystem: that is what dnl-init must do (cgroup re-mount), and
  // what seccomp/AppArmor or a missing CAP_SYS_ADMIN would stop.
  const mountTest = ['sh', '-c', 'mkdir -p /tmp/dnl-probe && mount -t tmpfs dnl /tmp/dnl-probe'];
  const [priv, fb] = await Promise.all([
    tryStart(docker, { ...PRIVILEGED_HOST_CONFIG }, ['true'], labels),
    tryStart(docker, { ...FALLBACK_HOST_CONFIG }, mountTest, labels),
  ]);
  const privileged: Verdict = priv.ok
    ? { ok: true, why: 'the engine started a --privileged container; sandbox hosts use --privileged' }
    : {
      ok: false,
      why: `the engine refused --privileged: ${priv.error}` +
        (/apply caps/i.test(priv.error ?? '') ? ' (this machine\'s capability bounding set lacks a capability --privileged asks for, e.g. CAP_SYS_RESOURCE)' : '') +
        (fb.ok ? '; sandbox hosts use the fallback flag set instead' : ''),
    };
  const fallback: Verdict = fb.ok
    ? { ok: true, why: 'a container with --cap-add ALL --cap-drop SYS_RESOURCE, seccomp/apparmor/systempaths unconfined, all devices and a tmpfs /run started and could mount' + (priv.ok ? ' (not needed: --privileged works)' : '') }
    : { ok: false, why: `the fallback flag set failed too: ${fb.error}` };
  return { privileged, fallback };
}

async function runtimesVerdict(docker: Docker, runtime?: string): Promise<RuntimesVerdict> {
  try {
    const info = await docker.info() as { Runtimes?: Record<string, unknown>; DefaultRuntime?: string };
    const available = Object.keys(info.Runtimes ?? {});
    const def = info.DefaultRuntime ?? 'runc';
    if (!runtime) return { ok: true, available, default: def, why: `default runtime ${def} (available: ${available.join(', ')}); no DNL_RUNTIME configured` };
    if (available.includes(runtime)) return { ok: true, available, default: def, configured: runtime, why: `sandbox hosts run with the configured runtime ${runtime}` };
    return { ok: false, available, default: def, why: `DNL_RUNTIME=${runtime} is not known to the engine (available: ${available.join(', ')}); register it in daemon.json or unset DNL_RUNTIME` };
  } catch (err) {
    return { ok: false, available: [], default: '', why: `docker info failed: ${(err as Error).message}` };
  }
}

function chromiumVerdict(path: string): Promise<Verdict> {
  if (!fs.existsSync(path)) {
    return Promise.resolve({ ok: false, why: `${path} does not exist; the browser tests need Debian's chromium (apt-get install chromium), which npm test installs when root` });
  }
  return new Promise((resolve) => {
    execFile(path, ['--version'], { timeout: 15_000 }, (err, stdout) => {
      if (err) resolve({ ok: false, why: `${path} --version failed: ${err.message.split('\n')[0]}` });
      else resolve({ ok: true, why: `${stdout.trim()} at ${path} (browser tests)` });
    });
  });
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

async function kernelVerdicts(docker: Docker, opts: ProbeOptions, labels: Record<string, string>): Promise<{ kernel: Record<KernelFeature, Verdict>; via: string }> {
  const useUnshare = opts.kernelVia ? opts.kernelVia === 'unshare' : isRoot();
  if (useUnshare) {
    const check = await unshareAttempt('true');
    if (check.code === 0) return { kernel: await probeKernel(unshareAttempt, 'throw-away network namespace, unshare -n'), via: 'throw-away network namespace (unshare -n)' };
    if (opts.kernelVia === 'unshare') return { kernel: unknownKernel(`unshare -n failed: ${check.output.trim()}`), via: 'unshare -n (failed)' };
  }
  if (!(await hasImage(docker, PROBE_KERNEL_IMAGE))) {
    return { kernel: unknownKernel(`cannot test without root (unshare) or the image ${PROBE_KERNEL_IMAGE}; run \`npm run images\` first`), via: 'none' };
  }
  const via = `throw-away --network none container from ${PROBE_KERNEL_IMAGE}`;
  return { kernel: await probeKernel(containerAttempt(docker, PROBE_KERNEL_IMAGE, labels), via), via };
}

function unknownKernel(why: string): Record<KernelFeature, Verdict> {
  return Object.fromEntries(KERNEL_FEATURES.map((f) => [f, { ok: false, why }])) as Record<KernelFeature, Verdict>;
}

async function runProbe(docker: Docker, opts: ProbeOptions): Promise<HostProbe> {
  const t0 = Date.now();
  const labels = { [PROBE_LABEL]: crypto.randomUUID() };
  const chromium = chromiumVerdict(opts.chromiumPath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium');
  const engine = await engineVerdict(docker);
  if (!engine.ok) {
    const why = 'not tested: the Docker engine is unreachable';
    const off: Verdict = { ok: false, why };
    const kernel = isRoot() ? await probeKernel(unshareAttempt, 'throw-away network namespace, unshare -n') : unknownKernel(why);
    return {
      engine, privileged: off, fallback: off, runtimes: { ok: false, available: [], default: '', why }, kernel,
      chromium: await chromium, mode: 'none', via: isRoot() ? 'throw-away network namespace (unshare -n)' : 'none',
      tookMs: Date.now() - t0, probedAt: Date.now(),
    };
  }
  try {
    const [sec, runtimes, k] = await Promise.all([
      securityVerdicts(docker, labels),
      runtimesVerdict(docker, opts.runtime),
      kernelVerdicts(docker, opts, labels),
    ]);
    const mode: SandboxMode = runtimes.configured ? 'runtime' : sec.privileged.ok ? 'privileged' : sec.fallback.ok ? 'fallback' : 'none';
    return {
      engine, privileged: sec.privileged, fallback: sec.fallback, runtimes, kernel: k.kernel, chromium: await chromium,
      mode, via: k.via, tookMs: Date.now() - t0, probedAt: Date.now(),
    };
  } finally {
    // Belt and braces: every throw-away container is removed where it was made; sweep by label
    // in case a create raced with an error.
    const left = await docker.listContainers({ all: true, filters: { label: [`${PROBE_LABEL}=${labels[PROBE_LABEL]}`] } }).catch(() => []);
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => {})));
  }
}
