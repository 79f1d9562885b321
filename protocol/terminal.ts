// Wire protocol of the browser terminal, shared by the browser (app/components/terminal) and the
// lab runner (lab-runner/terminal). Binary WebSocket frames whose first byte is an opcode, as in
// ttyd's protocol.c; only the auth frame and STATUS carry JSON (validated with zod on both ends).
// Browser-safe: no Buffer, no node imports.
//
//   client → server                         server → client
//   '{' AUTH   JSON AuthMessage (1st frame)  '0' OUTPUT  raw pty bytes
//   '0' INPUT  raw bytes for the pty         '1' STATUS  JSON StatusMessage
//   '1' RESIZE u16 cols, u16 rows (BE)       '3' PONG    echo of the PING payload
//   '2' ACK    u32 bytes consumed (BE)
//   '3' PING   ≤ 64 bytes, echoed as PONG
//
// Flow control: the client counts OUTPUT payload bytes that xterm has *processed* (term.write
// callback) and sends ACK every ACK_EVERY bytes. The server pauses the pty while any read-write
// client has more than HIGH_WATER unacked bytes and resumes below LOW_WATER.
//
// Replay: every session has a ring buffer of recent output addressed by a monotonic byte offset.
// AUTH may carry {session, seen}: the client already holds output up to offset `seen` of that
// session. READY says from which offset OUTPUT follows (`from`); when `from` differs from what
// the client holds, the client resets its screen first — so nothing is ever shown twice.
//
// Click-to-run (for the lesson page's runnable code fences): dispatch on window
//   window.dispatchEvent(new CustomEvent(RUN_EVENT, { detail: { host: 'node1', command: 'docker network ls', interrupt: true } }))
// or call runInTerminal() from app/components/terminal/run.ts. The focused (or first) read-write
// terminal of that host sends Ctrl-C first when `interrupt`, types the command and Enter, and
// scrolls into view. Detail is validated with RunDetailSchema.
import { z } from 'zod';

export const TERMINAL_WS_PATH = '/runner/ws/terminal';
export const TERMINAL_TOKEN_PATH = '/runner/api/terminal-token';
export const RUN_EVENT = 'dnl:run';

/** Largest frame either side accepts (a pasted file bigger than this is refused, not truncated). */
export const MAX_FRAME = 64 * 1024;
/** Largest OUTPUT payload the server puts in one frame. */
export const MAX_OUTPUT_CHUNK = 32 * 1024;
// Invariant: LOW_WATER ≥ ACK_EVERY. A client acks in ACK_EVERY steps, so up to ACK_EVERY bytes
// may stay unacked; were LOW below that, a paused shell could wait forever for an ack that never
// comes (clients also ack a residue once output goes quiet, see connection.ts).
export const ACK_EVERY = 100_000;
export const HIGH_WATER = 256 * 1024;
export const LOW_WATER = 128 * 1024;
export const MAX_TERMINALS_PER_HOST = 8;
export const MAX_COLS = 1000;
export const MAX_ROWS = 500;

export const Op = {
  AUTH: 0x7b, // '{'
  INPUT: 0x30, // '0'
  RESIZE: 0x31, // '1'
  ACK: 0x32, // '2'
  PING: 0x33, // '3'
  OUTPUT: 0x30, // '0' (server → client)
  STATUS: 0x31, // '1'
  PONG: 0x33, // '3'
} as const;

/** WebSocket close codes (4000–4999 are the application's own). */
export const Close = {
  NORMAL: 1000,
  /** Malformed frame, unknown opcode, bad JSON, wrong first frame. */
  BAD_FRAME: 4400,
  /** Missing, malformed or expired token. */
  UNAUTHORIZED: 4401,
  /** Valid token but not for this learner/sandbox, or Origin mismatch. */
  FORBIDDEN: 4403,
  /** The sandbox or host does not exist (any more). */
  NOT_FOUND: 4404,
  /** Auth frame did not arrive in time. */
  TIMEOUT: 4408,
  /** Frame larger than MAX_FRAME. */
  TOO_BIG: 4413,
  /** A read-only viewer fell too far behind; reconnecting gives a fresh replay. */
  TOO_SLOW: 4429,
  /** The shell could not be started. */
  SPAWN_FAILED: 4500,
  /** The runner is shutting down. */
  SHUTDOWN: 4503,
} as const;

/** Close codes after which reconnecting cannot help (the client stops and says why). */
export const FATAL_CLOSE_CODES: readonly number[] = [Close.BAD_FRAME, Close.FORBIDDEN, Close.NOT_FOUND, Close.TOO_BIG];

const cols = z.number().int().min(2).max(MAX_COLS);
const rows = z.number().int().min(1).max(MAX_ROWS);

export const AuthMessageSchema = z.object({
  token: z.string().min(10).max(1024).describe('from POST /runner/api/terminal-token'),
  cols: cols.describe('terminal width in cells'),
  rows: rows.describe('terminal height in cells'),
  terminal: z.number().int().min(0).max(MAX_TERMINALS_PER_HOST - 1).default(0).describe('which terminal of this host'),
  session: z.string().max(64).optional().describe('session id from a previous READY, to resume without duplication'),
  seen: z.number().int().min(0).optional().describe('output offset already shown for that session'),
}).strict();
export type AuthMessage = z.input<typeof AuthMessageSchema>;

export const StatusMessageSchema = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('ready'),
    mode: z.enum(['rw', 'ro']),
    session: z.string(),
    /** OUTPUT that follows starts at this session offset (replay first, then live). */
    from: z.number().int().min(0),
    /** Bytes of replayed scrollback that follow before live output. */
    replay: z.number().int().min(0),
    host: z.string(),
    terminal: z.number().int(),
  }),
  z.object({ state: z.literal('exited'), code: z.number().int().nullable(), message: z.string() }),
  z.object({ state: z.literal('error'), message: z.string() }),
  z.object({ state: z.literal('info'), message: z.string() }),
]);
export type StatusMessage = z.infer<typeof StatusMessageSchema>;

export const RunDetailSchema = z.object({
  host: z.string().min(1).max(64),
  command: z.string().min(1).max(8192),
  interrupt: z.boolean().optional(),
});
export type RunDetail = z.infer<typeof RunDetailSchema>;

export const TokenRequestSchema = z.object({
  sandboxId: z.string().min(1).max(128),
  host: z.string().regex(/^[a-z0-9-]{1,32}$/, 'must be a host name such as node1'),
  terminal: z.number().int().min(0).max(MAX_TERMINALS_PER_HOST - 1).optional(),
  mode: z.enum(['rw', 'ro']).optional(),
}).strict();
export type TokenRequest = z.infer<typeof TokenRequestSchema>;
export interface TokenResponse { token: string; url: string; mode: 'rw' | 'ro'; expiresAt: number }

// ---------------------------------------------------------------- encoding

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: false });

function frame(op: number, payload: Uint8Array | number = 0): Uint8Array {
  const body = typeof payload === 'number' ? new Uint8Array(payload) : payload;
  const out = new Uint8Array(1 + body.length);
  out[0] = op;
  out.set(body, 1);
  return out;
}

export function encodeAuth(msg: AuthMessage): Uint8Array { return enc.encode(JSON.stringify(msg)); }
export function encodeInput(data: string | Uint8Array): Uint8Array {
  return frame(Op.INPUT, typeof data === 'string' ? enc.encode(data) : data);
}
export function encodeResize(c: number, r: number): Uint8Array {
  const f = frame(Op.RESIZE, 4);
  const v = new DataView(f.buffer);
  v.setUint16(1, c);
  v.setUint16(3, r);
  return f;
}
export function encodeAck(bytes: number): Uint8Array {
  const f = frame(Op.ACK, 4);
  new DataView(f.buffer).setUint32(1, bytes);
  return f;
}
export function encodePing(payload: Uint8Array = new Uint8Array(0)): Uint8Array { return frame(Op.PING, payload); }
export function encodeOutput(data: Uint8Array): Uint8Array { return frame(Op.OUTPUT, data); }
export function encodeStatus(msg: StatusMessage): Uint8Array { return frame(Op.STATUS, enc.encode(JSON.stringify(msg))); }
export function encodePong(payload: Uint8Array): Uint8Array { return frame(Op.PONG, payload); }

// ---------------------------------------------------------------- decoding

export class FrameError extends Error {}

export type ClientFrame =
  | { type: 'auth'; auth: z.infer<typeof AuthMessageSchema> }
  | { type: 'input'; data: Uint8Array }
  | { type: 'resize'; cols: number; rows: number }
  | { type: 'ack'; bytes: number }
  | { type: 'ping'; payload: Uint8Array };

export type ServerFrame =
  | { type: 'output'; data: Uint8Array }
  | { type: 'status'; status: StatusMessage }
  | { type: 'pong'; payload: Uint8Array };

function issues(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ');
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try { return JSON.parse(dec.decode(bytes)); } catch { throw new FrameError(`${what} is not valid JSON`); }
}

/**
 * Decodes one client frame; throws FrameError with words for the close reason.
 * `expectAuth`: the connection has not authenticated yet, so only AUTH is allowed.
 */
export function decodeClientFrame(data: Uint8Array, expectAuth: boolean): ClientFrame {
  if (data.length === 0) throw new FrameError('empty frame');
  if (data.length > MAX_FRAME) throw new FrameError(`frame of ${data.length} bytes exceeds ${MAX_FRAME}`);
  const op = data[0];
  if (expectAuth) {
    if (op !== Op.AUTH) throw new FrameError('first frame must be the auth JSON {token, cols, rows}');
    const parsed = AuthMessageSchema.safeParse(parseJson(data, 'auth frame'));
    if (!parsed.success) throw new FrameError(`auth frame: ${issues(parsed.error)}`);
    return { type: 'auth', auth: parsed.data };
  }
  const body = data.subarray(1);
  switch (op) {
    case Op.INPUT:
      return { type: 'input', data: body };
    case Op.RESIZE: {
      if (body.length !== 4) throw new FrameError('resize frame must carry 4 bytes (cols, rows)');
      const v = new DataView(body.buffer, body.byteOffset, 4);
      const c = v.getUint16(0), r = v.getUint16(2);
      if (!cols.safeParse(c).success || !rows.safeParse(r).success) throw new FrameError(`resize to ${c}x${r} is out of range`);
      return { type: 'resize', cols: c, rows: r };
    }
    case Op.ACK: {
      if (body.length !== 4) throw new FrameError('ack frame must carry 4 bytes');
      return { type: 'ack', bytes: new DataView(body.buffer, body.byteOffset, 4).getUint32(0) };
    }
    case Op.PING:
      if (body.length > 64) throw new FrameError('ping payload is larger than 64 bytes');
      return { type: 'ping', payload: body };
    case Op.AUTH:
      throw new FrameError('already authenticated');
    default:
      throw new FrameError(`unknown opcode 0x${(op ?? 0).toString(16).padStart(2, '0')}`);
  }
}

export function decodeServerFrame(data: Uint8Array): ServerFrame {
  if (data.length === 0) throw new FrameError('empty frame');
  const body = data.subarray(1);
  switch (data[0]) {
    case Op.OUTPUT: return { type: 'output', data: body };
    case Op.STATUS: {
      const parsed = StatusMessageSchema.safeParse(parseJson(body, 'status frame'));
      if (!parsed.success) throw new FrameError(`status frame: ${issues(parsed.error)}`);
      return { type: 'status', status: parsed.data };
    }
    case Op.PONG: return { type: 'pong', payload: body };
    default: throw new FrameError(`unknown server opcode 0x${(data[0] ?? 0).toString(16)}`);
  }
}

/** A WebSocket close reason must fit in 123 bytes of UTF-8. */
export function closeReason(text: string): string {
  const b = enc.encode(text);
  if (b.length <= 123) return text;
  let s = text.slice(0, 120);
  while (enc.encode(s + '…').length > 123) s = s.slice(0, -1);
  return s + '…';
}
