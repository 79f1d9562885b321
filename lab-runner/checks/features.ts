// Kernel features a lesson may need, probed for real inside a sandbox host (its own network
// namespace; eth0 is the host's veth, never the machine's NIC), so the answer is what the
// learner's lab will actually get. Results are per kernel, so callers cache them.
import type { KernelFeature } from '../../lessons/schema.ts';
import { joinReasons, type Reason } from './reasons.ts';
import type { CheckTarget } from './target.ts';

const PROBES: Record<KernelFeature, { script: string; missing: Reason }> = {
  macvlan: { script: 'ip link add dnlprobe0 link eth0 type macvlan mode bridge && ip link del dnlprobe0',
    missing: { en: 'the kernel has no macvlan support', ko: '커널에 macvlan 지원이 없습니다' } },
  ipvlan: { script: 'ip link add dnlprobe0 link eth0 type ipvlan mode l2 && ip link del dnlprobe0',
    missing: { en: 'the kernel has no ipvlan support (CONFIG_IPVLAN)', ko: '커널에 ipvlan 지원이 없습니다(CONFIG_IPVLAN)' } },
  vlan: { script: 'ip link add link eth0 name dnlprobe0 type vlan id 10 && ip link del dnlprobe0',
    missing: { en: 'the kernel has no 802.1q VLAN support (CONFIG_VLAN_8021Q)', ko: '커널에 802.1q VLAN 지원이 없습니다(CONFIG_VLAN_8021Q)' } },
  vxlan: { script: 'ip link add dnlprobe0 type vxlan id 42 dstport 4789 dev eth0 && ip link del dnlprobe0',
    missing: { en: 'the kernel has no VXLAN support, which overlay networks need', ko: '커널에 오버레이 네트워크에 필요한 VXLAN 지원이 없습니다' } },
  dummy: { script: 'ip link add dnlprobe0 type dummy && ip link del dnlprobe0',
    missing: { en: 'the kernel has no dummy link type', ko: '커널에 dummy 링크 유형이 없습니다' } },
  ipvs: { script: 'test -e /proc/net/ip_vs',
    missing: { en: 'the kernel has no IPVS, so swarm service VIPs and the routing mesh cannot work', ko: '커널에 IPVS가 없어서 스웜 서비스 VIP와 라우팅 메시가 동작할 수 없습니다' } },
};

/** Probes the given features on one host; returns feature → reason for each one that is missing. */
export async function probeFeatures(target: CheckTarget, host: string, features: readonly KernelFeature[], signal?: AbortSignal): Promise<Map<KernelFeature, Reason>> {
  const missing = new Map<KernelFeature, Reason>();
  await Promise.all([...new Set(features)].map(async (f) => {
    const r = await target.exec(host, `${PROBES[f].script} 2>&1`, { timeoutMs: 5000, signal });
    if (r.exitCode !== 0) missing.set(f, PROBES[f].missing);
  }));
  return missing;
}

/** A per-process cache: the kernel is shared by every sandbox of the local provider. */
export class FeatureCache {
  private known = new Map<KernelFeature, Reason | null>();

  /** Why this host cannot run a lab needing these features (English), or undefined. */
  async unavailable(target: CheckTarget, host: string, features: readonly KernelFeature[], signal?: AbortSignal): Promise<string | undefined> {
    return (await this.whyUnavailable(target, host, features, signal))?.en;
  }

  /** The same, in both languages (what the page shows). */
  async whyUnavailable(target: CheckTarget, host: string, features: readonly KernelFeature[], signal?: AbortSignal): Promise<Reason | undefined> {
    const todo = features.filter((f) => !this.known.has(f));
    if (todo.length) {
      const missing = await probeFeatures(target, host, todo, signal);
      for (const f of todo) this.known.set(f, missing.get(f) ?? null);
    }
    const reasons = features.map((f) => this.known.get(f)).filter((r): r is Reason => !!r);
    return reasons.length ? joinReasons(reasons, '; ') : undefined;
  }
}
