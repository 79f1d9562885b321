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
/** Ctrl-C during a flood: the backlog counts as drained after this long without output… */
const SKIP_QUIET_MS = 60;
/** …or after this long in any case; this much of its end is kept and shown. */
const SKIP_MAX_MS = 3000;
const SKIP_KEEP = 4096;

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
    // Ctrl-C in the middle of a flood: skip the output still queued on its way to us (see below).
    if (data.includes(0x03) && this.flooding()) this.startSkip();
    this.pty.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    return true;
  }

  // --- Ctrl-C during a flood ------------------------------------------------------------------
  // A tty discards its pending output when Ctrl-C raises SIGINT (unless NOFLSH). Between `yes`
  // and us, though, the engine's exec plumbing buffers about 1 MB that no tty can discard, and the
  // browser would have to paint all of it before the prompt. So when Ctrl-C arrives while output
  // is held back by flow control, read that backlog at full speed without forwarding it, keep its
  // last few KB (where the ^C and the new prompt are), and resume normally once it goes quiet.
  private skipping = false;
  private skipTail: Buffer[] = [];
  private skipTailBytes = 0;
  private skipped = 0;
  private skipQuiet: NodeJS.Timeout | undefined;
  private skipDeadline = 0;

  private flooding(): boolean {
    if (this.paused) return true;
    for (const c of this.clients) if (c.mode === 'rw' && c.flow.pending >= this.low) return true;
    return false;
  }

  private startSkip(): void {
    if (this.skipping) return;
    this.skipping = true;
    this.skipped = 0;
    this.skipTail = [];
    this.skipTailBytes = 0;
    this.skipDeadline = Date.now() + SKIP_MAX_MS;
    if (this.paused) { this.paused = false; this.pty.resume(); }
    this.armSkipQuiet();
  }

  private armSkipQuiet(): void {
    if (this.skipQuiet) clearTimeout(this.skipQuiet);
    this.skipQuiet = setTimeout(() => this.endSkip(), SKIP_QUIET_MS);
  }

  private onSkipped(data: Buffer): void {
    this.skipped += data.length;
    this.skipTail.push(data);
    this.skipTailBytes += data.length;
    while (this.skipTailBytes - (this.skipTail[0]?.length ?? 0) >= SKIP_KEEP) this.skipTailBytes -= this.skipTail.shift()!.length;
    if (Date.now() > this.skipDeadline) this.endSkip();
    else this.armSkipQuiet();
  }

  private endSkip(): void {
    if (!this.skipping) return;
    this.skipping = false;
    if (this.skipQuiet) { clearTimeout(this.skipQuiet); this.skipQuiet = undefined; }
    let tail = Buffer.concat(this.skipTail);
    this.skipTail = [];
    if (tail.length > SKIP_KEEP) {
      tail = tail.subarray(tail.length - SKIP_KEEP);
      const nl = tail.indexOf(0x0a); // start on a line boundary (no cut escape sequence)
      if (nl >= 0 && nl < tail.length - 1) tail = tail.subarray(nl + 1);
    }
    const dropped = this.skipped - tail.length;
    if (dropped > 0) this.onOutput(Buffer.from(`\r\n\x1b[2m[… ${Math.round(dropped / 1024)} KB of output skipped after Ctrl-C]\x1b[0m\r\n`));
    if (tail.length) this.onOutput(tail);
    this.updatePause();
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
    if (this.skipping) { this.onSkipped(data); return; }
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
    if (this.exited || this.skipping) return;
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
    if (this.skipping) { this.skipping = false; if (this.skipQuiet) clearTimeout(this.skipQuiet); }
    const message = signal ? `The shell was closed (signal ${signal}).` : `The shell exited with code ${code ?? '?'}.`;
    const status = encodeStatus({ state: 'exited', code, message });
    for (const c of this.clients) { c.sink.send(status); c.sink.close(1000, 'shell exited'); }
    this.clients.clear();
    this.opts.onClosed(this);
  }
}
