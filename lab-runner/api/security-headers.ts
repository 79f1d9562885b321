// Security headers on every response the server sends: the pages, the runner's API and the
// lab proxy. Set before routing, so a handler that forgets cannot leave a hole; a handler that
// needs something else sets its own value over them.
import type { ServerResponse } from 'node:http';

/** The web app: our own scripts (Next inlines its hydration data, hence 'unsafe-inline'), our own sockets. */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The runner's API answers data, never documents. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * A learner's own web service seen through /lab/…: it is the learner's code, served from our
 * origin, so it runs in a sandbox with an opaque origin. It cannot read the platform's cookies
 * or call the platform's API as whoever opens it (an instructor viewing a student's service).
 */
export const LAB_CSP = 'sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads';

export function setSecurityHeaders(res: ServerResponse, pathname: string): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
  if (pathname.startsWith('/lab/')) {
    res.setHeader('Content-Security-Policy', LAB_CSP);
    return;
  }
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Content-Security-Policy', pathname.startsWith('/runner/') ? API_CSP : PAGE_CSP);
}
