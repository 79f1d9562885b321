// The live diagram's server side: one TopologyFeed per sandbox while a page shows it. It follows
// the inner engines' event streams (no polling), and after a burst of events (`docker run` is
// create + connect + start within a few ms) reads a fresh snapshot and pushes it if the lab
// changed. The last snapshot is kept, so a page that (re)connects gets the diagram at once.
import type { Topology } from '../../protocol/topology.ts';
import type { SandboxEvent } from '../provider/types.ts';
import { readTopology, sameTopology, type TopologyTarget } from './snapshot.ts';

/** Events that can change what the diagram shows; our checks' own execs must not redraw anything. */
export function changesTopology(e: SandboxEvent): boolean {
  if (e.type === 'container') return /^(create|start|die|stop|kill|destroy|rename|pause|unpause|restart|update)$/.test(e.action);
  return e.type === 'network' || e.type === 'daemon' || e.type === 'node';
}

export interface FeedOptions {
  sandboxId: string;
  target: TopologyTarget;
  /** Subscribes to the sandbox's inner-engine events until the signal aborts (provider.events). */
  events(signal: AbortSignal, onEvent: (e: SandboxEvent) => void): Promise<void>;
  /** Quiet time after an event before reading (coalesces the events of one command). */
  debounceMs?: number;
  log?(msg: string): void;
}

type Listener = (t: Topology) => void;

export class TopologyFeed {
  private readonly listeners = new Set<Listener>();
  private readonly life = new AbortController();
  private last: Topology | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private started = false;
  private readonly debounceMs: number;

  constructor(private readonly opts: FeedOptions) {
    this.debounceMs = opts.debounceMs ?? 40;
  }

  get closed(): boolean { return this.life.signal.aborted; }
  get viewers(): number { return this.listeners.size; }
  get snapshot(): Topology | undefined { return this.last; }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.last) listener(this.last);
    this.start();
    return () => { this.listeners.delete(listener); };
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.opts.events(this.life.signal, (e) => { if (changesTopology(e)) this.schedule(); })
      .catch((err: unknown) => { if (!this.closed) this.opts.log?.(`topology events of ${this.opts.sandboxId} stopped: ${String(err)}`); });
    void this.refresh();
  }

  /** Re-reads after the debounce (events), or at once with 0 (a reset finished). */
  schedule(delayMs = this.debounceMs): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; void this.refresh(); }, delayMs);
  }

  /** Reads now; a change that arrives while reading triggers one more read right after. */
  refresh(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.reading) { this.again = true; return this.reading; }
    this.reading = (async () => {
      do {
        this.again = false;
        try {
          const t = await readTopology(this.opts.sandboxId, this.opts.target, this.life.signal);
          if (this.closed) return;
          if (!sameTopology(this.last, t)) {
            this.last = t;
            for (const l of this.listeners) {
              try { l(t); } catch (err) { this.opts.log?.(`topology listener failed: ${String(err)}`); }
            }
          }
        } catch (err) {
          if (!this.closed) this.opts.log?.(`topology of ${this.opts.sandboxId} unreadable: ${String(err)}`);
        }
      } while (this.again && !this.closed);
    })().finally(() => { this.reading = undefined; });
    return this.reading;
  }

  close(): void {
    if (this.closed) return;
    this.life.abort(new Error('topology feed closed'));
    if (this.timer) clearTimeout(this.timer);
    this.listeners.clear();
  }
}
