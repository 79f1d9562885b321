// Workshops: create, join, reserve sandboxes before the start, the live dashboard feed, instructor
// actions (note, reset, extend, end) and results. Docker is reached only through the sandbox
// manager; everything a restart must keep is in SQLite (WorkshopStore) or on sandbox labels.
//
// Reserved sessions: from DNL_WORKSHOP_LEAD_MINUTES before the start, the workshop holds up to
// (capacity − students) sandboxes of its first lesson's topology, owned by a reservation id
// `r_<workshop>_<n>` (a label, so a restarted runner adopts them). A student who joins gets one
// handed over (manager.reassign), so a room joining at once does not wait for cold starts.
//
// Dashboard feed: the live checker records passes and hint use in the store; the store has no
// change events, so one indexed query (progress.updated_at) reads what changed every 500 ms while
// a dashboard is open, and only the changed students are pushed. Joins, sandbox status, notes
// and the workshop's state are pushed the moment they happen.
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import { HttpError } from '../api/http.ts';
import type { SandboxView } from '../../protocol/sandbox.ts';
import {
  formatCode, normalizeCode, type Cell, type DashboardMessage, type DashboardSnapshot, type LessonOutline, type Reservations,
  type StudentMessage, type StudentRow, type StudentWorkshopView, type WorkshopInfo, type WorkshopState,
} from '../../protocol/workshop.ts';
import type { ProgressChange, StudentRecord, WorkshopRow, WorkshopStore } from './store.ts';

export interface CourseLesson extends LessonOutline { hosts: number }
export type CourseLookup = (slug: string) => Promise<CourseLesson | undefined>;

/** The part of the sandbox manager workshops use. */
export interface WorkshopSandboxes {
  claim(learner: string, opts: { hosts?: number; lesson?: string }): Promise<SandboxView>;
  reassign(id: string, owner: string, lesson: string): Promise<SandboxView>;
  reset(id: string): Promise<SandboxView>;
  destroy(id: string, reason?: string): Promise<void>;
  forLearner(learner: string): SandboxView[];
  list(): Array<SandboxView & { owner: string; state: 'pool' | 'claimed' }>;
  touch(id: string): void;
  on(event: 'status', fn: (v: SandboxView & { owner: string }) => void): unknown;
}

export interface WorkshopServiceOptions {
  store: WorkshopStore;
  sandboxes: WorkshopSandboxes;
  course: CourseLookup;
  config: Pick<Config, 'workshopLeadMinutes' | 'maxSandboxes'>;
  now?: () => number;
  /** Scheduler period (reservations, automatic end). */
  tickMs?: number;
  /** Change-feed period while a dashboard is open. */
  feedMs?: number;
  /** Reserved sandboxes started at once (gentle on a small machine). */
  reserveParallel?: number;
  log?: (msg: string) => void;
}

type DashListener = (m: DashboardMessage) => void;
type StudentListener = (m: StudentMessage) => void;

const reservationPrefix = (workshopId: string): string => `r_${workshopId}_`;

export class WorkshopService {
  private readonly store: WorkshopStore;
  private readonly sb: WorkshopSandboxes;
  private readonly now: () => number;
  private readonly log: (msg: string) => void;
  private readonly dash = new Map<string, Set<DashListener>>();
  private readonly studentsLive = new Map<string, Set<StudentListener>>(); // learner → listeners
  private readonly lastState = new Map<string, WorkshopState>();
  private readonly reserving = new Map<string, Promise<void>>();
  private readonly problems = new Map<string, string>();
  private readonly cellCache = new Map<string, string>();
  private feedCursor: number;
  private tickTimer: NodeJS.Timeout | undefined;
  private feedTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: WorkshopServiceOptions) {
    this.store = opts.store;
    this.sb = opts.sandboxes;
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? ((m) => console.log(`[workshop] ${m}`));
    this.feedCursor = this.now();
    this.sb.on('status', (v) => {
      // The manager still reports while the runner shuts down, after this store has closed.
      if (this.closed) return;
      if (!v.owner || v.owner.startsWith('r_')) {
        const wid = /^r_(w_[0-9a-f]+)_/.exec(v.owner)?.[1];
        if (!wid) return;
        if (this.dash.has(wid)) this.pushReservations(wid);
        // A reserved machine finished starting (or failed): start the next ones without waiting for the tick.
        const w = v.status !== 'starting' ? this.store.get(wid) : undefined;
        if (w && this.stateOf(w) !== 'ended') this.reserve(w);
        return;
      }
      for (const m of this.store.memberships(v.owner)) {
        if (!m.ended && this.dash.has(m.workshopId)) void this.pushStudent(m.workshopId, m).catch(() => undefined);
      }
    });
  }

  start(): void {
    void this.tick();
    this.tickTimer = setInterval(() => { void this.tick(); }, this.opts.tickMs ?? 5_000);
    this.tickTimer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.feedTimer) clearInterval(this.feedTimer);
  }

  // ------------------------------------------------------------------ views

  stateOf(w: WorkshopRow, now = this.now()): WorkshopState {
    if (w.endedAt !== null || now >= w.endsAt) return 'ended';
    return now < w.startsAt ? 'scheduled' : 'live';
  }

  private async outline(w: WorkshopRow): Promise<CourseLesson[]> {
    const out: CourseLesson[] = [];
    for (const slug of w.lessons) {
      const l = await this.opts.course(slug);
      if (l) out.push(l);
    }
    return out;
  }

  async info(w: WorkshopRow): Promise<WorkshopInfo> {
    return {
      id: w.id, code: w.code, title: w.title, state: this.stateOf(w), capacity: w.capacity, startsAt: w.startsAt,
      endsAt: w.endsAt, endedAt: w.endedAt, hasPasscode: w.hasPasscode, stuckMinutes: w.stuckMinutes, note: w.note,
      noteAt: w.noteAt, lessons: (await this.outline(w)).map(({ slug, title, exercises }) => ({ slug, title, exercises })),
    };
  }

  async studentView(w: WorkshopRow, s: StudentRecord): Promise<StudentWorkshopView> {
    const i = await this.info(w);
    return { id: w.id, title: w.title, state: i.state, startsAt: w.startsAt, endsAt: w.endsAt, lessons: i.lessons, note: w.note, noteAt: w.noteAt, name: s.name };
  }

  private row(w: WorkshopRow, s: StudentRecord, progress: ProgressChange[]): StudentRow {
    const cells: Record<string, Cell> = {};
    let last = s.joinedAt;
    for (const p of progress) {
      if (p.learnerId !== s.learnerId || !w.lessons.includes(p.lesson)) continue;
      cells[`${p.lesson}/${p.exercise}`] = { passedAt: p.passedAt, usedHint: p.usedHint, usedSolution: p.usedSolution };
      if (p.passedAt !== null && p.passedAt > last) last = p.passedAt;
    }
    const sbx = this.sb.forLearner(s.learnerId)[0];
    return {
      sid: s.sid, name: s.name, joinedAt: s.joinedAt, cells, lastProgressAt: last,
      sandbox: sbx ? { id: sbx.id, status: sbx.status, lesson: sbx.lesson, hosts: sbx.hosts.map((h) => h.name) } : null,
    };
  }

  reservations(w: WorkshopRow): Reservations {
    const mine = this.sb.list().filter((s) => s.owner.startsWith(reservationPrefix(w.id)));
    const wanted = this.stateOf(w) === 'ended' || this.now() < w.startsAt - this.opts.config.workshopLeadMinutes * 60_000
      ? 0 : Math.max(0, w.capacity - this.store.count(w.id));
    const problem = this.problems.get(w.id);
    return {
      wanted, ready: mine.filter((s) => s.status === 'ready').length, starting: mine.filter((s) => s.status === 'starting').length,
      ...(problem ? { problem } : {}),
    };
  }

  async snapshot(w: WorkshopRow): Promise<DashboardSnapshot> {
    const progress = this.store.progressOf(w.id);
    return {
      workshop: await this.info(w),
      students: this.store.students(w.id).map((s) => this.row(w, s, progress)),
      reservations: this.reservations(w),
      now: this.now(),
    };
  }

  // ------------------------------------------------------------------ instructor side

  async create(input: { title: string; lessons: string[]; capacity: number; startsAt: number; endsAt: number; passcode?: string; stuckMinutes: number }): Promise<{ workshop: WorkshopRow; key: string }> {
    const now = this.now();
    if (input.endsAt <= now) throw new HttpError(400, 'Invalid request: endsAt: the workshop would already be over; pick an end time in the future.', 'invalid');
    if (input.endsAt - input.startsAt > 24 * 3600_000) throw new HttpError(400, 'Invalid request: endsAt: a workshop lasts at most 24 hours.', 'invalid');
    for (const slug of input.lessons) {
      if (!(await this.opts.course(slug))) throw new HttpError(400, `Invalid request: lessons: there is no lesson ${slug}.`, 'invalid');
    }
    if (input.capacity > this.opts.config.maxSandboxes) {
      throw new HttpError(400, `Invalid request: capacity: this server runs at most ${this.opts.config.maxSandboxes} sandboxes (DNL_MAX_SANDBOXES); lower the capacity or raise that setting.`, 'invalid');
    }
    const made = this.store.create(input);
    this.log(`workshop ${made.workshop.id} "${made.workshop.title}" created: code ${formatCode(made.workshop.code)}, capacity ${input.capacity}`);
    void this.tick();
    return made;
  }

  /** Binds this browser (learner cookie) as an instructor of the workshop the key opens. */
  teach(key: string, learner: string): WorkshopRow {
    const w = this.store.byKey(key);
    if (!w) throw new HttpError(404, 'This instructor link is not valid. Copy the whole link you got when the workshop was created.', 'not_found');
    this.store.bindInstructor(w.id, learner);
    return w;
  }

  /** The workshop, if `learner` is bound as its instructor; 404 otherwise (students learn nothing). */
  instructorOf(workshopId: string, learner: string | undefined): WorkshopRow {
    const w = /^w_[0-9a-f]{12}$/.test(workshopId) ? this.store.get(workshopId) : undefined;
    if (!w || !learner || !this.store.isInstructor(w.id, learner)) {
      throw new HttpError(404, 'There is no dashboard here for you. Open the instructor link again.', 'not_found');
    }
    return w;
  }

  async setNote(w: WorkshopRow, text: string): Promise<WorkshopRow> {
    this.mustBeOpen(w);
    this.store.setNote(w.id, text);
    const now = this.store.get(w.id)!;
    await this.broadcast(now);
    return now;
  }

  async extend(w: WorkshopRow, minutes: number): Promise<WorkshopRow> {
    this.mustBeOpen(w);
    const base = Math.max(w.endsAt, this.now());
    this.store.setEndsAt(w.id, base + minutes * 60_000);
    const now = this.store.get(w.id)!;
    this.log(`workshop ${w.id} extended by ${minutes} min`);
    await this.broadcast(now);
    return now;
  }

  /** Ends the workshop: every sandbox of its students and its reservations goes; results stay. */
  async end(w: WorkshopRow, why = 'ended by the instructor'): Promise<WorkshopRow> {
    this.store.end(w.id);
    const ended = this.store.get(w.id)!;
    const owners = new Set([...this.store.students(w.id).map((s) => s.learnerId)]);
    const doomed = this.sb.list().filter((s) => owners.has(s.owner) || s.owner.startsWith(reservationPrefix(w.id)));
    await Promise.all(doomed.map((s) => this.sb.destroy(s.id, `removed: the workshop has ended (${why})`).catch((err: unknown) => this.log(`could not remove ${s.id}: ${String(err)}`))));
    this.log(`workshop ${w.id} ${why}: removed ${doomed.length} sandbox(es)`);
    await this.broadcast(ended);
    return ended;
  }

  async resetStudent(w: WorkshopRow, sid: number): Promise<SandboxView[]> {
    this.mustBeOpen(w);
    const s = this.store.studentBySid(w.id, sid);
    if (!s) throw new HttpError(404, `This workshop has no student #${sid}.`, 'not_found');
    const boxes = this.sb.forLearner(s.learnerId);
    if (!boxes.length) throw new HttpError(409, `${s.name} has no lab machine right now (it starts when they open a lesson).`, 'no_sandbox');
    const out = await Promise.all(boxes.map((b) => this.sb.reset(b.id)));
    this.log(`workshop ${w.id}: reset the lab of student #${sid}`);
    return out;
  }

  /** One line per student × exercise; spreadsheet-safe (formula prefixes neutralised). */
  async csv(w: WorkshopRow): Promise<string> {
    const snap = await this.snapshot(w);
    const lines = [['student', 'joined_at', 'lesson', 'exercise', 'passed', 'passed_at', 'seconds_to_pass', 'hints_used', 'solution_used'].join(',')];
    for (const s of snap.students) {
      for (const l of snap.workshop.lessons) {
        for (const x of l.exercises) {
          const c = s.cells[`${l.slug}/${x.id}`];
          const passedAt = c?.passedAt ?? null;
          const secs = passedAt !== null ? Math.max(0, Math.round((passedAt - Math.max(s.joinedAt, w.startsAt)) / 1000)) : '';
          lines.push([csvCell(s.name), iso(s.joinedAt), l.slug, x.id, passedAt !== null ? 'yes' : 'no', passedAt !== null ? iso(passedAt) : '', String(secs), String(c?.usedHint ?? 0), c?.usedSolution ? 'yes' : 'no'].join(','));
        }
      }
    }
    return lines.join('\r\n') + '\r\n';
  }

  private mustBeOpen(w: WorkshopRow): void {
    if (this.stateOf(w) === 'ended') throw new HttpError(409, 'This workshop has ended; its results stay available for export.', 'ended');
  }

  // ------------------------------------------------------------------ student side

  /** Joins with a code and a name; hands over a reserved sandbox when one is there. */
  async join(learner: string, input: { code: string; name: string; passcode?: string }): Promise<{ workshop: StudentWorkshopView; firstLesson: string }> {
    const code = normalizeCode(input.code);
    const w = code ? this.store.byCode(code) : undefined;
    if (!w) throw new HttpError(404, `No workshop has the code ${input.code.trim().toUpperCase()}. Check the code your instructor shows (letters and digits, like ABC-234).`, 'bad_code');
    if (this.stateOf(w) === 'ended') throw new HttpError(410, `"${w.title}" has ended. Ask your instructor for the new code.`, 'ended');
    const already = this.store.student(w.id, learner);
    if (!already && !this.store.passcodeOk(w.id, input.passcode)) {
      throw new HttpError(403, input.passcode ? 'That passcode is not right. Ask your instructor for it again.' : 'This workshop needs a passcode. Ask your instructor for it.', 'passcode');
    }
    if (this.store.nameTaken(w.id, input.name, learner)) {
      throw new HttpError(409, `Someone in this workshop already goes by "${input.name}". Add an initial or a surname.`, 'name_taken');
    }
    const joined = this.store.join(w.id, learner, input.name, w.capacity);
    if (joined === 'full') throw new HttpError(409, `"${w.title}" is full: all ${w.capacity} places are taken. Ask your instructor to make room.`, 'full');
    if (joined.isNew) {
      this.log(`workshop ${w.id}: student #${joined.student.sid} joined`);
      await this.handOver(w, learner);
    }
    if (this.dash.has(w.id)) { await this.pushStudent(w.id, joined.student); this.pushReservations(w.id); }
    return { workshop: await this.studentView(w, joined.student), firstLesson: w.lessons[0]! };
  }

  private async handOver(w: WorkshopRow, learner: string): Promise<void> {
    if (this.sb.forLearner(learner).length) return; // they already have a lab (their own page will use it)
    const first = await this.opts.course(w.lessons[0]!);
    const reserved = this.sb.list()
      .filter((s) => s.owner.startsWith(reservationPrefix(w.id)) && (s.status === 'ready' || s.status === 'starting') && s.hosts.length === (first?.hosts ?? 1))
      .sort((a, b) => (a.status === b.status ? a.createdAt - b.createdAt : a.status === 'ready' ? -1 : 1));
    for (const r of reserved) {
      try {
        await this.sb.reassign(r.id, learner, w.lessons[0]!);
        return;
      } catch (err) {
        this.log(`hand-over of ${r.id} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /**
   * The learner's workshop: the newest they joined. An ended one still shows (with its end
   * message) for 12 hours, then the learner is simply self-paced again.
   */
  mine(learner: string): { w: WorkshopRow; s: StudentRecord } | undefined {
    const m = this.store.memberships(learner)[0];
    const w = m ? this.store.get(m.workshopId) : undefined;
    if (!m || !w) return undefined;
    const endedAt = w.endedAt ?? (this.now() >= w.endsAt ? w.endsAt : null);
    if (endedAt !== null && this.now() - endedAt > 12 * 3600_000) return undefined;
    return { w, s: m };
  }

  // ------------------------------------------------------------------ push channels

  async subscribeDashboard(w: WorkshopRow, fn: DashListener): Promise<() => void> {
    let set = this.dash.get(w.id);
    if (!set) { set = new Set(); this.dash.set(w.id, set); }
    set.add(fn);
    this.ensureFeed();
    fn({ type: 'snapshot', snapshot: await this.snapshot(w) });
    return () => {
      set.delete(fn);
      if (set.size === 0) this.dash.delete(w.id);
    };
  }

  subscribeStudent(learner: string, fn: StudentListener): () => void {
    let set = this.studentsLive.get(learner);
    if (!set) { set = new Set(); this.studentsLive.set(learner, set); }
    set.add(fn);
    return () => { set.delete(fn); if (set.size === 0) this.studentsLive.delete(learner); };
  }

  private emitDash(workshopId: string, m: DashboardMessage): void {
    for (const fn of this.dash.get(workshopId) ?? []) { try { fn(m); } catch { /* a closing socket */ } }
  }

  private async pushStudent(workshopId: string, s: StudentRecord): Promise<void> {
    const w = this.store.get(workshopId);
    if (!w) return;
    const progress = this.store.progressOfLearner(s.learnerId);
    this.emitDash(workshopId, { type: 'student', student: this.row(w, s, progress) });
  }

  private pushReservations(workshopId: string): void {
    const w = this.store.get(workshopId);
    if (w) this.emitDash(workshopId, { type: 'reservations', reservations: this.reservations(w) });
  }

  /** Tells the dashboard and every student page of the workshop what changed (note, end time, state). */
  private async broadcast(w: WorkshopRow): Promise<void> {
    this.lastState.set(w.id, this.stateOf(w));
    this.emitDash(w.id, { type: 'workshop', workshop: await this.info(w) });
    this.pushReservations(w.id);
    for (const s of this.store.students(w.id)) {
      const fns = this.studentsLive.get(s.learnerId);
      if (!fns?.size) continue;
      // A student in a newer workshop keeps seeing that one.
      if (this.mine(s.learnerId)?.w.id !== w.id) continue;
      const view: StudentMessage = { type: 'workshop', workshop: await this.studentView(w, s) };
      for (const fn of fns) { try { fn(view); } catch { /* closing */ } }
    }
  }

  private ensureFeed(): void {
    if (this.feedTimer || this.closed) return;
    this.feedTimer = setInterval(() => {
      if (this.dash.size === 0) { clearInterval(this.feedTimer); this.feedTimer = undefined; this.cellCache.clear(); return; }
      try { this.feed(); } catch (err) { this.log(`change feed failed: ${String(err)}`); }
    }, this.opts.feedMs ?? 500);
    this.feedTimer.unref();
  }

  /** Pushes the students whose progress rows changed since the last pass. */
  private feed(): void {
    // Re-read a 2 s overlap (a pass is stamped with the time its check started) and diff, so a
    // row written with a slightly older time is never missed and never pushed twice.
    const since = this.feedCursor - 2_000;
    const rows = this.store.changedSince(since);
    const touched = new Set<string>();
    for (const r of rows) {
      const key = `${r.learnerId}/${r.lesson}/${r.exercise}`;
      const sig = `${r.passedAt}|${r.usedHint}|${r.usedSolution}`;
      if (this.cellCache.get(key) === sig) continue;
      this.cellCache.set(key, sig);
      touched.add(r.learnerId);
      if (r.updatedAt > this.feedCursor) this.feedCursor = r.updatedAt;
    }
    this.feedCursor = Math.max(this.feedCursor, this.now() - 1_000);
    if (this.cellCache.size > 50_000) this.cellCache.clear();
    for (const learner of touched) {
      for (const m of this.store.memberships(learner)) {
        if (!m.ended && this.dash.has(m.workshopId)) void this.pushStudent(m.workshopId, m).catch(() => undefined);
      }
    }
  }

  // ------------------------------------------------------------------ the clock

  async tick(): Promise<void> {
    if (this.closed) return;
    const now = this.now();
    for (const w of this.store.open()) {
      try {
        if (now >= w.endsAt) { await this.end(w, 'reached its end time'); continue; }
        const state = this.stateOf(w, now);
        if (this.lastState.get(w.id) !== state) {
          if (this.lastState.has(w.id)) await this.broadcast(w);
          else this.lastState.set(w.id, state);
        }
        if (now >= w.startsAt - this.opts.config.workshopLeadMinutes * 60_000) this.reserve(w);
      } catch (err) {
        this.log(`workshop ${w.id}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** Keeps (capacity − students) reserved sandboxes, starting a few at a time. */
  private reserve(w: WorkshopRow): void {
    if (this.reserving.has(w.id)) return;
    const run = this.reserveOnce(w).catch((err: unknown) => this.log(`reserving for ${w.id} failed: ${String(err)}`))
      .finally(() => { this.reserving.delete(w.id); if (this.dash.has(w.id)) this.pushReservations(w.id); });
    this.reserving.set(w.id, run);
  }

  private async reserveOnce(w: WorkshopRow): Promise<void> {
    const parallel = this.opts.reserveParallel ?? 3;
    const first = await this.opts.course(w.lessons[0]!);
    const hosts = first?.hosts ?? 1;
    for (;;) {
      if (this.closed) return;
      const fresh = this.store.get(w.id);
      if (!fresh || this.stateOf(fresh) === 'ended') return;
      const mine = this.sb.list().filter((s) => s.owner.startsWith(reservationPrefix(w.id)));
      for (const s of mine) this.sb.touch(s.id); // reserved machines must not idle out before the room arrives
      const failed = mine.filter((s) => s.status === 'error');
      for (const s of failed) await this.sb.destroy(s.id, 'discarded after a failed start').catch(() => undefined);
      const live = mine.filter((s) => s.status === 'ready' || s.status === 'starting');
      const wanted = Math.max(0, fresh.capacity - this.store.count(w.id));
      if (live.length > wanted) {
        const extra = live.sort((a, b) => (a.status === b.status ? 0 : a.status === 'starting' ? -1 : 1)).slice(0, live.length - wanted);
        for (const s of extra) await this.sb.destroy(s.id, 'no longer needed by the workshop').catch(() => undefined);
        return;
      }
      const starting = live.filter((s) => s.status === 'starting').length;
      if (live.length === wanted) { this.problems.delete(w.id); return; }
      if (starting >= parallel) return; // the next tick (or a status event) continues
      try {
        await this.sb.claim(`${reservationPrefix(w.id)}${randomBytes(3).toString('hex')}`, { hosts, lesson: w.lessons[0] });
        this.problems.delete(w.id);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        if (this.problems.get(w.id) !== msg) this.log(`workshop ${w.id}: could not reserve a sandbox: ${msg}`);
        this.problems.set(w.id, `Only ${live.length} of ${wanted} sandboxes could be reserved: ${msg}`);
        return;
      }
      if (this.dash.has(w.id)) this.pushReservations(w.id);
    }
  }
}

function iso(ms: number): string { return new Date(ms).toISOString(); }

/** RFC 4180 quoting; a leading =, +, -, @ is prefixed with ' so a spreadsheet never runs it. */
export function csvCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
