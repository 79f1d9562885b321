// One terminal session: a pty running the provider's shell command for one (sandbox, host,
// terminal index), its recent output, and the clients attached to it (the owner, maybe in
// several tabs, and read-only viewers). The pty outlives its clients: a page reload re-attaches
// to the same shell; with nobody attached the session is killed after the idle timeout.
import { randomBytes } from 'node:crypto';
import type { PtyProcess } from './pty.ts';
import { RingBuffer } from './ring-buffer.ts';
import { FlowControl } from './flow-control.ts';
import { HIGH_WATER, LOW_WATER, MAX_OUTPUT_CHUNK, encodeOutput, encodeStatus, type StatusMessage } from '../../protocol/terminal.ts';

/** What a session needs from a connection (a WebSocket in production, a fake in tests). */
export interface ClientSink {
  send(frame: Uint8Array): void;
  close(code: number, reason: string): void;
}

export interface SessionOptions {
  ringBytes: number;
  /** Output is batched this long during floods; the first chunk after quiet or input goes at once. */
  batchMs: number;
  /** Kill the shell when nobody has been attached this long. */
  idleMs: number;
  high?: number;
  low?: number;
  /** A read-only viewer more than this many bytes behind is disconnected (it reconnects with a fresh replay). */
  viewerLagLimit?: number;
  onClosed(session: TerminalSession): void;
  log?(msg: string): void;
}

export class SessionClient {
  readonly flow: FlowControl;
  constructor(readonly sink: ClientSink, readonly mode: 'rw' | 'ro', high: number, low: number) {
    this.flow = new FlowControl(high, low);
  }
}

/** After input, output is flushed immediately for this long (keystroke echo must not wait for a batch). */
const INTERACTIVE_MS = 50;

export class TerminalSession {
  readonly id = randomBytes(9).toString('base64url');
  readonly ring: RingBuffer;
  private readonly clients = new Set<SessionClient>();
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private lastFlush = 0;
  private lastInput = 0;
  private paused = false;
  private exited = false;
  private readonly high: number;
  private readonly low: number;

  constructor(
    readonly key: string,
    readonly sandboxId: string,
    readonly host: string,
    readonly terminal: number,
    private readonly pty: PtyProcess,
    private readonly opts: SessionOptions,
  ) {
    this.ring = new RingBuffer(opts.ringBytes);
    this.high = opts.high ?? HIGH_WATER;
    this.low = opts.low ?? LOW_WATER;
    pty.onData((d) => this.onOutput(d));
    pty.onExit(({ exitCode, signal }) => this.onExit(exitCode, signal));
    this.updatePause(); // nobody attached yet: hold output until the first client
    this.armIdle();
  }

  private armIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.opts.log?.(`terminal ${this.key}: nobody attached for ${Math.round(this.opts.idleMs / 60000)} min, closing the shell`);
      this.kill();
    }, this.opts.idleMs);
    this.idleTimer.unref();
  }

  get pid(): number { return this.pty.pid; }
  get attached(): number { return this.clients.size; }
  get isPaused(): boolean { return this.paused; }
  get alive(): boolean { return !this.exited; }

  /**
   * Attaches a client: READY, then the scrollback it lacks, then live output — in one
   * synchronous step so that nothing is sent twice or lost in between.
   */
  attach(sink: ClientSink, mode: 'rw' | 'ro', resume?: { session?: string; seen?: number }, size?: { cols: number; rows: number }): SessionClient {
    this.flush(); // pending bytes are already in the ring: send them to current clients first
    const client = new SessionClient(sink, mode, this.high, this.low);
    const seen = resume?.session === this.id ? resume.seen : undefined;
    const replay = seen !== undefined && seen >= this.ring.start && seen <= this.ring.end ? this.ring.readFrom(seen) : this.ring.replay();
    const ready: StatusMessage = { state: 'ready', mode, session: this.id, from: replay.from, replay: replay.data.length, host: this.host, terminal: this.terminal };
    sink.send(encodeStatus(ready));
    for (let i = 0; i < replay.data.length; i += MAX_OUTPUT_CHUNK) {
      const chunk = replay.data.subarray(i, i + MAX_OUTPUT_CHUNK);
      sink.send(encodeOutput(chunk));
      client.flow.sent(chunk.length);
    }
    this.clients.add(client);
    if (this.idleTimer) { clearTimeout(this.idleTimer); this.idleTimer = undefined; }
    if (mode === 'rw' && size) this.resize(size.cols, size.rows);
    this.updatePause();
    return client;
  }

  detach(client: SessionClient): void {
    if (!this.clients.delete(client)) return;
    this.updatePause();
    if (this.clients.size === 0 && !this.exited) this.armIdle();
  }

  input(client: SessionClient, data: Uint8Array): boolean {
    if (client.mode !== 'rw' || this.exited) return false;
    this.lastInput = Date.now();
    this.pty.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    return true;
  }

  resize(cols: number, rows: number): void {
    if (this.exited) return;
    if (cols === this.pty.cols && rows === this.pty.rows) return;
    try { this.pty.resize(cols, rows); } catch { /* the pty is closing */ }
  }

  ack(client: SessionClient, bytes: number): void {
    if (client.flow.acked(bytes)) this.updatePause();
  }

  /** Ends the shell (sandbox gone, idle, runner shutdown); clients get the exit status. */
  kill(): void {
    if (this.exited) return;
    try { this.pty.kill('SIGHUP'); } catch { /* already gone */ }
    // docker exec normally exits on SIGHUP; make sure the session ends even if it does not.
    const t = setTimeout(() => { if (!this.exited) { try { this.pty.kill('SIGKILL'); } catch { /* gone */ } this.onExit(null, 9); } }, 3000);
    t.unref();
  }

  private onOutput(data: Buffer): void {
    this.ring.write(data);
    this.pending.push(data);
    this.pendingBytes += data.length;
    const now = Date.now();
    // At once: the echo of a keystroke (or anything right after input), a full frame, or the first
    // output after a quiet spell. Otherwise (a flood) wait for the batch timer.
    if (now - this.lastInput < INTERACTIVE_MS || this.pendingBytes >= MAX_OUTPUT_CHUNK || (!this.timer && now - this.lastFlush >= this.opts.batchMs)) {
      this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => { this.timer = undefined; this.flush(); }, this.opts.batchMs);
    }
  }

  private flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (this.pendingBytes === 0) return;
    const data = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.lastFlush = Date.now();
    let crossed = false;
    for (let i = 0; i < data.length; i += MAX_OUTPUT_CHUNK) {
      const chunk = data.subarray(i, i + MAX_OUTPUT_CHUNK);
      const frame = encodeOutput(chunk);
      for (const c of this.clients) {
        c.sink.send(frame);
        if (c.flow.sent(chunk.length) && c.mode === 'rw') crossed = true;
      }
    }
    const limit = this.opts.viewerLagLimit ?? 4 * this.high;
    for (const c of this.clients) {
      if (c.mode === 'ro' && c.flow.pending > limit) {
        this.clients.delete(c);
        c.sink.close(4429, 'viewer fell behind the live output; reconnecting replays it');
      }
    }
    if (crossed) this.updatePause();
  }

  /**
   * The pty is paused while any read-write client is over the high water mark, and while
   * nobody is attached at all (a `yes` left running in a closed tab must not burn the server's
   * CPU or scroll the ring around; it continues when someone re-attaches).
   */
  private updatePause(): void {
    if (this.exited) return;
    let rw = 0, over = false, anyone = this.clients.size > 0;
    for (const c of this.clients) {
      if (c.mode !== 'rw') continue;
      rw++;
      if (c.flow.overHigh) over = true;
    }
    // Resume needs everyone under LOW (hysteresis), pause needs someone over HIGH.
    let shouldPause: boolean;
    if (!anyone) shouldPause = true;
    else if (over) shouldPause = true;
    else if (this.paused) shouldPause = rw > 0 && [...this.clients].some((c) => c.mode === 'rw' && c.flow.pending >= this.low);
    else shouldPause = false;
    if (shouldPause === this.paused) return;
    this.paused = shouldPause;
    if (shouldPause) this.pty.pause(); else this.pty.resume();
  }

  private onExit(code: number | null, signal?: number): void {
    if (this.exited) return;
    this.flush();
    this.exited = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const message = signal ? `The shell was closed (signal ${signal}).` : `The shell exited with code ${code ?? '?'}.`;
    const status = encodeStatus({ state: 'exited', code, message });
    for (const c of this.clients) { c.sink.send(status); c.sink.close(1000, 'shell exited'); }
    this.clients.clear();
    this.opts.onClosed(this);
  }
}
