// Live verification of one lesson in one sandbox: follows the sandbox's inner Docker events,
// debounces them (50 ms: one `docker run` is a burst of create/connect/start), re-evaluates the
// lesson's exercises and reports each one as soon as it is known, and only what changed.
// A round in flight is cancelled (AbortSignal) when a newer event makes it stale, when the
// sandbox is reset or destroyed, or when the last viewer leaves.
//
// Speed (issue 5: event → status ≤ 1 s): a round's probes are shared between exercises, the
// exercises not passed yet get the exec slots first, and rounds started by Docker events reuse
// probe results whose Docker inputs did not change (ProbeCache): an isolation ping that must
// time out (1 s) is not re-run because an unrelated container was connected. The first round,
// the Check button and terminal activity always probe afresh.
import type { Check } from '../../lessons/checks.ts';
import type { ExerciseStatus, LabServerMessage } from '../../protocol/lab.ts';
import { evaluate } from '../checks/evaluate.ts';
import { Facts, ProbeCache, type RoundStats } from '../checks/facts.ts';
import { same, say, type Reason } from '../checks/reasons.ts';
import type { CheckTarget } from '../checks/target.ts';
import type { SandboxEvent } from '../provider/types.ts';

export interface LiveLesson {
  slug: string;
  exercises: Array<{ id: string; check: Check }>;
  /** Set when this host cannot run the lesson (e.g. "the kernel has no ipvlan support"). */
  unavailable?: string | Reason;
}

/** Why a round ran. */
export type RoundTrigger = 'start' | 'event' | 'check' | 'activity' | 'resume';

/** Timings of one finished round, for benchmarks and logs (all times epoch ms). */
export interface RoundTrace {
  trigger: RoundTrigger;
  /** The engine's time of the first event this round answers (event rounds). */
  eventAt?: number;
  /** When the runner received that event. */
  seenAt?: number;
  /** Cancelled by a newer round (after pushing the exercises listed). */
  aborted: boolean;
  startedAt: number;
  finishedAt: number;
  stats: RoundStats;
  /** Per exercise: evaluation time and when its status was final in this round. */
  exercises: Array<{ id: string; passed: boolean; ms: number; at: number; changed: boolean }>;
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
  /** Called after every round that was not cancelled (benchmarks, debugging). */
  onRound?: (t: RoundTrace) => void;
}

/** A burst of events postpones its round by at most this much in total. */
const MAX_DEBOUNCE_MS = 400;

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
  /** When the pending timer fires, and what the coming round answers. */
  private due = 0;
  private pending: { fresh: boolean; trigger: RoundTrigger; eventAt?: number; seenAt?: number } | undefined;
  private readonly cache = new ProbeCache();
  private restarts = 0;
  private paused = false;
  private readonly debounceMs: number;
  private readonly lullMs: number;
  private readonly log: (msg: string) => void;
  /** Resolves after the first full round (so a new viewer gets every exercise at once). */
  private first: Promise<void> | undefined;

  constructor(readonly opts: WatcherOptions) {
    this.debounceMs = opts.debounceMs ?? 50;
    this.lullMs = opts.activityLullMs ?? 800;
    this.log = opts.log ?? ((m) => console.log(`[live] ${m}`));
  }

  get closed(): boolean { return this.life.signal.aborted; }

  /** Starts following events and runs the first round. */
  start(): Promise<void> {
    if (this.first) return this.first;
    if (!this.opts.lesson.unavailable && this.opts.events) {
      this.opts.events(this.life.signal, (e) => this.onEvent(e))
        .catch((err: unknown) => { if (!this.closed) this.log(`events of ${this.opts.sandboxId} stopped: ${String(err)}`); });
    }
    this.first = this.runRound('start', true);
    return this.first;
  }

  private onEvent(e: SandboxEvent): void {
    if (!relevantEvent(e)) return;
    // A restarted engine may have changed anything (iptables rules are rebuilt, containers restarted).
    if (e.type === 'daemon') this.cache.clear();
    this.schedule(this.debounceMs, { trigger: 'event', eventAt: e.time, seenAt: Date.now() });
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    for (const s of this.statuses.values()) listener(s);
    return () => { this.listeners.delete(listener); };
  }

  get viewers(): number { return this.listeners.size; }

  /**
   * Debounced re-check. Events push the round back (trailing debounce, at most MAX_DEBOUNCE_MS
   * after the first one); slower triggers (terminal activity) never postpone a round already due
   * sooner, they only make it probe afresh.
   */
  schedule(delayMs = this.debounceMs, why: { trigger?: RoundTrigger; fresh?: boolean; eventAt?: number; seenAt?: number } = {}): void {
    if (this.closed || this.paused) return;
    const now = Date.now();
    const p = this.pending ?? { fresh: false, trigger: why.trigger ?? 'event' };
    p.fresh ||= why.fresh ?? false;
    if (why.eventAt !== undefined && p.eventAt === undefined) Object.assign(p, { trigger: 'event', eventAt: why.eventAt, seenAt: why.seenAt });
    this.pending = p;
    let due = now + delayMs;
    if (this.timer) {
      if (why.trigger !== 'event' && this.due <= due) return;
      if (why.trigger === 'event' && p.seenAt !== undefined) due = Math.min(due, p.seenAt + MAX_DEBOUNCE_MS);
      clearTimeout(this.timer);
    }
    this.due = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const run = this.pending!;
      this.pending = undefined;
      void this.runRound(run.trigger, run.fresh, run);
    }, Math.max(0, due - now));
  }

  /** The learner typed: check again (afresh) once the terminal has been quiet for a moment. */
  activity(): void { this.schedule(this.lullMs, { trigger: 'activity', fresh: true }); }

  /** Re-checks every exercise now (the Check button), afresh except the probes of exercises already
   *  passed while their cached result lasts; returns every status. */
  async checkNow(): Promise<ExerciseStatus[]> {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; this.pending = undefined; }
    await this.runRound('check', true);
    return this.current();
  }

  /** Every exercise's latest status, in lesson order. */
  current(): ExerciseStatus[] {
    return this.opts.lesson.exercises.map((x) => this.statuses.get(x.id)!).filter(Boolean);
  }

  /** While a sandbox resets: drop the stale round; resume() re-checks against the fresh hosts. */
  pause(): void {
    this.paused = true;
    this.round?.abort(new Error('sandbox reset'));
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; this.pending = undefined; }
    this.cache.clear();
  }

  resume(): void { this.paused = false; this.schedule(0, { trigger: 'resume', fresh: true }); }

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

  private async runRound(trigger: RoundTrigger, fresh: boolean, ev: { eventAt?: number; seenAt?: number } = {}): Promise<void> {
    if (this.closed) return;
    // A newer round makes the running one stale: cancel it, unless it has been cancelled several
    // times in a row (a busy event stream must not starve the learner of any status).
    if (this.round && !this.round.signal.aborted) {
      if (this.restarts < 3) { this.restarts++; this.round.abort(new Error('stale')); }
      else { await this.roundDone; this.schedule(0, { trigger, fresh, ...ev }); return; }
    }
    const ctl = new AbortController();
    this.round = ctl;
    const signal = AbortSignal.any([ctl.signal, this.life.signal]);
    this.roundDone = this.evaluateAll(signal, trigger, fresh, ev).then(() => {
      if (this.round === ctl) { this.restarts = 0; this.round = undefined; }
    }, (err: unknown) => {
      if (this.round === ctl) this.round = undefined;
      if (!signal.aborted) this.log(`round failed: ${String(err)}`);
    });
    return this.roundDone;
  }

  private async evaluateAll(signal: AbortSignal, trigger: RoundTrigger, fresh: boolean, ev: { eventAt?: number; seenAt?: number }): Promise<void> {
    const { lesson } = this.opts;
    const startedAt = Date.now();
    const done: RoundTrace['exercises'] = [];
    this.emit({ type: 'checking', lessonSlug: lesson.slug, busy: true });
    const facts = new Facts(this.opts.target, signal, { cache: this.cache, fresh });
    const trace = (): void => {
      if (!this.opts.onRound || done.length === 0) return;
      try { this.opts.onRound({ trigger, ...ev, aborted: signal.aborted, startedAt, finishedAt: Date.now(), stats: { ...facts.stats }, exercises: done }); } catch { /* a trace hook must not break checking */ }
    };
    try {
      const why = lesson.unavailable === undefined ? undefined : say.unavailable({ why: typeof lesson.unavailable === 'string' ? same(lesson.unavailable) : lesson.unavailable });
      // The learner is working on the exercises that have not passed: their probes go first.
      const order = [...lesson.exercises].sort((a, b) => Number(this.statuses.get(a.id)?.passed ?? false) - Number(this.statuses.get(b.id)?.passed ?? false));
      await Promise.all(order.map(async (x) => {
        if (why) {
          this.update(x.id, { passed: false, reason: why.en, reasonKo: why.ko, ms: 0 }, true);
          return;
        }
        const passed = this.statuses.get(x.id)?.passed ?? false;
        const priority = passed ? 1 : 0;
        const r = await evaluate(x.check, this.opts.target, { signal, facts, priority, reuse: passed, answer: this.opts.answer?.(x.id), onEngineError: (e) => this.log(`engine error (${lesson.slug}/${x.id}): ${String(e)}`) });
        if (signal.aborted) return;
        const changed = this.update(x.id, r, false);
        done.push({ id: x.id, passed: r.passed, ms: r.ms, at: Date.now(), changed });
      }));
    } finally {
      if (!signal.aborted) this.emit({ type: 'checking', lessonSlug: lesson.slug, busy: false });
      trace();
    }
  }

  /** Stores a status; pushes it when it changed (returns whether it did). */
  private update(exerciseId: string, r: { passed: boolean; reason: string; reasonKo?: string; ms: number }, unavailable: boolean): boolean {
    const prev = this.statuses.get(exerciseId);
    let passedAt = prev?.passedAt ?? this.opts.passedAt?.(exerciseId) ?? null;
    if (r.passed && !prev?.passed) passedAt = this.opts.recordPass?.(exerciseId) ?? passedAt ?? Date.now();
    const s: ExerciseStatus = { type: 'exercise', lessonSlug: this.opts.lesson.slug, exerciseId, passed: r.passed, reason: r.reason, reasonKo: r.reasonKo, ms: r.ms, passedAt, unavailable };
    this.statuses.set(exerciseId, s);
    const changed = !prev || prev.passed !== s.passed || prev.reason !== s.reason;
    if (changed) this.emit(s);
    return changed;
  }
}
