// Learner identity and capability tokens, signed with the runner's secret (HMAC-SHA256).
// The browser holds an opaque signed learner id in an HttpOnly cookie; terminal tokens bind a
// learner to one sandbox host for a short time. Nothing here trusts an id the client invents.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const LEARNER_COOKIE = 'dnl_learner';

export function loadOrCreateSecret(dataDir: string, configured?: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, 'secret');
  try { return fs.readFileSync(file, 'utf8').trim(); } catch { /* first start */ }
  fs.mkdirSync(dataDir, { recursive: true });
  const s = randomBytes(32).toString('base64url');
  fs.writeFileSync(file, s, { mode: 0o600 });
  return s;
}

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function newLearnerId(): string { return 'l_' + randomBytes(12).toString('base64url'); }

export function signValue(secret: string, value: string): string { return `${value}.${mac(secret, value)}`; }

export function verifyValue(secret: string, signed: string | undefined): string | undefined {
  if (!signed || signed.length > 512) return undefined;
  const i = signed.lastIndexOf('.');
  if (i <= 0) return undefined;
  const value = signed.slice(0, i);
  return safeEqual(mac(secret, value), signed.slice(i + 1)) ? value : undefined;
}

export interface TokenClaims { sub: string; sandbox: string; host: string; mode: 'rw' | 'ro'; exp: number }

export function signToken(secret: string, claims: TokenClaims): string {
  return signValue(secret, Buffer.from(JSON.stringify(claims)).toString('base64url'));
}

export function verifyToken(secret: string, token: string, now = Date.now()): TokenClaims | undefined {
  const body = verifyValue(secret, token);
  if (!body) return undefined;
  try {
    const c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
    if (typeof c.exp !== 'number' || c.exp < now) return undefined;
    return c;
  } catch { return undefined; }
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const raw = part.slice(i + 1).trim();
    // A malformed %-escape is someone else's cookie or garbage: keep it raw rather than throw.
    try { out[part.slice(0, i).trim()] = decodeURIComponent(raw); } catch { out[part.slice(0, i).trim()] = raw; }
  }
  return out;
}
