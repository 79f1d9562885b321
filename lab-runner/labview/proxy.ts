// The reverse proxy behind /lab/<sandbox>/<host>/<port>/…: a learner opens a web service they
// published in their lab (`docker run -p 8080:80 nginx`) in a browser tab.
//
// SECURITY — this must never become an open proxy. The URL only NAMES things; the address is
// never taken from the request: the host is looked up among the sandbox's own hosts (its IP on
// the internal lab network comes from the provider), and the port must be one that the host's
// inner engine reports as published right now (or a host-network listener). Anything else is
// refused before a socket is opened. Only the sandbox's owner (or, through canView, e.g. the
// workshop's instructor) gets through; someone else's sandbox answers exactly like a missing one.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { LAB_PROXY_PREFIX } from '../../protocol/labview.ts';
import { LEARNER_COOKIE } from '../auth.ts';
import { readLearner } from '../api/learner.ts';
import { originAllowed } from '../terminal/ws.ts';
import type { LabDirectory, LabStates } from './state.ts';

const PATH = /^\/lab\/([a-z0-9]{1,16})\/(node[1-8])\/([1-9][0-9]{0,4})(\/.*)?$/;
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export interface ProxyAccess {
  /**
   * Hook for other viewers than the owner (the workshop's instructor): return true to let this
   * learner open the sandbox's published ports. Default: nobody but the owner.
   */
  canView?(learnerId: string, sandboxId: string): boolean | Promise<boolean>;
}

export interface LabProxyDeps extends ProxyAccess {
  secret: string;
  sandboxes: LabDirectory & { touch?(id: string): unknown };
  states: Pick<LabStates, 'ports'>;
  connectTimeoutMs?: number;
  log?: (m: string) => void;
}

interface Target { sandbox: string; host: string; port: number; ip: string; rest: string; prefix: string }

class Refusal extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

function page(status: number, title: string, text: string): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  return `<!doctype html><meta charset="utf-8"><title>${esc(title)}</title><body style="font:16px system-ui;margin:3rem;max-width:40rem"><h1 style="font-size:1.3rem">${esc(title)}</h1><p>${esc(text)}</p><p style="color:#666">HTTP ${status} · Docker Network Labs</p></body>`;
}

/** The Cookie header without the platform's own cookies (the learner's service never sees them). */
export function stripPlatformCookies(cookie: string | undefined): string | undefined {
  if (!cookie) return undefined;
  const kept = cookie.split(';').map((c) => c.trim()).filter((c) => c && !c.startsWith(`${LEARNER_COOKIE}=`) && !c.startsWith('dnl_'));
  return kept.length ? kept.join('; ') : undefined;
}

/**
 * A redirect from the service, rewritten so the browser stays under the prefix: "/x" and
 * absolute URLs that point at the service itself (its lab address, its host name, localhost or
 * the address the browser used) become "<prefix>x"; anything else is left alone.
 */
export function rewriteLocation(location: string, t: Pick<Target, 'prefix' | 'host' | 'ip' | 'port'>, browserHost: string | undefined): string {
  if (location.startsWith('//')) return location;
  if (location.startsWith('/')) return location.startsWith(t.prefix) ? location : t.prefix + location.slice(1);
  let u: URL;
  try { u = new URL(location); } catch { return location; }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return location;
  const browserName = (browserHost ?? '').replace(/:\d+$/, '');
  const self = [t.ip, t.host, 'localhost', '127.0.0.1', browserName].includes(u.hostname);
  if (!self) return location;
  if (u.pathname.startsWith(t.prefix) && u.host === browserHost) return u.pathname + u.search + u.hash;
  return t.prefix + u.pathname.slice(1) + u.search + u.hash;
}

/** Cookies the service sets are scoped to its prefix (Path=/ would leak them to the platform's pages). */
export function rewriteSetCookie(v: string, prefix: string): string {
  const withoutDomain = v.replace(/;\s*domain=[^;]*/i, '');
  if (/;\s*path=/i.test(withoutDomain)) return withoutDomain.replace(/(;\s*path=)([^;]*)/i, (_m, a: string, p: string) => a + prefix + p.replace(/^\//, ''));
  return `${withoutDomain}; Path=${prefix}`;
}

function forwardHeaders(req: IncomingMessage, t: Target, keepUpgrade: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    if (!keepUpgrade && HOP.has(k)) continue;
    if (k === 'cookie' || k === 'host' || k.startsWith('x-forwarded-')) continue;
    out[k] = v;
  }
  const cookie = stripPlatformCookies(req.headers.cookie);
  if (cookie) out.cookie = cookie;
  // The Host the service sees is its own (as if the learner had curled it in the lab).
  out.host = `${t.host}:${t.port}`;
  out['x-forwarded-host'] = req.headers.host ?? '';
  out['x-forwarded-proto'] = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  out['x-forwarded-prefix'] = t.prefix.replace(/\/$/, '');
  out['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  return out;
}

export class LabProxy {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 8, timeout: 60_000 });
  private readonly log: (m: string) => void;

  constructor(private readonly deps: LabProxyDeps) {
    this.log = deps.log ?? ((m) => console.log(`[labview] ${m}`));
  }

  handles(url: URL): boolean { return url.pathname.startsWith(LAB_PROXY_PREFIX) || url.pathname === '/lab'; }

  /** Resolves and authorizes the target, or throws a Refusal. Never opens a socket. */
  async resolve(req: IncomingMessage): Promise<Target | { redirect: string }> {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const pathname = q >= 0 ? raw.slice(0, q) : raw;
    const search = q >= 0 ? raw.slice(q) : '';
    const m = PATH.exec(pathname);
    if (!m) throw new Refusal(404, 'A lab link looks like /lab/<sandbox>/<host>/<port>/ — it names a host of your lab (node1 …) and a port published on it, never an address.');
    const [, sandbox, host, portText, rest] = m as unknown as [string, string, string, string, string | undefined];
    const port = Number(portText);
    if (port > 65535) throw new Refusal(404, `${port} is not a port number.`);
    const learner = readLearner(this.deps.secret, req);
    const owner = this.deps.sandboxes.ownerOf(sandbox);
    let allowed = !!learner && !!owner && owner === learner;
    if (!allowed && learner && owner !== undefined && this.deps.canView) allowed = await this.deps.canView(learner, sandbox);
    // Someone else's sandbox answers exactly like a missing one.
    if (!allowed) throw new Refusal(404, 'This lab does not exist or is not yours. Open it from your own lesson page.');
    const info = this.deps.sandboxes.info(sandbox);
    const h = info?.hosts.find((x) => x.name === host);
    if (!h || this.deps.sandboxes.get(sandbox)?.status !== 'ready') throw new Refusal(404, `Your lab has no host ${host} right now (it may be starting, resetting or gone).`);
    const published = await this.deps.states.ports(sandbox);
    if (!published.some((p) => p.host === host && p.port === port)) {
      throw new Refusal(404, `Nothing is published on ${host}:${port} in your lab. Publish a port first, e.g. docker run -d -p ${port}:80 nginx, then reload.`);
    }
    const prefix = `${LAB_PROXY_PREFIX}${sandbox}/${host}/${port}/`;
    if (rest === undefined) return { redirect: prefix + search };
    this.deps.sandboxes.touch?.(sandbox);
    return { sandbox, host, port, ip: h.ip, rest: rest + search, prefix };
  }

  async http(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let t: Target;
    try {
      const r = await this.resolve(req);
      if ('redirect' in r) { res.writeHead(308, { location: r.redirect, 'cache-control': 'no-store' }); res.end(); return; }
      t = r;
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      res.writeHead(err.status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page(err.status, 'Lab link refused', err.message));
      return;
    }
    const upstream = http.request({
      host: t.ip, port: t.port, method: req.method, path: t.rest, agent: this.agent,
      headers: forwardHeaders(req, t, false),
    });
    const connectTimer = setTimeout(() => upstream.destroy(new Error('connect timeout')), this.deps.connectTimeoutMs ?? 8000);
    upstream.on('socket', (s) => {
      if (!s.connecting) clearTimeout(connectTimer);
      else s.once('connect', () => clearTimeout(connectTimer));
    });
    upstream.on('response', (up) => {
      clearTimeout(connectTimer);
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers)) {
        if (v === undefined || HOP.has(k)) continue;
        if (k === 'location') headers[k] = rewriteLocation(String(v), t, req.headers.host);
        else if (k === 'set-cookie') headers[k] = (v as string[]).map((c) => rewriteSetCookie(c, t.prefix));
        else headers[k] = v;
      }
      res.writeHead(up.statusCode ?? 502, up.statusMessage, headers);
      // Streamed both ways: a large download flows with back-pressure, never buffered here.
      up.pipe(res);
      up.on('error', () => res.destroy());
    });
    upstream.on('error', (err) => {
      clearTimeout(connectTimer);
      if (res.headersSent) { res.destroy(); return; }
      const why = (err as NodeJS.ErrnoException).code === 'ECONNREFUSED' ? 'nothing is listening there (is the container still starting?)' : err.message;
      res.writeHead(502, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page(502, `${t.host}:${t.port} did not answer`, `The port is published, but ${why}. Try again in a moment.`));
    });
    res.on('close', () => { if (!res.writableFinished) upstream.destroy(); });
    req.pipe(upstream);
  }

  /** WebSocket (or any Upgrade) through the same checks; bytes are spliced both ways. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Not Found'}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}`);
    };
    // Cookies are ambient: a page on another origin must not open the learner's lab.
    if (!originAllowed(req)) { refuse(403, 'Forbidden origin'); return; }
    this.resolve(req).then((r) => {
      if ('redirect' in r) { refuse(404, 'Use the URL with a trailing slash.'); return; }
      const up = net.connect({ host: r.ip, port: r.port });
      const timer = setTimeout(() => up.destroy(new Error('connect timeout')), this.deps.connectTimeoutMs ?? 8000);
      up.once('connect', () => {
        clearTimeout(timer);
        const lines = [`${req.method ?? 'GET'} ${r.rest} HTTP/1.1`];
        for (const [k, v] of Object.entries(forwardHeaders(req, r, true))) {
          for (const one of Array.isArray(v) ? v : [v]) if (!/[\r\n]/.test(one)) lines.push(`${k}: ${one}`);
        }
        up.write(lines.join('\r\n') + '\r\n\r\n');
        if (head.length) up.write(head);
        up.pipe(socket);
        socket.pipe(up);
      });
      up.on('error', () => { clearTimeout(timer); if (!socket.destroyed) refuse(404, 'The service did not answer.'); socket.destroy(); });
      socket.on('error', () => up.destroy());
      socket.on('close', () => up.destroy());
      up.on('close', () => socket.destroy());
    }, (err: unknown) => {
      if (err instanceof Refusal) refuse(err.status, err.message);
      else { this.log(`upgrade failed: ${String(err)}`); socket.destroy(); }
    });
  }

  close(): void { this.agent.destroy(); }
}
