// The sandbox manager: who owns which sandbox, the warm pool, limits, and the lifecycle clock.
// It talks to the engine only through the Provider, and keeps in memory nothing it cannot rebuild
// from the provider's labels (reconcile()). The one fact held only in memory is "last active":
// touching a label on every keystroke would be far too costly, so after a runner restart every
// adopted sandbox starts a FRESH idle window (conservative: a restart never makes a learner's
// sandbox expire early). Owner, lesson, pool state and hard expiry are durable (labels/records).
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Config } from '../config.ts';
import { HttpError } from '../api/http.ts';
import { L, num } from '../provider/labels.ts';
import type { Provider, SandboxInfo } from '../provider/types.ts';
import type { SandboxStatus, SandboxView } from '../../protocol/sandbox.ts';

export interface ManagerOptions {
  provider: Provider;
  config: Config;
  /** Warm pool per topology: hosts → how many; default { 1: config.poolSize }. */
  pool?: Record<number, number>;
  /** How often the collector runs (idle, TTL, orphans, pool refill). */
  gcIntervalMs?: number;
  /** How often the disk watchdog measures every claimed sandbox (default DNL_DISK_CHECK_SECONDS). */
  diskCheckMs?: number;
  now?: () => number;
  newId?: () => string;
  log?: (msg: string) => void;
}

export interface ClaimOptions { hosts?: number; lesson?: string }

interface Entry {
  id: string;
  owner: string; // '' for pool sandboxes
  lesson: string;
  hosts: number;
  state: 'pool' | 'claimed';
  status: SandboxStatus;
  error?: string;
  info?: SandboxInfo;
  createdAt: number;
  expiresAt: number;
  lastActive: number;
  /** Settles when the current start/reset finishes (never rejects; see status). */
  settled: Promise<void>;
  /** Aborted when the sandbox is destroyed: cancels its start and any waiter. */
  abort: AbortController;
  /** The disk watchdog already stopped this sandbox's containers once (see checkDisk). */
  diskStrike?: boolean;
  /** Starting stopped hosts again failed (the engine may be restarting): the collector retries until then. */
  recoverUntil?: number;
  /** Set while a failed recovery waits for the collector's next pass. */
  retryRestart?: boolean;
}

/** How long the collector keeps trying to bring back the stopped hosts of a sandbox that was ready. */
const RECOVER_MS = 5 * 60_000;

export interface ManagerEvents {
  status: [SandboxView & { owner: string }];
}

export class SandboxManager extends EventEmitter<ManagerEvents> {
  readonly provider: Provider;
  private readonly cfg: Config;
  private readonly poolSpec: Record<number, number>;
  private readonly gcIntervalMs: number;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly log: (msg: string) => void;
  private readonly entries = new Map<string, Entry>();
  /** Ids whose removal is in flight: the engine still lists them, but they must not be adopted again. */
  private readonly destroying = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private gcRunning: Promise<void> | undefined;
  private refillRun: Promise<void> | undefined;
  /** Set while the pool waits after a claim (see refillAfterClaim). */
  private refillTimer: NodeJS.Timeout | undefined;
  private readonly diskCheckMs: number;
  private diskTimer: NodeJS.Timeout | undefined;
  private diskRun: Promise<void> | undefined;
  private closed = false;

  constructor(opts: ManagerOptions) {
    super();
    this.provider = opts.provider;
    this.cfg = opts.config;
    this.poolSpec = opts.pool ?? { 1: opts.config.poolSize };
    this.gcIntervalMs = opts.gcIntervalMs ?? opts.config.gcSeconds * 1000;
    this.diskCheckMs = opts.diskCheckMs ?? opts.config.diskCheckSeconds * 1000;
    this.now = opts.now ?? Date.now;
    this.newId = opts.newId ?? (() => 's' + randomBytes(4).toString('hex'));
    this.log = opts.log ?? ((m) => console.log(`[sandbox] ${m}`));
  }

  /** Adopts what exists, removes orphans and expired sandboxes, starts the clock and the pool. */
  async start(): Promise<void> {
    try {
      await this.reconcile();
    } catch (err) {
      // The engine may be down or restarting: keep serving; the collector adopts sandboxes later.
      this.log(`could not read existing sandboxes yet (${err instanceof Error ? err.message : String(err)}); will retry`);
    }
    await this.gc();
    this.timer = setInterval(() => { void this.gc(); }, this.gcIntervalMs);
    this.timer.unref();
    this.diskTimer = setInterval(() => { this.diskRun ??= this.checkDisk().catch(() => undefined).finally(() => { this.diskRun = undefined; }); }, this.diskCheckMs);
    this.diskTimer.unref();
  }

  /** Stops timers and background work; sandboxes stay (a new runner adopts them). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.diskTimer) clearInterval(this.diskTimer);
    clearTimeout(this.refillTimer);
    // Warm sandboxes still starting are abandoned (their creation cleans up after itself);
    // a learner's sandbox that is starting is allowed to finish so the next runner adopts it.
    for (const e of this.entries.values()) if (e.state === 'pool' && e.status === 'starting') e.abort.abort(new Error('runner closing'));
    await Promise.all([...this.entries.values()].map((e) => e.settled));
    await this.gcRunning?.catch(() => undefined);
    await this.refillRun;
  }

  // ------------------------------------------------------------------ adoption

  /** Rebuilds the in-memory picture from the provider's labels (after a runner restart). */
  async reconcile(): Promise<void> {
    const live = await this.provider.list();
    const now = this.now();
    let expired = 0;
    for (const info of live) {
      if (this.entries.has(info.id) || this.destroying.has(info.id)) continue;
      const l = info.labels;
      if (l[L.state] === 'claimed' && num(l[L.expires], Infinity) <= now) {
        // Expired while no runner was watching: collect it instead of starting it again.
        await this.provider.destroy(info.id).catch((err: unknown) => this.log(`could not remove expired ${info.id}: ${String(err)}`));
        expired++;
        continue;
      }
      const e: Entry = {
        id: info.id,
        owner: l[L.owner] ?? '',
        lesson: l[L.lesson] ?? '',
        hosts: info.hosts.length,
        state: l[L.state] === 'claimed' ? 'claimed' : 'pool',
        status: 'starting',
        info,
        createdAt: info.createdAt || now,
        expiresAt: num(l[L.expires], now + this.cfg.ttlMinutes * 60_000),
        lastActive: now, // fresh idle window: see the header comment
        settled: Promise.resolve(),
        abort: new AbortController(),
      };
      this.entries.set(e.id, e);
      // A host stopped by a Docker daemon restart is started again; either way wait for ready.
      e.settled = this.track(e, () => this.provider.ensureRunning(e.id, e.abort.signal), { recovering: true });
    }
    const adopted = live.filter((s) => this.entries.has(s.id)).map((s) => s.id);
    if (adopted.length) this.log(`adopted ${adopted.length} sandbox(es): ${adopted.join(', ')}`);
    if (expired) this.log(`removed ${expired} sandbox(es) that expired while the runner was away`);
    const swept = await this.provider.sweep(this.busyIds());
    if (swept.length) this.log(`removed leftovers of ${swept.length} incomplete sandbox(es): ${swept.join(', ')}`);
  }

  // ------------------------------------------------------------------ claims

  /**
   * Gives the learner a sandbox with `hosts` hosts: their existing one of that topology, a warm one
   * from the pool, or a new one. Returns at once; the view's status says starting or ready
   * (await whenReady(id) to wait).
   */
  async claim(learnerId: string, opts: ClaimOptions = {}): Promise<SandboxView> {
    if (this.closed) throw new HttpError(503, 'The lab runner is shutting down. Try again in a moment.', 'closing');
    const hosts = opts.hosts ?? 1;
    const lesson = opts.lesson ?? '';
    const mine = this.forLearnerEntries(learnerId);
    const same = mine.find((e) => e.hosts === hosts && e.status !== 'error');
    if (same) {
      this.touch(same.id);
      return this.view(same);
    }
    // Per-learner cap: replace their oldest sandbox(es) to make room for this topology.
    const excess = mine.length - this.cfg.maxPerLearner + 1;
    for (const old of mine.sort((a, b) => a.createdAt - b.createdAt).slice(0, Math.max(0, excess))) {
      await this.destroy(old.id, 'replaced by a sandbox for another lesson');
    }

    const warm = [...this.entries.values()].find((e) => e.state === 'pool' && e.hosts === hosts && e.status === 'ready');
    if (warm) {
      const now = this.now();
      // Take it synchronously (before any await) so two claims never get the same sandbox.
      Object.assign(warm, { state: 'claimed', owner: learnerId, lesson, lastActive: now, expiresAt: now + this.cfg.ttlMinutes * 60_000 });
      try {
        await this.provider.updateLabels(warm.id, this.durableLabels(warm));
      } catch (err) {
        // Could not record the claim durably: do not hand out a sandbox a restart would orphan.
        this.log(`claim of pool sandbox ${warm.id} failed to record: ${String(err)}`);
        void this.destroy(warm.id, 'claim could not be recorded');
        throw new HttpError(503, 'Could not prepare a lab machine right now. Please try again.', 'claim_failed');
      }
      this.emitStatus(warm);
      this.refillAfterClaim();
      return this.view(warm);
    }

    if (this.liveCount() >= this.cfg.maxSandboxes) {
      // Make room by dropping a warm sandbox of another topology, if there is one.
      const spare = [...this.entries.values()].find((e) => e.state === 'pool');
      if (spare) await this.destroy(spare.id, 'room for a claim');
      else throw this.capacityError();
    }
    const e = this.startNew(hosts, 'claimed', learnerId, lesson);
    this.refillAfterClaim();
    return this.view(e);
  }

  private capacityError(): HttpError {
    return new HttpError(503, `The lab machine is at capacity (${this.cfg.maxSandboxes} sandboxes). Try again in a few minutes or ask your instructor.`, 'capacity');
  }

  private startNew(hosts: number, state: 'pool' | 'claimed', owner: string, lesson: string): Entry {
    const now = this.now();
    const e: Entry = {
      id: this.newId(), owner, lesson, hosts, state, status: 'starting',
      createdAt: now, expiresAt: now + this.cfg.ttlMinutes * 60_000, lastActive: now,
      settled: Promise.resolve(), abort: new AbortController(),
    };
    this.entries.set(e.id, e);
    this.emitStatus(e);
    e.settled = this.track(e, () => this.provider.create({ id: e.id, hosts, labels: this.durableLabels(e) }, e.abort.signal));
    return e;
  }

  /**
   * Runs a start/reset, keeping status and info up to date; never rejects. `recovering`: bringing
   * back the stopped hosts of a sandbox that was ready; a failure (say, the Docker daemon is still
   * restarting and refuses the start) is retried by the collector for RECOVER_MS before it counts.
   */
  private track(e: Entry, run: () => Promise<SandboxInfo>, o: { recovering?: boolean } = {}): Promise<void> {
    return run().then((info) => {
      if (e.status === 'gone') return;
      e.info = info;
      e.status = 'ready';
      e.error = undefined;
      e.recoverUntil = undefined;
      this.emitStatus(e);
    }, (err: unknown) => {
      if (e.status === 'gone' || e.abort.signal.aborted) return;
      const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
      if (o.recovering && this.now() < (e.recoverUntil ??= this.now() + RECOVER_MS)) {
        e.status = 'starting';
        e.retryRestart = true;
        e.error = `Your lab machine stopped and starting it again failed (${why}); trying again shortly. Your containers and files are kept.`;
        this.log(`sandbox ${e.id}: starting it again failed (${why}); the collector retries`);
        this.emitStatus(e);
        return;
      }
      e.recoverUntil = undefined;
      e.status = 'error';
      e.error = `The lab machine could not be started: ${why}. Reset it or try again.`;
      this.log(`sandbox ${e.id} failed: ${err instanceof Error ? err.message : String(err)}`);
      this.emitStatus(e);
    });
  }

  private durableLabels(e: Entry): Record<string, string> {
    return {
      [L.owner]: e.owner, [L.state]: e.state, [L.lesson]: e.lesson,
      [L.expires]: String(e.expiresAt), [L.lastActive]: String(e.lastActive),
    };
  }

  /** Resolves when the sandbox is ready; rejects with the learner-facing reason if it failed or went away. */
  async whenReady(id: string): Promise<SandboxView> {
    for (;;) {
      const e = this.entries.get(id);
      if (!e) throw new HttpError(404, 'That lab machine no longer exists.', 'not_found');
      const before = e.settled;
      await before;
      if (e.settled !== before) continue; // a reset started meanwhile
      if (e.status === 'ready') return this.view(e);
      // A failed recovery waits for the collector's next try (bounded by RECOVER_MS).
      if (e.status === 'starting' && e.retryRestart) { await new Promise((r) => setTimeout(r, 500)); continue; }
      throw new HttpError(503, e.error ?? 'The lab machine went away.', e.status === 'gone' ? 'gone' : 'start_failed');
    }
  }

  // ------------------------------------------------------------------ queries and actions

  get(id: string): SandboxView | undefined {
    const e = this.entries.get(id);
    return e ? this.view(e) : undefined;
  }

  /** The owner of a sandbox ('' for pool sandboxes), for ownership checks. */
  ownerOf(id: string): string | undefined { return this.entries.get(id)?.owner; }

  /**
   * Provider info (host ids, IPs) with CURRENT labels (owner, state, lesson), for trusted
   * server-side callers such as the terminal server; undefined until the sandbox has started.
   */
  info(id: string): SandboxInfo | undefined {
    const e = this.entries.get(id);
    if (!e?.info) return undefined;
    return { ...e.info, labels: { ...e.info.labels, ...this.durableLabels(e) } };
  }

  forLearner(learnerId: string): SandboxView[] {
    return this.forLearnerEntries(learnerId).map((e) => this.view(e));
  }

  private forLearnerEntries(learnerId: string): Entry[] {
    return [...this.entries.values()].filter((e) => e.state === 'claimed' && e.owner === learnerId && e.status !== 'gone');
  }

  list(): Array<SandboxView & { owner: string; state: 'pool' | 'claimed' }> {
    return [...this.entries.values()].map((e) => ({ ...this.view(e), owner: e.owner, state: e.state }));
  }

  /** Marks the sandbox as in use now (terminal input, a check run, a page view): resets the idle timer. */
  touch(id: string): void {
    const e = this.entries.get(id);
    if (e) e.lastActive = this.now();
  }

  /** Pushes the hard expiry back by a full TTL from now (durably) and resets the idle timer. */
  async extend(id: string): Promise<SandboxView> {
    const e = this.mustGet(id);
    e.lastActive = this.now();
    e.expiresAt = this.now() + this.cfg.ttlMinutes * 60_000;
    await this.provider.updateLabels(id, this.durableLabels(e));
    return this.view(e);
  }

  /**
   * Hands a claimed (ready or starting) sandbox to another owner (a workshop's reserved sandbox → the student
   * who joined), durably, with a fresh TTL. Refused when the new owner already holds as many
   * sandboxes as DNL_MAX_PER_LEARNER allows (their own claim path then decides).
   */
  async reassign(id: string, owner: string, lesson: string): Promise<SandboxView> {
    const e = this.mustGet(id);
    // A starting one may be handed over too: the new owner's page then waits for it, instead of
    // starting a second machine. (Labels are records; the create in flight never writes one.)
    if (e.state !== 'claimed' || (e.status !== 'ready' && e.status !== 'starting')) throw new HttpError(409, 'That lab machine cannot be handed over now.', 'busy');
    if (this.forLearnerEntries(owner).length >= this.cfg.maxPerLearner) throw new HttpError(409, 'This learner already has a lab machine.', 'has_sandbox');
    const prev = { owner: e.owner, lesson: e.lesson, expiresAt: e.expiresAt };
    const now = this.now();
    Object.assign(e, { owner, lesson, lastActive: now, expiresAt: now + this.cfg.ttlMinutes * 60_000 });
    try {
      await this.provider.updateLabels(id, this.durableLabels(e));
    } catch (err) {
      Object.assign(e, prev);
      throw err;
    }
    this.emitStatus(e);
    return this.view(e);
  }

  /** Gives the learner fresh host(s); the sandbox id, names and addresses stay. */
  async reset(id: string, host?: string): Promise<SandboxView> {
    const e = this.mustGet(id);
    if (host && !Array.from({ length: e.hosts }, (_, i) => `node${i + 1}`).includes(host)) {
      throw new HttpError(400, `This lab has no host named ${host}.`, 'invalid');
    }
    // A sandbox waiting for the collector's next try at its stopped hosts may be reset instead.
    if ((e.status === 'starting' && !e.retryRestart) || e.status === 'resetting') {
      throw new HttpError(409, 'The lab machine is still starting; reset it once it is ready.', 'busy');
    }
    e.retryRestart = false;
    e.recoverUntil = undefined;
    e.status = 'resetting';
    e.lastActive = this.now();
    this.emitStatus(e);
    e.settled = this.track(e, async () => {
      // An 'error' sandbox may have no complete hosts to reset: recreate it from scratch.
      if (!(await this.provider.inspect(id))) {
        await this.provider.destroy(id);
        return this.provider.create({ id, hosts: e.hosts, labels: this.durableLabels(e) }, e.abort.signal);
      }
      return this.provider.reset(id, host);
    });
    return this.view(e);
  }

  async destroy(id: string, reason = 'removed'): Promise<void> {
    const e = this.entries.get(id);
    if (e) {
      e.status = 'gone';
      e.error = `This lab machine was ${reason}.`;
      e.abort.abort(new Error(`sandbox ${reason}`));
      this.entries.delete(id);
      this.emitStatus(e);
    }
    // A collector pass running meanwhile would otherwise re-adopt the half-removed sandbox
    // (seen when a workshop ends and 30 sandboxes go at once).
    this.destroying.add(id);
    try { await this.provider.destroy(id); } finally { this.destroying.delete(id); }
  }

  private mustGet(id: string): Entry {
    const e = this.entries.get(id);
    if (!e) throw new HttpError(404, 'That lab machine does not exist (it may have expired).', 'not_found');
    return e;
  }

  // ------------------------------------------------------------------ the clock

  /** One collector pass: TTL, idle, vanished sandboxes, orphans, pool refill. Safe to call any time. */
  gc(): Promise<void> {
    if (this.gcRunning) return this.gcRunning;
    this.gcRunning = this.gcPass().catch((err: unknown) => this.log(`collector pass failed: ${String(err)}`))
      .finally(() => { this.gcRunning = undefined; });
    return this.gcRunning;
  }

  private async gcPass(): Promise<void> {
    const now = this.now();
    const idleMs = this.cfg.idleMinutes * 60_000;
    for (const e of [...this.entries.values()]) {
      if (e.state === 'pool' && e.status === 'error') await this.destroy(e.id, 'discarded after a failed start').catch((err: unknown) => this.log(String(err)));
      if (e.state !== 'claimed' || e.status === 'starting' || e.status === 'resetting') continue;
      if (now >= e.expiresAt) await this.destroy(e.id, `removed at the end of its ${this.cfg.ttlMinutes}-minute lifetime`).catch((err: unknown) => this.log(String(err)));
      else if (now >= e.lastActive + idleMs) await this.destroy(e.id, `removed after ${this.cfg.idleMinutes} idle minutes`).catch((err: unknown) => this.log(String(err)));
    }
    if (this.closed) return;
    // Sandboxes removed behind our back (docker rm by hand) become 'gone'; unknown complete ones are adopted.
    const live = new Map((await this.provider.list()).map((s) => [s.id, s]));
    for (const e of [...this.entries.values()]) {
      if (!live.has(e.id) && (e.status === 'ready' || e.status === 'error' || e.retryRestart)) {
        e.status = 'gone';
        e.error = 'This lab machine was removed outside the lab runner.';
        this.entries.delete(e.id);
        this.emitStatus(e);
      }
    }
    // A host that stopped under a ready sandbox (killed, OOM at the outer level, a Docker daemon
    // restart) is started again, and the learner sees it happen rather than a dead terminal.
    for (const e of [...this.entries.values()]) {
      const info = live.get(e.id);
      if (!info) continue;
      if (e.retryRestart) {
        e.retryRestart = false;
        this.log(`sandbox ${e.id}: trying again to start its hosts`);
        e.settled = this.track(e, () => this.provider.ensureRunning(e.id, e.abort.signal), { recovering: true });
        continue;
      }
      if (e.status !== 'ready') continue;
      const down = info.hosts.filter((h) => !h.running).map((h) => h.name);
      if (down.length === 0) continue;
      this.log(`sandbox ${e.id}: ${down.join(', ')} stopped; starting again`);
      e.status = 'starting';
      e.error = `${down.join(' and ')} stopped unexpectedly and ${down.length > 1 ? 'are' : 'is'} being started again; your containers and files are kept.`;
      this.emitStatus(e);
      e.settled = this.track(e, () => this.provider.ensureRunning(e.id, e.abort.signal), { recovering: true });
    }
    if ([...live.keys()].some((id) => !this.entries.has(id) && !this.destroying.has(id))) await this.reconcile();
    else await this.provider.sweep(this.busyIds());
    if (!this.closed && !this.refillTimer) void this.refillPool();
  }

  /**
   * Disk watchdog. Docker on ext4 has no per-container quota, so the bound is enforced after
   * the fact, every DNL_DISK_CHECK_SECONDS: a host over DNL_HOST_DISK_MB first gets its inner
   * containers stopped (that is where a disk filler usually runs) and the learner is told why;
   * if it is still over at the next check (the filler runs in the host's own shell, or the
   * files stay), the whole sandbox is paused and the learner told to reset it. A hard bound
   * needs XFS project quotas (overlay2 `--storage-opt size`); see docs/threat-model.md.
   */
  async checkDisk(): Promise<void> {
    if (!this.provider.diskUsage) return;
    const limit = this.cfg.hostDiskMb * 1024 * 1024;
    for (const e of [...this.entries.values()]) {
      if (this.closed) return;
      if (e.status !== 'ready' || e.state !== 'claimed') continue;
      const usage = await this.provider.diskUsage(e.id).catch(() => ({} as Record<string, number>));
      const over = Object.entries(usage).filter(([, bytes]) => bytes > limit);
      if (over.length === 0) { e.diskStrike = false; continue; }
      const [host, bytes] = over[0]!;
      const mb = Math.round(bytes / 1048576);
      if (!e.diskStrike || !this.provider.pause) {
        e.diskStrike = true;
        this.log(`sandbox ${e.id} ${host} uses ${mb} MB of disk (limit ${this.cfg.hostDiskMb} MB): stopping its containers`);
        for (const [h] of over) {
          const engine = this.provider.engine(e.id, h);
          const running = await engine.listContainers().catch(() => []);
          await Promise.all(running.map((c) => engine.getContainer(c.Id).stop({ t: 1 }).catch(() => undefined)));
        }
        e.error = `${host} used more than its ${this.cfg.hostDiskMb} MB of disk, so its containers were stopped. Delete some files or images (docker system prune), or reset the lab.`;
        this.emitStatus(e);
        continue;
      }
      this.log(`sandbox ${e.id} ${host} still uses ${mb} MB of disk (limit ${this.cfg.hostDiskMb} MB): pausing the sandbox`);
      await this.provider.pause?.(e.id).catch((err: unknown) => this.log(`pausing ${e.id} failed: ${String(err)}`));
      e.status = 'error';
      e.error = `${host} kept using more than its ${this.cfg.hostDiskMb} MB of disk (${mb} MB), so this lab machine was paused. Reset the lab to get a fresh one.`;
      this.emitStatus(e);
    }
  }

  /** Ids whose resources may legitimately be incomplete right now. */
  private busyIds(): Set<string> {
    // Answers from the live state, not a snapshot: a sweep takes seconds, and a sandbox started
    // meanwhile (a workshop reserving a room) is neither complete nor in an old snapshot, so its
    // half-created folders were removed under it ("failed to mount local volume").
    const isBusy = (id: string): boolean => {
      const e = this.entries.get(id);
      return this.destroying.has(id) || (e !== undefined && (e.status === 'starting' || e.status === 'resetting'));
    };
    return new (class extends Set<string> { override has(id: string): boolean { return isBusy(id); } })(
      [...[...this.entries.values()].filter((e) => e.status === 'starting' || e.status === 'resetting').map((e) => e.id), ...this.destroying]);
  }

  private liveCount(): number { return this.entries.size; }

  /**
   * A claim's replacement starts a moment later (DNL_POOL_REFILL_DELAY_MS): starting a host costs
   * seconds of CPU, and on a small machine that would land exactly while the claimer's page loads
   * its terminal. Claims in a row push the refill back; the collector does not refill meanwhile.
   */
  private refillAfterClaim(): void {
    const ms = this.cfg.poolRefillDelayMs;
    if (ms === 0 || this.closed) { void this.refillPool(); return; }
    clearTimeout(this.refillTimer);
    this.refillTimer = setTimeout(() => { this.refillTimer = undefined; void this.refillPool(); }, ms);
    this.refillTimer.unref();
  }

  /** Creates warm sandboxes one at a time (gentle on a small machine) until each pool is full. */
  refillPool(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.refillRun ??= this.refill().finally(() => { this.refillRun = undefined; });
    return this.refillRun;
  }

  private async refill(): Promise<void> {
    {
      for (;;) {
        if (this.closed) return;
        const need = Object.entries(this.poolSpec).find(([h, want]) => this.poolCount(Number(h)) < want);
        if (!need || this.liveCount() >= this.cfg.maxSandboxes) return;
        const e = this.startNew(Number(need[0]), 'pool', '', '');
        await e.settled;
        if (e.status === 'error') {
          await this.destroy(e.id, 'discarded after a failed start').catch(() => undefined);
          return; // try again on the next collector pass rather than spin
        }
        if (e.status === 'ready' && e.state === 'pool') this.log(`warm sandbox ${e.id} ready (${this.poolCount(e.hosts)} of ${need[1]} with ${e.hosts} host${e.hosts > 1 ? 's' : ''})`);
      }
    }
  }

  private poolCount(hosts: number): number {
    return [...this.entries.values()].filter((e) => e.state === 'pool' && e.hosts === hosts && (e.status === 'ready' || e.status === 'starting')).length;
  }

  // ------------------------------------------------------------------ views

  private view(e: Entry): SandboxView {
    return {
      id: e.id,
      status: e.status,
      lesson: e.lesson,
      hosts: Array.from({ length: e.hosts }, (_, i) => {
        const name = `node${i + 1}`;
        return { name, ip: e.info?.hosts.find((h) => h.name === name)?.ip ?? '' };
      }),
      createdAt: e.createdAt,
      expiresAt: e.expiresAt,
      idleExpiresAt: Math.min(e.expiresAt, e.lastActive + this.cfg.idleMinutes * 60_000),
      ...(e.error ? { error: e.error } : {}),
    };
  }

  private emitStatus(e: Entry): void {
    this.emit('status', { ...this.view(e), owner: e.owner });
  }
}
