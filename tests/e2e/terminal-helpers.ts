// Shared by the terminal tests: a protocol-speaking WebSocket client and image choice.
import { execFileSync } from 'node:child_process';
import WebSocket from 'ws';
import { ACK_EVERY, decodeServerFrame, encodeAck, encodeAuth, encodeInput, type StatusMessage } from '../../protocol/terminal.ts';

/** A container image with bash for throw-away terminal targets: the project's host image when built. */
export function pickShellImage(): string {
  for (const img of ['dnl/host:latest', 'dnl-tt/bash:latest']) {
    try { execFileSync('docker', ['image', 'inspect', img], { stdio: 'ignore' }); return img; } catch { /* next */ }
  }
  throw new Error('No image with bash: build dnl/host (npm run images) first.');
}

export interface OpenOptions { cols?: number; rows?: number; terminal?: number; session?: string; seen?: number; autoAck?: boolean; headers?: Record<string, string> }

export class TerminalTestClient {
  readonly statuses: StatusMessage[] = [];
  ready: Extract<StatusMessage, { state: 'ready' }> | undefined;
  private chunks: Buffer[] = [];
  received = 0;
  private acked = 0;
  autoAck = true;
  private waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.binaryType = 'nodebuffer';
    ws.on('message', (raw: Buffer) => {
      const f = decodeServerFrame(new Uint8Array(raw));
      if (f.type === 'output') {
        this.chunks.push(Buffer.from(f.data));
        this.received += f.data.length;
        if (this.autoAck && this.received - this.acked >= ACK_EVERY) { ws.send(encodeAck(this.received - this.acked)); this.acked = this.received; }
      } else if (f.type === 'status') {
        this.statuses.push(f.status);
        if (f.status.state === 'ready') this.ready = f.status;
      }
      for (const w of this.waiters) w();
    });
    ws.on('close', () => { for (const w of this.waiters) w(); });
  }

  static async open(url: string, token: string, o: OpenOptions = {}): Promise<TerminalTestClient> {
    const ws = new WebSocket(url, { headers: o.headers });
    const c = new TerminalTestClient(ws);
    c.autoAck = o.autoAck ?? true;
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    ws.send(encodeAuth({ token, cols: o.cols ?? 80, rows: o.rows ?? 24, terminal: o.terminal ?? 0, session: o.session, seen: o.seen }));
    await c.waitUntil(() => c.ready !== undefined, 10_000, 'ready status');
    // The replay (if any) arrives right after READY, in the same tick on the server.
    await c.waitUntil(() => c.received >= c.ready!.replay, 10_000, 'replay');
    return c;
  }

  get text(): string { return Buffer.concat(this.chunks).toString('utf8'); }
  tail(n: number): string {
    const t = this.text;
    return t.slice(Math.max(0, t.length - n));
  }

  waitUntil(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (cond()) { clearTimeout(timer); this.waiters.delete(check); resolve(); }
        else if (this.ws.readyState === WebSocket.CLOSED) { clearTimeout(timer); this.waiters.delete(check); reject(new Error(`socket closed while waiting for ${what}; tail: ${JSON.stringify(this.tail(300))}`)); }
      };
      const timer = setTimeout(() => { this.waiters.delete(check); reject(new Error(`timed out waiting for ${what}; tail: ${JSON.stringify(this.tail(300))}`)); }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Waits for a pattern in output that arrives from now on (or, when `fromStart`, anywhere). */
  async waitFor(re: RegExp, timeoutMs = 10_000, fromStart = false): Promise<RegExpMatchArray> {
    const start = fromStart ? 0 : this.text.length;
    let m: RegExpMatchArray | null = null;
    await this.waitUntil(() => (m = this.text.slice(start).match(re)) !== null, timeoutMs, String(re));
    return m!;
  }

  /** Types a command (once a prompt shows) and returns the first capture group (or the whole match) of `re` in its output. */
  async run(cmd: string, re: RegExp, timeoutMs = 10_000): Promise<string> {
    // Typing ahead of the prompt makes the tty echo the line and readline redraw it: wait.
    await this.waitPrompt(timeoutMs);
    const start = this.text.length;
    this.ws.send(encodeInput(cmd + '\r'));
    // Skip the echoed command line itself: look after the first newline.
    let m: RegExpMatchArray | null = null;
    await this.waitUntil(() => {
      const out = this.text.slice(start);
      const nl = out.indexOf('\n');
      return nl >= 0 && (m = out.slice(nl + 1).match(re)) !== null;
    }, timeoutMs, `${cmd} → ${re}`);
    return m![1] ?? m![0];
  }

  /** Acks everything received so far (what xterm does once it has processed it). */
  ackAll(): void {
    if (this.received > this.acked) { this.ws.send(encodeAck(this.received - this.acked)); this.acked = this.received; }
  }

  /** Waits until the screen ends with a shell prompt. */
  waitPrompt(timeoutMs = 10_000): Promise<void> {
    return this.waitUntil(() => /[#$] $/.test(this.tail(80)), timeoutMs, 'a prompt');
  }

  close(): void { this.ws.close(); }
}
