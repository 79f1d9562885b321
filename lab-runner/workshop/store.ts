// Workshops in SQLite (the runner's one store, migration 3): workshops, their students and the
// browsers bound as instructors. Secrets are kept only as hashes: the instructor key (high
// entropy) as sha256, the passcode (low entropy) with scrypt and a salt.
import { createHash, randomBytes, randomInt, scryptSync, timingSafeEqual } from 'node:crypto';
import type Database from 'better-sqlite3';
import { CODE_ALPHABET, CODE_LENGTH } from '../../protocol/workshop.ts';

export interface WorkshopRow {
  id: string;
  code: string;
  title: string;
  lessons: string[];
  capacity: number;
  startsAt: number;
  endsAt: number;
  endedAt: number | null;
  hasPasscode: boolean;
  stuckMinutes: number;
  note: string;
  noteAt: number | null;
  createdAt: number;
}

export interface StudentRecord { sid: number; workshopId: string; learnerId: string; name: string; joinedAt: number }

export interface ProgressChange {
  learnerId: string; lesson: string; exercise: string;
  passedAt: number | null; usedHint: number; usedSolution: boolean; updatedAt: number;
}

interface RawWorkshop {
  id: string; code: string; title: string; lessons: string; capacity: number; starts_at: number; ends_at: number;
  ended_at: number | null; passcode_hash: string | null; key_hash: string; stuck_minutes: number; note: string;
  note_at: number | null; created_at: number;
}
interface RawStudent { sid: number; workshop_id: string; learner_id: string; name: string; joined_at: number }

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

function hashPasscode(pass: string): string {
  const salt = randomBytes(16);
  return `${salt.toString('base64url')}:${scryptSync(pass, salt, 32).toString('base64url')}`;
}
function passcodeMatches(stored: string, pass: string): boolean {
  const [salt, hash] = stored.split(':');
  if (!salt || !hash) return false;
  const got = scryptSync(pass, Buffer.from(salt, 'base64url'), 32);
  const want = Buffer.from(hash, 'base64url');
  return got.length === want.length && timingSafeEqual(got, want);
}

export function newJoinCode(): string {
  let c = '';
  for (let i = 0; i < CODE_LENGTH; i++) c += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return c;
}

function toWorkshop(r: RawWorkshop): WorkshopRow {
  return {
    id: r.id, code: r.code, title: r.title, lessons: JSON.parse(r.lessons) as string[], capacity: r.capacity,
    startsAt: r.starts_at, endsAt: r.ends_at, endedAt: r.ended_at, hasPasscode: r.passcode_hash !== null,
    stuckMinutes: r.stuck_minutes, note: r.note, noteAt: r.note_at, createdAt: r.created_at,
  };
}
const toStudent = (r: RawStudent): StudentRecord => ({ sid: r.sid, workshopId: r.workshop_id, learnerId: r.learner_id, name: r.name, joinedAt: r.joined_at });

export class WorkshopStore {
  private readonly q;

  constructor(readonly db: Database.Database, private readonly now: () => number = Date.now) {
    this.q = {
      insert: db.prepare(`INSERT INTO workshops (id, code, title, lessons, capacity, starts_at, ends_at, passcode_hash, key_hash, stuck_minutes, created_at)
        VALUES (@id, @code, @title, @lessons, @capacity, @startsAt, @endsAt, @passcodeHash, @keyHash, @stuckMinutes, @createdAt)`),
      byId: db.prepare<[string], RawWorkshop>('SELECT * FROM workshops WHERE id = ?'),
      byCode: db.prepare<[string], RawWorkshop>('SELECT * FROM workshops WHERE code = ?'),
      byKey: db.prepare<[string], RawWorkshop>('SELECT * FROM workshops WHERE key_hash = ?'),
      open: db.prepare<[], RawWorkshop>('SELECT * FROM workshops WHERE ended_at IS NULL'),
      end: db.prepare('UPDATE workshops SET ended_at = ? WHERE id = ? AND ended_at IS NULL'),
      extend: db.prepare('UPDATE workshops SET ends_at = ? WHERE id = ?'),
      note: db.prepare('UPDATE workshops SET note = ?, note_at = ? WHERE id = ?'),
      students: db.prepare<[string], RawStudent>('SELECT * FROM workshop_students WHERE workshop_id = ? ORDER BY sid'),
      student: db.prepare<[string, string], RawStudent>('SELECT * FROM workshop_students WHERE workshop_id = ? AND learner_id = ?'),
      studentBySid: db.prepare<[string, number], RawStudent>('SELECT * FROM workshop_students WHERE workshop_id = ? AND sid = ?'),
      count: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM workshop_students WHERE workshop_id = ?'),
      nameTaken: db.prepare<[string, string, string], { n: number }>('SELECT count(*) AS n FROM workshop_students WHERE workshop_id = ? AND lower(name) = lower(?) AND learner_id <> ?'),
      addStudent: db.prepare('INSERT INTO workshop_students (workshop_id, learner_id, name, joined_at) VALUES (?, ?, ?, ?)'),
      rename: db.prepare('UPDATE workshop_students SET name = ? WHERE workshop_id = ? AND learner_id = ?'),
      memberships: db.prepare<[string], RawStudent & { ended_at: number | null }>(
        'SELECT s.*, w.ended_at FROM workshop_students s JOIN workshops w ON w.id = s.workshop_id WHERE s.learner_id = ? ORDER BY s.joined_at DESC'),
      bind: db.prepare('INSERT INTO workshop_instructors (workshop_id, learner_id, bound_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      isInstructor: db.prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM workshop_instructors WHERE workshop_id = ? AND learner_id = ?'),
      canView: db.prepare<[string, string], { n: number }>(`SELECT count(*) AS n FROM workshop_students s
        JOIN workshop_instructors i ON i.workshop_id = s.workshop_id
        JOIN workshops w ON w.id = s.workshop_id
        WHERE s.learner_id = ? AND i.learner_id = ? AND w.ended_at IS NULL`),
      progressOf: db.prepare<[string], { learner_id: string; lesson: string; exercise: string; passed_at: number | null; used_hint: number; used_solution: number; updated_at: number }>(
        `SELECT p.learner_id, p.lesson, p.exercise, p.passed_at, p.used_hint, p.used_solution, p.updated_at
         FROM progress p JOIN workshop_students s ON s.learner_id = p.learner_id WHERE s.workshop_id = ?`),
      progressOfLearner: db.prepare<[string], { learner_id: string; lesson: string; exercise: string; passed_at: number | null; used_hint: number; used_solution: number; updated_at: number }>(
        'SELECT learner_id, lesson, exercise, passed_at, used_hint, used_solution, updated_at FROM progress WHERE learner_id = ?'),
      changedSince: db.prepare<[number], { learner_id: string; lesson: string; exercise: string; passed_at: number | null; used_hint: number; used_solution: number; updated_at: number }>(
        'SELECT learner_id, lesson, exercise, passed_at, used_hint, used_solution, updated_at FROM progress WHERE updated_at >= ?'),
    };
  }

  /** Creates a workshop with a fresh join code; returns it and the instructor key (shown once). */
  create(input: { title: string; lessons: string[]; capacity: number; startsAt: number; endsAt: number; passcode?: string; stuckMinutes: number }): { workshop: WorkshopRow; key: string } {
    const key = randomBytes(24).toString('base64url');
    const id = 'w_' + randomBytes(6).toString('hex');
    for (let attempt = 0; ; attempt++) {
      const code = newJoinCode();
      try {
        this.q.insert.run({
          id, code, title: input.title, lessons: JSON.stringify(input.lessons), capacity: input.capacity,
          startsAt: input.startsAt, endsAt: input.endsAt, passcodeHash: input.passcode ? hashPasscode(input.passcode) : null,
          keyHash: sha256(key), stuckMinutes: input.stuckMinutes, createdAt: this.now(),
        });
        return { workshop: this.get(id)!, key };
      } catch (err) {
        // A join code already in use (1 in ~900 million per workshop): draw another.
        if (attempt < 5 && err instanceof Error && /UNIQUE constraint failed: workshops.code/.test(err.message)) continue;
        throw err;
      }
    }
  }

  get(id: string): WorkshopRow | undefined { const r = this.q.byId.get(id); return r ? toWorkshop(r) : undefined; }
  byCode(code: string): WorkshopRow | undefined { const r = this.q.byCode.get(code); return r ? toWorkshop(r) : undefined; }
  byKey(key: string): WorkshopRow | undefined { const r = this.q.byKey.get(sha256(key)); return r ? toWorkshop(r) : undefined; }
  open(): WorkshopRow[] { return this.q.open.all().map(toWorkshop); }

  passcodeOk(id: string, pass: string | undefined): boolean {
    const r = this.q.byId.get(id);
    if (!r?.passcode_hash) return true;
    return pass !== undefined && passcodeMatches(r.passcode_hash, pass);
  }

  /** true when this call ended it (false: it had already ended). */
  end(id: string, at = this.now()): boolean { return this.q.end.run(at, id).changes === 1; }
  setEndsAt(id: string, endsAt: number): void { this.q.extend.run(endsAt, id); }
  setNote(id: string, text: string): void { this.q.note.run(text, text ? this.now() : null, id); }

  students(workshopId: string): StudentRecord[] { return this.q.students.all(workshopId).map(toStudent); }
  student(workshopId: string, learnerId: string): StudentRecord | undefined { const r = this.q.student.get(workshopId, learnerId); return r ? toStudent(r) : undefined; }
  studentBySid(workshopId: string, sid: number): StudentRecord | undefined { const r = this.q.studentBySid.get(workshopId, sid); return r ? toStudent(r) : undefined; }
  count(workshopId: string): number { return this.q.count.get(workshopId)!.n; }
  nameTaken(workshopId: string, name: string, learnerId: string): boolean { return this.q.nameTaken.get(workshopId, name, learnerId)!.n > 0; }

  /**
   * Adds the learner (or renames them when they join again). Capacity is checked inside the
   * same transaction, so a room joining at once cannot overfill the workshop.
   */
  join(workshopId: string, learnerId: string, name: string, capacity: number): { student: StudentRecord; isNew: boolean } | 'full' {
    return this.db.transaction(() => {
      const existing = this.student(workshopId, learnerId);
      if (existing) {
        if (existing.name !== name) this.q.rename.run(name, workshopId, learnerId);
        return { student: { ...existing, name }, isNew: false };
      }
      if (this.count(workshopId) >= capacity) return 'full' as const;
      this.q.addStudent.run(workshopId, learnerId, name, this.now());
      return { student: this.student(workshopId, learnerId)!, isNew: true };
    }).immediate();
  }

  /** The learner's memberships, newest first (with whether each workshop has ended). */
  memberships(learnerId: string): Array<StudentRecord & { ended: boolean }> {
    return this.q.memberships.all(learnerId).map((r) => ({ ...toStudent(r), ended: r.ended_at !== null }));
  }

  bindInstructor(workshopId: string, learnerId: string): void { this.q.bind.run(workshopId, learnerId, this.now()); }
  isInstructor(workshopId: string, learnerId: string): boolean { return this.q.isInstructor.get(workshopId, learnerId)!.n > 0; }
  /** May `viewer` watch sandboxes of `owner`: viewer is an instructor of an open workshop owner is a student of. */
  canView(viewer: string, owner: string): boolean { return this.q.canView.get(owner, viewer)!.n > 0; }

  progressOf(workshopId: string): ProgressChange[] { return this.q.progressOf.all(workshopId).map(toChange); }
  progressOfLearner(learnerId: string): ProgressChange[] { return this.q.progressOfLearner.all(learnerId).map(toChange); }
  changedSince(at: number): ProgressChange[] { return this.q.changedSince.all(at).map(toChange); }
}

function toChange(r: { learner_id: string; lesson: string; exercise: string; passed_at: number | null; used_hint: number; used_solution: number; updated_at: number }): ProgressChange {
  return { learnerId: r.learner_id, lesson: r.lesson, exercise: r.exercise, passedAt: r.passed_at, usedHint: r.used_hint, usedSolution: r.used_solution === 1, updatedAt: r.updated_at };
}
