// Schema history of the store, oldest first. A migration is never edited once released: add a
// new one at the end (workshops will arrive as migration 2+). Each runs in one transaction and
// is recorded in the migrations table, so a store opened by a newer runner upgrades in place.
export interface Migration { version: number; name: string; sql: string }

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'learners and progress',
    sql: `
      CREATE TABLE learners (
        id          TEXT PRIMARY KEY,              -- signed-cookie learner id (l_…)
        lang        TEXT NOT NULL DEFAULT 'en',    -- 'en' | 'ko': the learner's chosen language
        created_at  INTEGER NOT NULL               -- epoch ms
      ) STRICT;
      CREATE TABLE progress (
        learner_id    TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
        lesson        TEXT NOT NULL,               -- lesson folder name, e.g. 05-bridge
        exercise      TEXT NOT NULL,               -- exercise id inside the lesson
        passed_at     INTEGER,                     -- epoch ms of the FIRST pass; NULL until then
        used_hint     INTEGER NOT NULL DEFAULT 0,  -- hints revealed before the first pass
        used_solution INTEGER NOT NULL DEFAULT 0,  -- 1 if the solution was opened before the first pass
        updated_at    INTEGER NOT NULL,
        PRIMARY KEY (learner_id, lesson, exercise)
      ) STRICT;
      CREATE INDEX progress_by_lesson ON progress(lesson, exercise);
    `,
  },
  {
    version: 2,
    name: 'answers typed by learners',
    sql: `
      CREATE TABLE answers (
        learner_id  TEXT NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
        lesson      TEXT NOT NULL,
        exercise    TEXT NOT NULL,
        value       TEXT NOT NULL,               -- the latest answer typed for an answer check
        updated_at  INTEGER NOT NULL,
        PRIMARY KEY (learner_id, lesson, exercise)
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: 'instructor-led workshops',
    sql: `
      CREATE TABLE workshops (
        id              TEXT PRIMARY KEY,            -- w_…
        code            TEXT NOT NULL UNIQUE,        -- join code, 6 chars of CODE_ALPHABET
        title           TEXT NOT NULL,
        lessons         TEXT NOT NULL,               -- JSON array of lesson slugs, in order
        capacity        INTEGER NOT NULL,
        starts_at       INTEGER NOT NULL,            -- epoch ms
        ends_at         INTEGER NOT NULL,            -- epoch ms (extend moves it)
        ended_at        INTEGER,                     -- epoch ms once ended (by hand or at ends_at)
        passcode_hash   TEXT,                        -- scrypt salt:hash, NULL without passcode
        key_hash        TEXT NOT NULL UNIQUE,        -- sha256 of the instructor link's key
        stuck_minutes   INTEGER NOT NULL,
        note            TEXT NOT NULL DEFAULT '',
        note_at         INTEGER,
        created_at      INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE workshop_students (
        sid          INTEGER PRIMARY KEY,            -- shown to the instructor instead of the learner id
        workshop_id  TEXT NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
        learner_id   TEXT NOT NULL,
        name         TEXT NOT NULL,
        joined_at    INTEGER NOT NULL,
        UNIQUE (workshop_id, learner_id)
      ) STRICT;
      CREATE UNIQUE INDEX workshop_students_name ON workshop_students(workshop_id, lower(name));
      CREATE INDEX workshop_students_by_learner ON workshop_students(learner_id);
      CREATE TABLE workshop_instructors (
        workshop_id  TEXT NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
        learner_id   TEXT NOT NULL,                  -- a browser that opened the instructor link
        bound_at     INTEGER NOT NULL,
        PRIMARY KEY (workshop_id, learner_id)
      ) STRICT;
      CREATE INDEX progress_by_updated ON progress(updated_at);  -- the dashboard's change feed
    `,
  },
];
