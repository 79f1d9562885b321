// The terminal WebSocket endpoint (/runner/ws/terminal). A connection proves itself with its
// first frame (a short-lived token from POST /runner/api/terminal-token plus the screen size),
// then exchanges one-byte-opcode frames with a TerminalSession. Every failure closes the socket
// with a code from protocol/terminal.ts and a reason a person can read; none crashes the server.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { verifyToken } from '../auth.ts';
import {
  Close, FrameError, MAX_FRAME, type ClientFrame, TERMINAL_WS_PATH, closeReason, decodeClientFrame, encodePong, encodeStatus,
} from '../../protocol/terminal.ts';
import { SpawnError, type TerminalHub } from './hub.ts';
import type { SessionClient, TerminalSession } from './session.ts';
import { TargetNotFound, type TerminalTargets } from './targets.ts';

export interface TerminalWsOptions {
  secret: string;
  hub: TerminalHub;
  targets: TerminalTargets;
  authTimeoutMs?: number;
  heartbeatMs?: number;
  log?(msg: string): void;
}

export interface TerminalWs {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean;
  close(): Promise<void>;
}

/** Same-origin check: browsers always send Origin on a WebSocket; it must name the Host we serve. */
export function originAllowed(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // not a browser (no ambient cookies to abuse); the token still decides
  try { return new URL(origin).host === req.headers.host; } catch { return false; }
}

function toBytes(data: RawData): Uint8Array {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return new Uint8Array(data);
}

export function createTerminalWs(opts: TerminalWsOptions): TerminalWs {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME, perMessageDeflate: false, clientTracking: true });
  const authTimeoutMs = opts.authTimeoutMs ?? 10_000;
  const alive = new WeakMap<WebSocket, boolean>();

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) { ws.terminate(); continue; }
      alive.set(ws, false);
      try { ws.ping(); } catch { /* closing */ }
    }
  }, opts.heartbeatMs ?? 30_000);
  heartbeat.unref();

  function connection(ws: WebSocket, req: IncomingMessage): void {
    // First of all: ws reports an oversized or malformed frame as 'error' ('close' follows);
    // a socket refused below may still receive one, and unheard it would end the server.
    ws.on('error', () => { /* 'close' follows (1009 for oversize frames) */ });
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    const bye = (code: number, reason: string): void => {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, closeReason(reason));
    };
    if (!originAllowed(req)) { bye(Close.FORBIDDEN, `origin ${String(req.headers.origin)} may not open terminals here`); return; }

    let session: TerminalSession | undefined;
    let client: SessionClient | undefined;
    let authing = false;
    const authTimer = setTimeout(() => bye(Close.TIMEOUT, 'no auth frame within ' + authTimeoutMs / 1000 + ' s'), authTimeoutMs);
    const sink = {
      send(frame: Uint8Array) { if (ws.readyState === ws.OPEN) ws.send(frame, { binary: true }); },
      close(code: number, reason: string) { bye(code, reason); },
    };

    ws.on('close', () => {
      clearTimeout(authTimer);
      if (session && client) session.detach(client);
    });

    // Frames that arrive while the token is checked and the shell starts wait here, in order.
    let queue: ClientFrame[] | undefined;

    ws.on('message', (raw) => {
      let frame: ClientFrame;
      try {
        frame = decodeClientFrame(toBytes(raw), !client && !authing);
      } catch (err) {
        return bye(Close.BAD_FRAME, `bad frame: ${err instanceof FrameError ? err.message : 'unreadable'}`);
      }
      if (authing) {
        queue ??= [];
        if (queue.length >= 256) return bye(Close.BAD_FRAME, 'bad frame: too many frames before the terminal was ready');
        queue.push(frame);
        return;
      }
      handle(frame);
    });

    function handle(frame: ClientFrame): void {
      if (frame.type === 'auth') {
        authing = true;
        void authenticate(frame.auth).catch((err: unknown) => {
          opts.log?.(`terminal auth failed: ${err instanceof Error ? err.message : String(err)}`);
          bye(Close.SPAWN_FAILED, 'the terminal could not be opened; try again');
        });
        return;
      }
      if (!session || !client) return;
      switch (frame.type) {
        case 'input':
          // Read-only viewers' keystrokes are dropped, not echoed: they watch, they do not type.
          if (session.input(client, frame.data)) opts.targets.touch?.(session.sandboxId);
          break;
        case 'resize':
          if (client.mode === 'rw') session.resize(frame.cols, frame.rows);
          break;
        case 'ack':
          session.ack(client, frame.bytes);
          break;
        case 'ping':
          sink.send(encodePong(frame.payload));
          break;
      }
    }

    async function authenticate(auth: { token: string; cols: number; rows: number; terminal: number; session?: string; seen?: number }): Promise<void> {
      clearTimeout(authTimer);
      const claims = verifyToken(opts.secret, auth.token);
      if (!claims) return bye(Close.UNAUTHORIZED, 'terminal token is invalid or expired; reload to get a new one');
      let allowed;
      try {
        allowed = await opts.targets.authorize(claims.sub, claims.sandbox, claims.host);
      } catch (err) {
        if (err instanceof TargetNotFound) return bye(Close.NOT_FOUND, err.message);
        throw err;
      }
      if (!allowed) return bye(Close.FORBIDDEN, 'this terminal belongs to another learner');
      const mode = claims.mode === 'rw' && allowed === 'rw' ? 'rw' : 'ro';
      if (ws.readyState !== ws.OPEN) return;
      let s: TerminalSession;
      try {
        s = await opts.hub.open(claims.sandbox, claims.host, auth.terminal, { cols: auth.cols, rows: auth.rows });
      } catch (err) {
        if (err instanceof SpawnError) {
          sink.send(encodeStatus({ state: 'error', message: err.message }));
          return bye(Close.SPAWN_FAILED, err.message);
        }
        throw err;
      }
      if (ws.readyState !== ws.OPEN) return;
      session = s;
      client = s.attach(sink, mode, { session: auth.session, seen: auth.seen }, { cols: auth.cols, rows: auth.rows });
      authing = false;
      opts.targets.touch?.(claims.sandbox);
      const queued = queue ?? [];
      queue = undefined;
      for (const f of queued) handle(f);
    }
  }

  wss.on('connection', connection);

  return {
    handleUpgrade(req, socket, head, url) {
      if (url.pathname !== TERMINAL_WS_PATH) return false;
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      return true;
    },
    async close() {
      clearInterval(heartbeat);
      for (const ws of wss.clients) ws.close(Close.SHUTDOWN, 'the lab runner is restarting; reconnecting');
      await opts.hub.close();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}
