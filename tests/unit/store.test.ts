import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { Store, openStore } from '../../lab-runner/store/store.ts';
import { MIGRATIONS } from '../../lab-runner/store/migrations.ts';

function tmpDir(t: { after: (fn: () => void) => void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dnl-store-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

test('a pass is recorded once: the first time stays, later passes report first=false', (t) => {
  let now = 1000;
  const s = new Store(':memory:', { now: () => now });
  t.after(() => s.close());
  const a = s.recordPass('l_1', '05-bridge', 'create-network');
  assert.equal(a.first, true);
  assert.equal(a.passedAt, 1000);
  now = 5000;
  const b = s.recordPass('l_1', '05-bridge', 'create-network');
  assert.equal(b.first, false);
  assert.equal(b.passedAt, 1000);
  assert.equal(s.progress('l_1').length, 1);
});

test('hint and solution use count only before the first pass', (t) => {
  const s = new Store(':memory:');
  t.after(() => s.close());
  s.recordUse('l_1', '05-bridge', 'ping', 'hint');
  s.recordUse('l_1', '05-bridge', 'ping', 'hint');
  const p = s.recordPass('l_1', '05-bridge', 'ping');
  assert.equal(p.usedHint, 2);
  assert.equal(p.usedSolution, false);
  s.recordUse('l_1', '05-bridge', 'ping', 'solution');
  s.recordUse('l_1', '05-bridge', 'ping', 'hint');
  const [row] = s.progress('l_1', '05-bridge');
  assert.deepEqual(row, { lesson: '05-bridge', exercise: 'ping', passedAt: p.passedAt, usedHint: 2, usedSolution: false });
  s.recordUse('l_1', '05-bridge', 'other', 'solution');
  assert.equal(s.progress('l_1', '05-bridge').find((r) => r.exercise === 'other')?.usedSolution, true);
  assert.equal(s.progress('l_1', '05-bridge').find((r) => r.exercise === 'other')?.passedAt, null);
});

test('learners: created once, language remembered, progress is per learner', (t) => {
  const s = new Store(':memory:');
  t.after(() => s.close());
  assert.equal(s.ensureLearner('l_a').lang, 'en');
  s.setLang('l_a', 'ko');
  assert.equal(s.ensureLearner('l_a', 'en').lang, 'ko');
  s.recordPass('l_a', 'x', 'e');
  assert.deepEqual(s.progress('l_b'), []);
});

test('file store: WAL mode, migrations recorded, reopening keeps data and re-runs nothing', (t) => {
  const dir = tmpDir(t);
  const s1 = openStore(dir);
  s1.recordPass('l_1', '05-bridge', 'x', 42);
  assert.equal(s1.db.pragma('journal_mode', { simple: true }), 'wal');
  s1.close();
  const s2 = openStore(dir);
  t.after(() => s2.close());
  assert.equal(s2.progress('l_1')[0]?.passedAt, 42);
  const versions = s2.db.prepare('SELECT version FROM migrations').all() as Array<{ version: number }>;
  assert.deepEqual(versions.map((v) => v.version), MIGRATIONS.map((m) => m.version));
});

test('a store from a newer runner is refused with a message saying what to do', (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, 'dnl.sqlite');
  const db = new Database(file);
  db.exec('CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  db.prepare('INSERT INTO migrations VALUES (99, ?, 0)').run('future');
  db.close();
  assert.throws(() => openStore(dir), /newer runner .*schema 99.*DNL_DATA_DIR/);
});

test('answers: the latest typed answer is kept per learner and exercise', (t) => {
  const s = new Store(':memory:');
  t.after(() => s.close());
  assert.equal(s.answer('l_1', '05-bridge', 'ip'), undefined);
  s.setAnswer('l_1', '05-bridge', 'ip', '172.18.0.3');
  s.setAnswer('l_1', '05-bridge', 'ip', '172.18.0.2');
  assert.equal(s.answer('l_1', '05-bridge', 'ip'), '172.18.0.2');
  assert.equal(s.answer('l_2', '05-bridge', 'ip'), undefined);
});
