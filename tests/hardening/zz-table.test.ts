// Runs last (files run in name order): prints the hardening table of this run and fails when
// any attack or fault lost data. `npm run test:hardening` ends with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable, readRows, rowsFile } from './table.ts';

test('hardening table: every attack and fault, its outcome, time to recover, data lost', (t) => {
  const rows = readRows();
  assert.ok(rows.length > 0, `no hardening rows in ${rowsFile()}: did the hardening tests run?`);
  for (const l of formatTable(rows).split('\n')) t.diagnostic(l);
  const lost = rows.filter((r) => r.dataLost !== 'none');
  assert.deepEqual(lost.map((r) => `${r.what}: ${r.dataLost}`), [], 'data was lost');
});
