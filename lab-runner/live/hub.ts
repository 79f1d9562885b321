// All live watchers of the runner: one LessonWatcher per (sandbox, lesson) while someone looks
// at it (WebSocket viewers) or asks for a check. Follows the sandbox manager's status events:
// reset pauses and resumes the watcher, a destroyed sandbox closes it with a message.
import type { KernelFeature } from '../../lessons/schema.ts';
import type { ExerciseStatus, LabServerMessage } from '../../protocol/lab.ts';
import type { Check } from '../../lessons/checks.ts';
import { sandboxTarget } from '../checks/target.ts';
import { FeatureCache } from '../checks/features.ts';
import type { Provider } from '../provider/types.ts';
import type { Store } from '../store/store.ts';
import { LessonWatcher, type LiveLesson, type RoundTrace } from './watcher.ts';

export interface LessonDef { slug: string; requires: readonly KernelFeature[]; exercises: Array<{ id: string; check: Check }> }

/** What the hub needs from the sandbox manager (kept small so tests can fake it). */
export interface SandboxDirectory {
  ownerOf(id: string): string | undefined;
  info(id: string): { hosts: Array<{ name: string }> } | undefined;
  get(id: string): { status: string; lesson: string } | undefined;
  on(event: 'status', fn: (v: { id: string; status: string }) => void): unknown;
}

export interface LiveHubOptions {
  provider: Provider;
  sandboxes: SandboxDirectory;
  store?: Store;
  lesson: (slug: string) => Promise<LessonDef | undefined>;
  features?: FeatureCache;
  debounceMs?: number;
  log?: (msg: string) => void;
  /** Timings of every finished round of every watcher (benchmarks). */
  onRound?: (sandboxId: string, slug: string, t: RoundTrace) => void;
}

export class LiveHub {
  private readonly watchers = new Map<string, Promise<LessonWatcher>>();
  private readonly features: FeatureCache;
  private readonly log: (msg: string) => void;

  constructor(private readonly opts: LiveHubOptions) {
    this.features = opts.features ?? new FeatureCache();
    this.log = opts.log ?? ((m) => console.log(`[live] ${m}`));
    opts.sandboxes.on('status', (v) => {
      for (const [key, w] of this.watchers) {
        if (!key.startsWith(`${v.id}/`)) continue;
        void w.then((x) => {
          if (v.status === 'resetting') x.pause();
          else if (v.status === 'ready') x.resume();
          else if (v.status === 'gone' || v.status === 'error') { x.close('This lab machine is gone (expired or removed); reload the page for a fresh one.'); this.watchers.delete(key); }
        }, () => undefined);
      }
    });
  }

  /** The watcher of a lesson in a sandbox, started on first use. Throws LiveError for unknown ids. */
  watcher(sandboxId: string, slug: string, owner: string): Promise<LessonWatcher> {
    const key = `${sandboxId}/${slug}`;
    let w = this.watchers.get(key);
    if (!w) {
      w = this.create(sandboxId, slug, owner);
      this.watchers.set(key, w);
      w.catch(() => this.watchers.delete(key));
    }
    return w;
  }

  private async create(sandboxId: string, slug: string, owner: string): Promise<LessonWatcher> {
    const def = await this.opts.lesson(slug);
    if (!def) throw new LiveError(404, `There is no lesson ${slug}.`);
    const info = this.opts.sandboxes.info(sandboxId);
    if (!info) throw new LiveError(409, 'Your lab machine is still starting; live checks begin once it is ready.');
    const hosts = info.hosts.map((h) => h.name);
    const target = sandboxTarget(this.opts.provider, sandboxId, hosts);
    const unavailable = def.requires.length ? await this.features.whyUnavailable(target, hosts[0]!, def.requires) : undefined;
    const lesson: LiveLesson = { slug, exercises: def.exercises, unavailable };
    const store = this.opts.store;
    const w = new LessonWatcher({
      sandboxId, lesson, target, debounceMs: this.opts.debounceMs, log: this.log,
      onRound: this.opts.onRound ? (t) => this.opts.onRound!(sandboxId, slug, t) : undefined,
      events: (signal, onEvent) => this.opts.provider.events(sandboxId, signal, onEvent),
      recordPass: store ? (id) => store.recordPass(owner, slug, id).passedAt : undefined,
      answer: store ? (id) => store.answer(owner, slug, id) : undefined,
      passedAt: store ? (id) => store.progress(owner, slug).find((r) => r.exercise === id)?.passedAt ?? null : undefined,
    });
    void w.start();
    return w;
  }

  /** Adds a viewer; the returned function removes it (the last one out stops the watcher). */
  async view(sandboxId: string, slug: string, owner: string, send: (m: LabServerMessage) => void): Promise<() => void> {
    const w = await this.watcher(sandboxId, slug, owner);
    const off = w.subscribe(send);
    return () => {
      off();
      if (w.viewers === 0) {
        w.close();
        this.watchers.delete(`${sandboxId}/${slug}`);
      }
    };
  }

  /** On-demand re-check of every exercise (the Check button / POST …/check). */
  async check(sandboxId: string, slug: string, owner: string): Promise<ExerciseStatus[]> {
    const started = this.watchers.has(`${sandboxId}/${slug}`);
    const w = await this.watcher(sandboxId, slug, owner);
    // A watcher started just now has checked everything afresh in its first round: one round, not two.
    const out = started ? await w.checkNow() : (await w.start(), w.current());
    if (w.viewers === 0) { w.close(); this.watchers.delete(`${sandboxId}/${slug}`); }
    return out;
  }

  /** Terminal activity in a sandbox: re-check its watched lessons after a lull. */
  activity(sandboxId: string): void {
    for (const [key, w] of this.watchers) if (key.startsWith(`${sandboxId}/`)) void w.then((x) => x.activity(), () => undefined);
  }

  async close(): Promise<void> {
    for (const w of this.watchers.values()) (await w.catch(() => undefined))?.close();
    this.watchers.clear();
  }
}

export class LiveError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}
