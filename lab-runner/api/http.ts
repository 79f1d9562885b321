// A deliberately small router: the runner's API is a handful of JSON routes.
// Every handler gets a parsed, validated body; every failure becomes a JSON error with words a
// person can act on. Nothing a client sends can crash the process.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { z } from 'zod';

export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly code = 'error') { super(message); }
}

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
}

type Handler = (ctx: Ctx) => Promise<unknown> | unknown;
interface Route { method: string; path: string; pattern: RegExp; keys: string[]; handler: Handler }

const MAX_BODY = 64 * 1024;

export async function readJson<T extends z.ZodType>(req: IncomingMessage, schema: T): Promise<z.infer<T>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, `Request body is larger than ${MAX_BODY} bytes.`, 'too_large');
    chunks.push(chunk as Buffer);
  }
  let data: unknown = {};
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() !== '') {
    try { data = JSON.parse(text); } catch { throw new HttpError(400, 'Request body is not valid JSON.', 'bad_json'); }
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw new HttpError(400, `Invalid request: ${why}`, 'invalid');
  }
  return parsed.data;
}

/** SQLite (or the file system under it) refused a write: full disk, I/O error, read-only. */
export function isStorageFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(SQLITE_(FULL|IOERR|READONLY|CANTOPEN)|ENOSPC|EROFS|EIO)/.test(code);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

/**
 * Requests Node's HTTP parser refuses before any handler runs (headers or address over 16 KB,
 * malformed request lines) still get a JSON sentence, like every other error of the API,
 * instead of Node's bare status line. Installed on each server that serves the runner.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || (err.code === 'ECONNRESET')) { socket.destroy(); return; }
    const big = err.code === 'HPE_HEADER_OVERFLOW';
    const [status, text] = big ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
    const body = JSON.stringify(big
      ? { error: 'The request address or headers are too large (more than 16 KB).', code: 'too_large' }
      : { error: 'The request could not be read as HTTP.', code: 'bad_request' });
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
}

export class Router {
  private routes: Route[] = [];

  on(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const pattern = new RegExp('^' + path.replace(/:(\w+)/g, (_, k: string) => { keys.push(k); return '([^/]+)'; }) + '/?$');
    this.routes.push({ method, path, pattern, keys, handler });
    return this;
  }

  /** Every registered route (method and path pattern): the fuzz and authorization tests walk it. */
  list(): Array<{ method: string; path: string }> {
    return this.routes.map(({ method, path }) => ({ method, path }));
  }

  /** Returns false when no route matches the path (so the caller may pass it on). */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.pattern.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== req.method) continue;
      const params: Record<string, string> = {};
      try {
        r.keys.forEach((k, i) => {
          try { params[k] = decodeURIComponent(m[i + 1]!); } catch { throw new HttpError(400, `The ${k} in the path is not valid URL encoding.`, 'bad_path'); }
        });
        const out = await r.handler({ req, res, url, params });
        if (!res.writableEnded && !res.headersSent) sendJson(res, 200, out ?? { ok: true });
      } catch (err) {
        if (err instanceof HttpError) sendJson(res, err.status, { error: err.message, code: err.code });
        else if (isStorageFailure(err)) {
          console.error(`[api] ${req.method} ${url.pathname}: the store could not write: ${String(err)}`);
          sendJson(res, 503, { error: 'The server could not save this change (its disk is full or failing). Everything saved before is safe; try again in a minute, or tell the operator.', code: 'storage' });
        } else {
          console.error(`[api] ${req.method} ${url.pathname} failed:`, err);
          sendJson(res, 500, { error: 'The lab runner hit an unexpected error; it has been logged.', code: 'internal' });
        }
      }
      return true;
    }
    if (pathMatched) { sendJson(res, 405, { error: `Method ${req.method} is not allowed here.`, code: 'method' }); return true; }
    return false;
  }
}
