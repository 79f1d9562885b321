// Cutting one free /24 per lab network out of the configured /16 (DNL_LAB_POOL).
// Pure functions: the provider lists the engine's networks, asks for a candidate, and retries on
// a conflict because other runners (other instances, tests) create networks on the same engine.

export function ipToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new Error(`Not an IPv4 address: ${ip}`);
  return ((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Cidr { base: number; bits: number }

export function parseCidr(cidr: string): Cidr {
  const [ip, b] = cidr.split('/');
  const bits = Number(b);
  if (!ip || !Number.isInteger(bits) || bits < 0 || bits > 32) throw new Error(`Not a CIDR: ${cidr}`);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return { base: (ipToInt(ip) & mask) >>> 0, bits };
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const size = (c: Cidr) => 2 ** (32 - c.bits);
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/** All /24s of the pool that overlap none of `used`, in order, starting at a rotating offset. */
export function freeSubnets(pool: string, used: string[], start = 0): string[] {
  const p = parseCidr(pool);
  const taken = used.flatMap((u) => { try { return [parseCidr(u)]; } catch { return []; } });
  const count = 2 ** (24 - p.bits);
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const i = (start + k) % count;
    const c: Cidr = { base: p.base + i * 256, bits: 24 };
    if (!taken.some((t) => overlaps(t, c))) out.push(`${intToIp(c.base)}/24`);
  }
  return out;
}

/** The fixed address of host nodeN in a /24: .(N+1), so node1 is .2 (the gateway is .1). */
export function hostIp(subnet: string, index: number): string {
  return intToIp(parseCidr(subnet).base + 1 + index);
}

export function gatewayIp(subnet: string): string {
  return intToIp(parseCidr(subnet).base + 1);
}
