// Token buckets for the actions that cost the machine real work (starting or resetting a
// sandbox, joining a workshop): per learner and per client address. A bucket holds `perMinute`
// tokens and refills continuously, so a burst up to the limit passes (a class behind one NAT
// address joining at once) and a script hammering the API is told when to come back.
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http.ts';

export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly perMinute: number, private readonly now: () => number = Date.now, private readonly maxKeys = 50_000) {}

  /** Takes one token for `key`; returns 0 when allowed, else the seconds until one is free. */
  take(key: string): number {
    const t = this.now();
    const rate = this.perMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: this.perMinute, at: t };
    b.tokens = Math.min(this.perMinute, b.tokens + (t - b.at) * rate);
    b.at = t;
    this.buckets.delete(key); // re-insert: the map's order is least recently used first
    this.buckets.set(key, b);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    if (b.tokens >= 1) { b.tokens -= 1; return 0; }
    return Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000));
  }
}

/** The client's address as the server saw it (a reverse proxy in front makes this the proxy's). */
export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

export interface CostlyActionLimits { learner: RateLimiter; address: RateLimiter }

export function createCostlyActionLimits(cfg: { rateLearnerPerMinute: number; rateAddressPerMinute: number }): CostlyActionLimits {
  return { learner: new RateLimiter(cfg.rateLearnerPerMinute), address: new RateLimiter(cfg.rateAddressPerMinute) };
}

/** Throws a 429 with words and a Retry-After when this learner or address is over its limit. */
export function checkCostlyAction(limits: CostlyActionLimits, req: IncomingMessage, learner: string, res?: { setHeader(n: string, v: string): unknown }): void {
  const wait = limits.learner.take(`l:${learner}`) || limits.address.take(`a:${clientAddress(req)}`);
  if (wait === 0) return;
  res?.setHeader('retry-after', String(wait));
  throw new HttpError(429, `Too many lab machines started or reset in a short time. Try again in ${wait} s.`, 'rate_limited');
}
