// Kernel features the lessons need, tested by doing the real thing in a throw-away network
// namespace (never guessed from version numbers): create the link type, or look for IPVS.
// As root we use `unshare -n`; otherwise a short-lived `--network none` container with
// NET_ADMIN from the sandbox host image does the same inside its own namespace.
import { spawn } from 'node:child_process';
import type Docker from 'dockerode';
import type { Verdict } from './types.ts';

export type KernelFeature = 'bridge' | 'macvlan' | 'ipvlan' | 'vxlan' | 'vlan8021q' | 'ipvs' | 'dummy';
export const KERNEL_FEATURES: KernelFeature[] = ['bridge', 'macvlan', 'ipvlan', 'vxlan', 'vlan8021q', 'ipvs', 'dummy'];

/** A parent link for the link types that need one (the namespace starts with only lo). */
const SETUP = 'ip link add dnlp0 type veth peer name dnlp1 && ip link set dnlp0 up';

/** The shell that attempts each feature; exit 0 = works. Output = the kernel's words when not. */
export const ATTEMPTS: Record<KernelFeature, string> = {
  bridge: 'ip link add dnlx0 type bridge',
  macvlan: 'ip link add dnlx0 link dnlp0 type macvlan mode bridge',
  ipvlan: 'ip link add dnlx0 link dnlp0 type ipvlan mode l2',
  vxlan: 'ip link add dnlx0 type vxlan id 42 dstport 4789 dev dnlp0',
  vlan8021q: 'ip link add link dnlp0 name dnlp0.10 type vlan id 10',
  dummy: 'ip link add dnlx0 type dummy',
  // IPVS state is per network namespace: /proc/net/ip_vs exists in a fresh namespace only when
  // the kernel has IPVS (built in, or loaded now: modprobe is what dockerd would do for swarm).
  ipvs: '{ command -v modprobe >/dev/null && modprobe ip_vs 2>&1 || true; } | sed "s/^/modprobe: /" >&2; ' +
    'test -e /proc/net/ip_vs || { echo "no /proc/net/ip_vs in a fresh network namespace" >&2; exit 1; }',
};

const CONFIG: Record<KernelFeature, string> = {
  bridge: 'CONFIG_BRIDGE', macvlan: 'CONFIG_MACVLAN', ipvlan: 'CONFIG_IPVLAN', vxlan: 'CONFIG_VXLAN',
  vlan8021q: 'CONFIG_VLAN_8021Q', ipvs: 'CONFIG_IP_VS', dummy: 'CONFIG_DUMMY',
};

/** What a missing feature means for the course, in the words the doctor and the lessons show. */
export const IMPACT: Record<KernelFeature, string> = {
  bridge: 'no Docker network can work without it',
  macvlan: "the macvlan lesson's exercises will show as unavailable",
  ipvlan: "the IPvlan lesson's exercises will show as unavailable",
  vxlan: 'overlay networks (the overlay lesson, multi-host swarm) will show as unavailable',
  vlan8021q: 'macvlan/ipvlan on an 802.1q sub-interface (parent=eth0.10) will show as unavailable',
  ipvs: 'swarm service VIPs and the routing mesh will not work (attachable overlays and --endpoint-mode dnsrr still do)',
  dummy: 'no lesson needs it (informational)',
};

const PURPOSE: Record<KernelFeature, string> = {
  bridge: 'created a bridge link',
  macvlan: 'created a macvlan link on a veth parent',
  ipvlan: 'created an ipvlan (L2) link on a veth parent',
  vxlan: 'created a VXLAN link (overlay networks use it)',
  vlan8021q: 'created an 802.1q VLAN sub-interface (eth0.10-style parents)',
  ipvs: '/proc/net/ip_vs is present in a fresh namespace (swarm VIPs/routing mesh can work)',
  dummy: 'created a dummy link',
};

export interface AttemptResult { code: number; output: string }
export type Attempt = (script: string) => Promise<AttemptResult>;

/** Turns the kernel's answer into a verdict with words an operator understands. */
export function interpret(feature: KernelFeature, r: AttemptResult, via: string): Verdict {
  if (r.code === 0) return { ok: true, why: `${PURPOSE[feature]} (${via})` };
  if (r.code === 97) return { ok: false, why: `could not run the test: ${r.output.trim() || 'setting up a veth parent failed'} (${via})` };
  const raw = r.output.split('\n').map((l) => l.replace(/^(Error|RTNETLINK answers):\s*/, '').replace(/\.$/, '').trim()).filter(Boolean);
  const words = raw.join('; ') || `exit ${r.code}`;
  return { ok: false, why: `kernel refused: ${words} (${CONFIG[feature]} missing); ${IMPACT[feature]}` };
}

function scriptFor(feature: KernelFeature): string {
  // 97 = our own setup failed: that is not the feature's fault and is reported differently.
  const needsParent = feature !== 'bridge' && feature !== 'dummy' && feature !== 'ipvs';
  return `${needsParent ? `${SETUP} || exit 97; ` : ''}${ATTEMPTS[feature]}`;
}

/** Runs `script` in a fresh network namespace made by `unshare -n` (root only). */
export const unshareAttempt: Attempt = (script) => new Promise((resolve) => {
  const child = spawn('unshare', ['-n', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
  child.on('error', (err) => resolve({ code: 98, output: `unshare could not run: ${err.message}` }));
  child.on('close', (code) => resolve({ code: code ?? 1, output: out }));
});

/** Runs `script` in a throw-away `--network none` container (own namespace) with NET_ADMIN. */
export function containerAttempt(docker: Docker, image: string, labels: Record<string, string>): Attempt {
  return async (script) => {
    const c = await docker.createContainer({
      Image: image, Entrypoint: ['sh', '-c'], Cmd: [script], Labels: labels,
      HostConfig: { NetworkMode: 'none', CapAdd: ['NET_ADMIN', 'SYS_MODULE'], AutoRemove: false },
    });
    try {
      const stream = await c.attach({ stream: true, stdout: true, stderr: true });
      let out = '';
      stream.on('data', (b: Buffer) => { out += b.toString(); });
      await c.start();
      const ended = new Promise<void>((r) => { stream.on('end', () => r()); setTimeout(r, 2000).unref(); });
      const { StatusCode } = await c.wait() as { StatusCode: number };
      await ended; // the last words may arrive just after the exit
      // Strip the 8-byte multiplexing headers (non-TTY attach) down to readable text.
      return { code: StatusCode, output: out.replace(/[\x00-\x08]/g, '') };
    } finally {
      await c.remove({ force: true }).catch(() => {});
    }
  };
}

export async function probeKernel(attempt: Attempt, via: string): Promise<Record<KernelFeature, Verdict>> {
  const entries = await Promise.all(KERNEL_FEATURES.map(async (f) => [f, interpret(f, await attempt(scriptFor(f)), via)] as const));
  return Object.fromEntries(entries) as Record<KernelFeature, Verdict>;
}
