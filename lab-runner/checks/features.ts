// Kernel features a lesson may need, probed for real inside a sandbox host (its own network
// namespace; eth0 is the host's veth, never the machine's NIC), so the answer is what the
// learner's lab will actually get. Results are per kernel, so callers cache them.
import type { KernelFeature } from '../../lessons/schema.ts';
import type { CheckTarget } from './target.ts';

const PROBES: Record<KernelFeature, { script: string; missing: string }> = {
  macvlan: { script: 'ip link add dnlprobe0 link eth0 type macvlan mode bridge && ip link del dnlprobe0', missing: 'the kernel has no macvlan support' },
  ipvlan: { script: 'ip link add dnlprobe0 link eth0 type ipvlan mode l2 && ip link del dnlprobe0', missing: 'the kernel has no ipvlan support (CONFIG_IPVLAN)' },
  vlan: { script: 'ip link add link eth0 name dnlprobe0 type vlan id 10 && ip link del dnlprobe0', missing: 'the kernel has no 802.1q VLAN support (CONFIG_VLAN_8021Q)' },
  vxlan: { script: 'ip link add dnlprobe0 type vxlan id 42 dstport 4789 dev eth0 && ip link del dnlprobe0', missing: 'the kernel has no VXLAN support, which overlay networks need' },
  dummy: { script: 'ip link add dnlprobe0 type dummy && ip link del dnlprobe0', missing: 'the kernel has no dummy link type' },
  ipvs: { script: 'test -e /proc/net/ip_vs', missing: 'the kernel has no IPVS, so swarm service VIPs and the routing mesh cannot work' },
};

/** Probes the given features on one host; returns feature → reason for each one that is missing. */
export async function probeFeatures(target: CheckTarget, host: string, features: readonly KernelFeature[], signal?: AbortSignal): Promise<Map<KernelFeature, string>> {
  const missing = new Map<KernelFeature, string>();
  await Promise.all([...new Set(features)].map(async (f) => {
    const r = await target.exec(host, `${PROBES[f].script} 2>&1`, { timeoutMs: 5000, signal });
    if (r.exitCode !== 0) missing.set(f, PROBES[f].missing);
  }));
  return missing;
}

/** A per-process cache: the kernel is shared by every sandbox of the local provider. */
export class FeatureCache {
  private known = new Map<KernelFeature, string | null>();

  async unavailable(target: CheckTarget, host: string, features: readonly KernelFeature[], signal?: AbortSignal): Promise<string | undefined> {
    const todo = features.filter((f) => !this.known.has(f));
    if (todo.length) {
      const missing = await probeFeatures(target, host, todo, signal);
      for (const f of todo) this.known.set(f, missing.get(f) ?? null);
    }
    const reasons = features.map((f) => this.known.get(f)).filter((r): r is string => !!r);
    return reasons.length ? reasons.join('; ') : undefined;
  }
}
