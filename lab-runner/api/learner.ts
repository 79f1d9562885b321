// Who is asking: the anonymous learner id in the signed, HttpOnly `dnl_learner` cookie.
// A request without a valid cookie gets a fresh id (and the cookie that carries it), so a first
// visit just works; an id the client made up never verifies, so it can never name another learner.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LEARNER_COOKIE, newLearnerId, parseCookies, signValue, verifyValue } from '../auth.ts';

const ONE_YEAR_S = 365 * 24 * 3600;

/** The verified learner id of this request, or undefined (never mints one). */
export function readLearner(secret: string, req: IncomingMessage): string | undefined {
  return verifyValue(secret, parseCookies(req.headers.cookie)[LEARNER_COOKIE]);
}

/** The learner id of this request, minting one and setting its cookie on `res` when missing. */
export function getLearner(secret: string, ctx: { req: IncomingMessage; res: ServerResponse }): string {
  const existing = readLearner(secret, ctx.req);
  if (existing) return existing;
  const id = newLearnerId();
  const secure = ctx.req.headers['x-forwarded-proto'] === 'https' || (ctx.req.socket as { encrypted?: boolean }).encrypted === true;
  const cookie = `${LEARNER_COOKIE}=${encodeURIComponent(signValue(secret, id))}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${ONE_YEAR_S}${secure ? '; Secure' : ''}`;
  const prev = ctx.res.getHeader('set-cookie');
  ctx.res.setHeader('set-cookie', [...(Array.isArray(prev) ? prev : prev ? [String(prev)] : []), cookie]);
  return id;
}
