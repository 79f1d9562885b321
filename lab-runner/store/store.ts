// The runner's durable memory: one SQLite file (<dataDir>/dnl.sqlite) in WAL mode, so the live
// checker's writes never block page reads. Small typed API; every statement is prepared once.
// A pass is recorded ONCE: later passes (the live checker re-evaluates constantly) keep the first
// time, and hint/solution use after that first pass does not count against it.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.ts';

export type Lang = 'en' | 'ko';
export type UseKind = 'hint' | 'solution';

export interface Learner { id: string; lang: Lang; createdAt: number }

export interface ProgressRow {
  lesson: string;
  exercise: string;
  passedAt: number | null;
  usedHint: number;
  usedSolution: boolean;
}

export interface PassOutcome {
  /** true only the first time this exercise passed for this learner. */
  first: boolean;
  passedAt: number;
  usedHint: number;
  usedSolution: boolean;
}

interface RawProgress { lesson: string; exercise: string; passed_at: number | null; used_hint: number; used_solution: number }

export class Store {
  readonly db: Database.Database;
  private readonly now: () => number;
  private readonly q;

  constructor(file: string, opts: { now?: () => number; migrations?: Migration[] } = {}) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.now = opts.now ?? Date.now;
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL'); // safe with WAL; a crash loses at most the last commit
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db, opts.migrations ?? MIGRATIONS, this.now);
    this.q = {
      ensureLearner: this.db.prepare('INSERT INTO learners (id, lang, created_at) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING'),
      getLearner: this.db.prepare<[string], { id: string; lang: Lang; created_at: number }>('SELECT id, lang, created_at FROM learners WHERE id = ?'),
      setLang: this.db.prepare('UPDATE learners SET lang = ? WHERE id = ?'),
      touchRow: this.db.prepare('INSERT INTO progress (learner_id, lesson, exercise, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      useHint: this.db.prepare('UPDATE progress SET used_hint = used_hint + 1, updated_at = ? WHERE learner_id = ? AND lesson = ? AND exercise = ? AND passed_at IS NULL'),
      useSolution: this.db.prepare('UPDATE progress SET used_solution = 1, updated_at = ? WHERE learner_id = ? AND lesson = ? AND exercise = ? AND passed_at IS NULL'),
      pass: this.db.prepare('UPDATE progress SET passed_at = ?, updated_at = ? WHERE learner_id = ? AND lesson = ? AND exercise = ? AND passed_at IS NULL'),
      row: this.db.prepare<[string, string, string], RawProgress>('SELECT lesson, exercise, passed_at, used_hint, used_solution FROM progress WHERE learner_id = ? AND lesson = ? AND exercise = ?'),
      byLesson: this.db.prepare<[string, string], RawProgress>('SELECT lesson, exercise, passed_at, used_hint, used_solution FROM progress WHERE learner_id = ? AND lesson = ? ORDER BY exercise'),
      setAnswer: this.db.prepare('INSERT INTO answers (learner_id, lesson, exercise, value, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at'),
      answer: this.db.prepare<[string, string, string], { value: string }>('SELECT value FROM answers WHERE learner_id = ? AND lesson = ? AND exercise = ?'),
      all: this.db.prepare<[string], RawProgress>('SELECT lesson, exercise, passed_at, used_hint, used_solution FROM progress WHERE learner_id = ? ORDER BY lesson, exercise'),
    };
  }

  ensureLearner(id: string, lang: Lang = 'en'): Learner {
    this.q.ensureLearner.run(id, lang, this.now());
    return this.learner(id)!;
  }

  learner(id: string): Learner | undefined {
    const r = this.q.getLearner.get(id);
    return r ? { id: r.id, lang: r.lang, createdAt: r.created_at } : undefined;
  }

  setLang(id: string, lang: Lang): void {
    this.ensureLearner(id, lang);
    this.q.setLang.run(lang, id);
  }

  /** Records that the learner opened a hint or the solution (ignored once the exercise passed). */
  recordUse(learnerId: string, lesson: string, exercise: string, kind: UseKind): ProgressRow {
    return this.db.transaction(() => {
      const now = this.now();
      this.ensureLearner(learnerId);
      this.q.touchRow.run(learnerId, lesson, exercise, now);
      (kind === 'hint' ? this.q.useHint : this.q.useSolution).run(now, learnerId, lesson, exercise);
      return toRow(this.q.row.get(learnerId, lesson, exercise)!);
    })();
  }

  /** Records a pass; only the first one counts (first: true), later calls return the stored one. */
  recordPass(learnerId: string, lesson: string, exercise: string, at = this.now()): PassOutcome {
    return this.db.transaction(() => {
      this.ensureLearner(learnerId);
      this.q.touchRow.run(learnerId, lesson, exercise, at);
      const first = this.q.pass.run(at, at, learnerId, lesson, exercise).changes === 1;
      const r = toRow(this.q.row.get(learnerId, lesson, exercise)!);
      return { first, passedAt: r.passedAt!, usedHint: r.usedHint, usedSolution: r.usedSolution };
    })();
  }

  /** Stores the learner's latest typed answer for an answer check. */
  setAnswer(learnerId: string, lesson: string, exercise: string, value: string): void {
    this.ensureLearner(learnerId);
    this.q.setAnswer.run(learnerId, lesson, exercise, value, this.now());
  }

  answer(learnerId: string, lesson: string, exercise: string): string | undefined {
    return this.q.answer.get(learnerId, lesson, exercise)?.value;
  }

  progress(learnerId: string, lesson?: string): ProgressRow[] {
    return (lesson ? this.q.byLesson.all(learnerId, lesson) : this.q.all.all(learnerId)).map(toRow);
  }

  close(): void { if (this.db.open) this.db.close(); }
}

function toRow(r: RawProgress): ProgressRow {
  return { lesson: r.lesson, exercise: r.exercise, passedAt: r.passed_at, usedHint: r.used_hint, usedSolution: r.used_solution === 1 };
}

function migrate(db: Database.Database, migrations: Migration[], now: () => number): void {
  db.exec('CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const done = new Set(db.prepare<[], { version: number }>('SELECT version FROM migrations').all().map((r) => r.version));
  const newest = Math.max(0, ...done);
  const known = Math.max(0, ...migrations.map((m) => m.version));
  if (newest > known) throw new Error(`The store was written by a newer runner (schema ${newest}; this runner knows up to ${known}). Upgrade the runner or use another DNL_DATA_DIR.`);
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, now());
    })();
  }
}

/** Opens <dataDir>/dnl.sqlite. */
export function openStore(dataDir: string): Store {
  return new Store(path.join(dataDir, 'dnl.sqlite'));
}
