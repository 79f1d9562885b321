// The browser end of one terminal: token → WebSocket → protocol frames ↔ an xterm Terminal.
// No React here (the component owns the lifecycle). Reconnects with backoff and resumes the
// same shell without showing anything twice (see "Replay" in protocol/terminal.ts).
import type { Terminal } from '@xterm/xterm';
import {
  ACK_EVERY, FATAL_CLOSE_CODES, TERMINAL_TOKEN_PATH, decodeServerFrame, encodeAck, encodeAuth, encodeInput, encodeResize,
  type StatusMessage, type TokenRequest, type TokenResponse,
} from '../../../protocol/terminal.ts';

export type ConnState =
  | { state: 'connecting' }
  | { state: 'ready'; mode: 'rw' | 'ro' }
  | { state: 'reconnecting'; inMs: number; why: string }
  | { state: 'exited'; message: string }
  | { state: 'error'; message: string };

export interface ConnectionOptions {
  sandboxId: string;
  host: string;
  terminal: number;
  readOnly: boolean;
  onState(s: ConnState): void;
}

class TokenError extends Error { constructor(message: string, readonly retry: boolean) { super(message); } }

/** A terminal's token; `sent` is the same request already on its way (e.g. from a page's inline script). */
export async function fetchToken(req: TokenRequest, signal: AbortSignal, sent?: Promise<Response>): Promise<TokenResponse> {
  let res: Response;
  try {
    res = await (sent ?? fetch(TERMINAL_TOKEN_PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req), signal }));
  } catch (err) {
    if (signal.aborted) throw err;
    throw new TokenError('the lab runner cannot be reached', true);
  }
  const body = (await res.json().catch(() => ({}))) as Partial<TokenResponse> & { error?: string };
  if (!res.ok) {
    // 404 while a lab is starting or resetting is worth retrying; 401/403 are not.
    throw new TokenError(body.error ?? `HTTP ${res.status}`, res.status === 404 || res.status >= 500);
  }
  if (typeof body.token !== 'string' || typeof body.url !== 'string') throw new TokenError('the runner sent an unreadable token', true);
  return body as TokenResponse;
}

/** Tokens asked for before the terminal mounted (see prefetchToken), by request. */
const early = new Map<string, { at: number; token: Promise<TokenResponse> }>();
const keyOf = (r: TokenRequest) => `${r.sandboxId} ${r.host} ${r.terminal ?? 0} ${r.mode ?? 'rw'}`;

/**
 * Asks for a terminal's token now, before its component exists: a page calls this the moment
 * it learns the lab is ready, so the round trip overlaps rendering. The terminal takes it (once)
 * if it is still fresh; otherwise it asks again.
 */
export function prefetchToken(req: TokenRequest, sent?: Promise<Response>): void {
  const key = keyOf(req);
  if (early.has(key)) return;
  const token = fetchToken(req, new AbortController().signal, sent);
  token.catch(() => early.delete(key));
  early.set(key, { at: Date.now(), token });
}

function takePrefetched(req: TokenRequest): Promise<TokenResponse> | undefined {
  const key = keyOf(req);
  const e = early.get(key);
  early.delete(key);
  return e && Date.now() - e.at < 20_000 ? e.token : undefined;
}

export class TerminalConnection {
  private ws: WebSocket | undefined;
  private session: string | undefined;
  /** Session offset just past the last output written to the terminal. */
  private offset = 0;
  private mode: 'rw' | 'ro' = 'ro';
  private ready = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly abort = new AbortController();
  private exited = false;
  private disposed = false;

  private term!: Terminal;
  constructor(private readonly opts: ConnectionOptions) {}

  /** The xterm this connection writes to (attached once it has loaded). */
  attach(term: Terminal): void { this.term = term; }

  get isReady(): boolean { return this.ready; }
  get canType(): boolean { return this.ready && this.mode === 'rw'; }

  /** The token request goes out at once (in parallel with loading xterm); the socket opens on start(). */
  private early: Promise<TokenResponse> | undefined;
  prefetch(): void {
    this.early = takePrefetched(this.tokenRequest()) ?? fetchToken(this.tokenRequest(), this.abort.signal);
    this.early.catch(() => { /* connect() handles it */ });
  }

  start(): void { void this.connect(); }

  private tokenRequest(): TokenRequest {
    return { sandboxId: this.opts.sandboxId, host: this.opts.host, terminal: this.opts.terminal, ...(this.opts.readOnly ? { mode: 'ro' as const } : {}) };
  }

  /** Keystrokes and pastes from xterm. After an exit, any key starts a new shell. */
  input(data: string | Uint8Array): void {
    if (this.exited) {
      if (data === '\r' || (typeof data !== 'string' && data.length === 1 && data[0] === 13)) { this.exited = false; this.attempt = 0; this.session = undefined; this.term.reset(); void this.connect(); }
      return;
    }
    if (this.canType && this.ws?.readyState === WebSocket.OPEN) this.ws.send(encodeInput(data));
  }

  resize(cols: number, rows: number): void {
    if (this.ready && this.mode === 'rw' && this.ws?.readyState === WebSocket.OPEN) this.ws.send(encodeResize(cols, rows));
  }

  /** Reconnect now (after a network change, or the user asked). */
  reconnectNow(): void {
    if (this.disposed) return;
    clearTimeout(this.retryTimer);
    this.ws?.close();
    this.attempt = 0;
    void this.connect();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    this.abort.abort();
    this.ws?.close(1000, 'page closed');
  }

  private async connect(): Promise<void> {
    if (this.disposed) return;
    this.ready = false;
    this.opts.onState(this.attempt === 0 ? { state: 'connecting' } : { state: 'reconnecting', inMs: 0, why: 'connecting again' });
    let tok: TokenResponse;
    try {
      const early = this.early;
      this.early = undefined;
      tok = await (early ?? fetchToken(this.tokenRequest(), this.abort.signal));
      // A prefetched token may have waited a while; fetch a fresh one if it is about to expire.
      if (early && tok.expiresAt - Date.now() < 10_000) tok = await fetchToken(this.tokenRequest(), this.abort.signal);
    } catch (err) {
      if (this.disposed) return;
      if (err instanceof TokenError && !err.retry) { this.opts.onState({ state: 'error', message: err.message }); return; }
      this.retry(err instanceof Error ? err.message : 'token request failed');
      return;
    }
    if (this.disposed) return;
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}${tok.url}`);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    // Bytes xterm has processed but not yet acked on THIS socket (a new socket starts fresh).
    let unacked = 0;
    let residueTimer: ReturnType<typeof setTimeout> | undefined;
    const sendAck = () => {
      if (unacked > 0 && ws.readyState === WebSocket.OPEN) { ws.send(encodeAck(unacked)); unacked = 0; }
    };
    ws.onopen = () => {
      ws.send(encodeAuth({ token: tok.token, cols: this.term.cols, rows: this.term.rows, terminal: this.opts.terminal, session: this.session, seen: this.session ? this.offset : undefined }));
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (!(ev.data instanceof ArrayBuffer)) return;
      let frame;
      try { frame = decodeServerFrame(new Uint8Array(ev.data)); } catch { return; }
      if (frame.type === 'output') {
        const n = frame.data.length;
        this.offset += n;
        this.term.write(frame.data, () => {
          unacked += n;
          clearTimeout(residueTimer);
          if (unacked >= ACK_EVERY) sendAck();
          // Output went quiet with a residue unacked: ack it too, so a paused shell never waits on us.
          else residueTimer = setTimeout(sendAck, 200);
        });
      } else if (frame.type === 'status') {
        this.onStatus(frame.status);
      }
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ready = false;
      if (this.disposed || this.exited) return;
      if (FATAL_CLOSE_CODES.includes(ev.code)) {
        this.opts.onState({ state: 'error', message: ev.reason || `connection refused (${ev.code})` });
        return;
      }
      this.retry(ev.reason || 'connection lost');
    };
  }

  private onStatus(s: StatusMessage): void {
    switch (s.state) {
      case 'ready':
        // A different shell, or output we cannot continue seamlessly: start from a clean screen.
        if (s.session !== this.session || s.from !== this.offset) this.term.reset();
        this.session = s.session;
        this.offset = s.from;
        this.mode = s.mode;
        this.ready = true;
        this.attempt = 0;
        this.opts.onState({ state: 'ready', mode: s.mode });
        // The server sized the pty from the auth frame; keep it in step if the box changed meanwhile.
        break;
      case 'exited':
        this.exited = true;
        this.ready = false;
        this.session = undefined;
        this.term.write(`\r\n\x1b[2m[${s.message} Press Enter for a new shell.]\x1b[0m\r\n`);
        this.opts.onState({ state: 'exited', message: s.message });
        break;
      case 'error':
        this.opts.onState({ state: 'error', message: s.message });
        break;
      case 'info':
        this.term.write(`\r\n\x1b[2m[${s.message}]\x1b[0m\r\n`);
        break;
    }
  }

  private retry(why: string): void {
    if (this.disposed) return;
    const inMs = Math.min(10_000, 250 * 2 ** this.attempt) * (0.8 + Math.random() * 0.4);
    this.attempt++;
    this.opts.onState({ state: 'reconnecting', inMs, why });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), inMs);
  }
}
