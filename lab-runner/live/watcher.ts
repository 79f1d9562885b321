// Live verification of one lesson in one sandbox: follows the sandbox's inner Docker events,
// debounces them (~150 ms), re-evaluates the lesson's exercises and reports only what changed.
// A round in flight is cancelled (AbortSignal) when a newer event makes it stale, when the
// sandbox is reset or destroyed, or when the last viewer leaves.
import type { Check } from '../../lessons/checks.ts';
import type { ExerciseStatus, LabServerMessage } from '../../protocol/lab.ts';
import { evaluate } from '../checks/evaluate.ts';
import { Facts } from '../checks/facts.ts';
import type { CheckTarget } from '../checks/target.ts';
import type { SandboxEvent } from '../provider/types.ts';

export interface LiveLesson {
  slug: string;
  exercises: Array<{ id: string; check: Check }>;
  /** Set when this host cannot run the lesson (e.g. "the kernel has no ipvlan support"). */
  unavailable?: string;
}

export interface WatcherOptions {
  sandboxId: string;
  lesson: LiveLesson;
  target: CheckTarget;
  /** Subscribes to the sandbox's events until the signal aborts (provider.events). */
  events?: (signal: AbortSignal, onEvent: (e: SandboxEvent) => void) => Promise<void>;
  /** Records a pass; returns the first-pass time (store), so the page can show it. */
  recordPass?: (exerciseId: string) => number | null;
  /** The learner's typed answer for an exercise with an answer check. */
  answer?: (exerciseId: string) => string | undefined;
  /** Stored first-pass time of an exercise, if any. */
  passedAt?: (exerciseId: string) => number | null;
  debounceMs?: number;
  /** Quiet time after terminal activity before a re-check. */
  activityLullMs?: number;
  log?: (msg: string) => void;
}

/** Events that never change what a check sees; our own probes cause exec_* events, so they must be ignored. */
export function relevantEvent(e: SandboxEvent): boolean {
  if (e.type === 'container') return !/^(exec_|attach|resize|top|export|commit|copy|archive-path|extract-to-dir)/.test(e.action);
  return e.type === 'network' || e.type === 'node' || e.type === 'service' || e.type === 'daemon';
}

type Listener = (m: LabServerMessage) => void;

export class LessonWatcher {
  readonly statuses = new Map<string, ExerciseStatus>();
  private readonly listeners = new Set<Listener>();
  private readonly life = new AbortController();
  private round: AbortController | undefined;
  private roundDone: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private restarts = 0;
  private paused = false;
  private readonly debounceMs: number;
  private readonly lullMs: number;
  private readonly log: (msg: string) => void;
  /** Resolves after the first full round (so a new viewer gets every exercise at once). */
  private first: Promise<void> | undefined;

  constructor(readonly opts: WatcherOptions) {
    this.debounceMs = opts.debounceMs ?? 150;
    this.lullMs = opts.activityLullMs ?? 800;
    this.log = opts.log ?? ((m) => console.log(`[live] ${m}`));
  }

  get closed(): boolean { return this.life.signal.aborted; }

  /** Starts following events and runs the first round. */
  start(): Promise<void> {
    if (this.first) return this.first;
    if (!this.opts.lesson.unavailable && this.opts.events) {
      this.opts.events(this.life.signal, (e) => { if (relevantEvent(e)) this.schedule(this.debounceMs); })
        .catch((err: unknown) => { if (!this.closed) this.log(`events of ${this.opts.sandboxId} stopped: ${String(err)}`); });
    }
    this.first = this.runRound();
    return this.first;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    for (const s of this.statuses.values()) listener(s);
    return () => { this.listeners.delete(listener); };
  }

  get viewers(): number { return this.listeners.size; }

  /** Debounced re-check (events, terminal activity). */
  schedule(delayMs = this.debounceMs): void {
    if (this.closed || this.paused) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; void this.runRound(); }, delayMs);
  }

  /** The learner typed: check again once the terminal has been quiet for a moment. */
  activity(): void { this.schedule(this.lullMs); }

  /** Re-checks every exercise now (the Check button) and returns every status. */
  async checkNow(): Promise<ExerciseStatus[]> {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    await this.runRound();
    return this.opts.lesson.exercises.map((x) => this.statuses.get(x.id)!).filter(Boolean);
  }

  /** While a sandbox resets: drop the stale round; resume() re-checks against the fresh hosts. */
  pause(): void {
    this.paused = true;
    this.round?.abort(new Error('sandbox reset'));
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
  }

  resume(): void { this.paused = false; this.schedule(0); }

  close(message?: string): void {
    if (this.closed) return;
    if (message) this.emit({ type: 'error', message, fatal: true });
    this.life.abort(new Error('watcher closed'));
    this.round?.abort(new Error('watcher closed'));
    if (this.timer) clearTimeout(this.timer);
    this.listeners.clear();
  }

  private emit(m: LabServerMessage): void {
    for (const l of this.listeners) {
      try { l(m); } catch (err) { this.log(`listener failed: ${String(err)}`); }
    }
  }

  private async runRound(): Promise<void> {
    if (this.closed) return;
    // A newer round makes the running one stale: cancel it, unless it has been cancelled several
    // times in a row (a busy event stream must not starve the learner of any status).
    if (this.round && !this.round.signal.aborted) {
      if (this.restarts < 3) { this.restarts++; this.round.abort(new Error('stale')); }
      else { await this.roundDone; this.schedule(0); return; }
    }
    const ctl = new AbortController();
    this.round = ctl;
    const signal = AbortSignal.any([ctl.signal, this.life.signal]);
    this.roundDone = this.evaluateAll(signal).then(() => {
      if (this.round === ctl) { this.restarts = 0; this.round = undefined; }
    }, (err: unknown) => {
      if (this.round === ctl) this.round = undefined;
      if (!signal.aborted) this.log(`round failed: ${String(err)}`);
    });
    return this.roundDone;
  }

  private async evaluateAll(signal: AbortSignal): Promise<void> {
    const { lesson } = this.opts;
    this.emit({ type: 'checking', lessonSlug: lesson.slug, busy: true });
    try {
      const facts = new Facts(this.opts.target, signal);
      await Promise.all(lesson.exercises.map(async (x) => {
        if (lesson.unavailable) {
          this.update(x.id, { passed: false, reason: `Unavailable on this host: ${lesson.unavailable}.`, ms: 0 }, true);
          return;
        }
        const r = await evaluate(x.check, this.opts.target, { signal, facts, answer: this.opts.answer?.(x.id), onEngineError: (e) => this.log(`engine error (${lesson.slug}/${x.id}): ${String(e)}`) });
        if (!signal.aborted) this.update(x.id, r, false);
      }));
    } finally {
      if (!signal.aborted) this.emit({ type: 'checking', lessonSlug: lesson.slug, busy: false });
    }
  }

  private update(exerciseId: string, r: { passed: boolean; reason: string; ms: number }, unavailable: boolean): void {
    const prev = this.statuses.get(exerciseId);
    let passedAt = prev?.passedAt ?? this.opts.passedAt?.(exerciseId) ?? null;
    if (r.passed && !prev?.passed) passedAt = this.opts.recordPass?.(exerciseId) ?? passedAt ?? Date.now();
    const s: ExerciseStatus = { type: 'exercise', lessonSlug: this.opts.lesson.slug, exerciseId, passed: r.passed, reason: r.reason, ms: r.ms, passedAt, unavailable };
    this.statuses.set(exerciseId, s);
    if (!prev || prev.passed !== s.passed || prev.reason !== s.reason) this.emit(s);
  }
}
