// POST /runner/api/terminal-token {sandboxId, host, terminal?, mode?} → a short-lived token that
// opens one terminal WebSocket. Only the sandbox's owner (the learner in the signed cookie) gets
// a read-write token; a permitted viewer (instructor) gets read-only; anybody else gets 403.
// The token binds learner + sandbox + host, so a leaked one is useless elsewhere and soon expired.
import type { IncomingMessage } from 'node:http';
import { LEARNER_COOKIE, parseCookies, signToken, verifyValue } from '../auth.ts';
import { HttpError, readJson, type Router } from './http.ts';
import { TERMINAL_WS_PATH, TokenRequestSchema, type TokenResponse } from '../../protocol/terminal.ts';
import { TargetNotFound, type TerminalTargets } from '../terminal/targets.ts';

export const TOKEN_TTL_MS = 60_000;

export function learnerFromRequest(secret: string, req: IncomingMessage): string | undefined {
  return verifyValue(secret, parseCookies(req.headers.cookie)[LEARNER_COOKIE]);
}

export interface TerminalRouteDeps {
  secret: string;
  targets: TerminalTargets;
  ttlMs?: number;
  /** Start the shell now, while the browser opens its socket (saves a round trip of first-prompt time). */
  prewarm?(sandboxId: string, host: string, terminal: number): void;
}

export function registerTerminalRoutes(router: Router, deps: TerminalRouteDeps): void {
  router.on('POST', '/runner/api/terminal-token', async ({ req }): Promise<TokenResponse> => {
    const body = await readJson(req, TokenRequestSchema);
    const learner = learnerFromRequest(deps.secret, req);
    if (!learner) throw new HttpError(401, 'You have no learner session yet; reload the page to get one.', 'no_learner');
    let allowed;
    try {
      allowed = await deps.targets.authorize(learner, body.sandboxId, body.host);
    } catch (err) {
      if (err instanceof TargetNotFound) throw new HttpError(404, err.message, 'not_found');
      throw err;
    }
    // The same answer as for a sandbox that does not exist: a stranger learns nothing.
    if (!allowed) throw new HttpError(404, `There is no host ${body.host} in sandbox ${body.sandboxId} (it may have expired).`, 'not_found');
    const mode = body.mode === 'ro' || allowed === 'ro' ? 'ro' : 'rw';
    const expiresAt = Date.now() + (deps.ttlMs ?? TOKEN_TTL_MS);
    if (mode === 'rw') deps.prewarm?.(body.sandboxId, body.host, body.terminal ?? 0);
    const token = signToken(deps.secret, { sub: learner, sandbox: body.sandboxId, host: body.host, mode, exp: expiresAt });
    return { token, url: TERMINAL_WS_PATH, mode, expiresAt };
  });
}
