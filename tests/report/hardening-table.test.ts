// Prints the hardening table of this run and fails when any attack or fault lost data. Node's
// test runner orders files by path, so tests/report/ comes after tests/hardening/ and
// tests/integration/ (whose containment test adds rows too). scripts/test.mjs adds this file
// whenever a hardening test runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable, readRows, rowsFile } from '../hardening/table.ts';

test('hardening table: every attack and fault, its outcome, time to recover, data lost', (t) => {
  const rows = readRows();
  assert.ok(rows.length > 0, `no hardening rows in ${rowsFile()}: did the hardening tests run?`);
  for (const l of formatTable(rows).split('\n')) t.diagnostic(l);
  const lost = rows.filter((r) => r.dataLost !== 'none');
  assert.deepEqual(lost.map((r) => `${r.what}: ${r.dataLost}`), [], 'data was lost');
});
