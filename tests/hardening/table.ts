// The hardening table: every attack or fault test adds one row (what was done, what happened,
// how long recovery took, what data was lost); tests/report/hardening-table.test.ts prints them all
// at the end of the run and fails if any row lost data. Rows go to DNL_HARDENING_TABLE
// (scripts/test.mjs sets a fresh file per run) or, run by hand, to .data/hardening-rows.jsonl.
import fs from 'node:fs';
import path from 'node:path';

export interface HardeningRow {
  /** 'abuse' | 'fault' | 'input' | 'authz' */
  kind: string;
  /** What was done, in a few words: "fork bomb in node1". */
  what: string;
  /** What happened, in a few words: "contained: pids limit; runner answered in 12 ms". */
  outcome: string;
  /** Time until the platform was fully usable again (ms), or null when it never stopped being usable. */
  recoverMs: number | null;
  /** "none", or what was lost. */
  dataLost: string;
  at?: string;
}

export function rowsFile(): string {
  return process.env.DNL_HARDENING_TABLE || path.resolve(import.meta.dirname, '../../.data/hardening-rows.jsonl');
}

export function recordRow(row: HardeningRow): void {
  const file = rowsFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, JSON.stringify({ ...row, at: new Date().toISOString() }) + '\n');
}

export function readRows(): HardeningRow[] {
  const file = rowsFile();
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as HardeningRow);
}

export function formatTable(rows: HardeningRow[]): string {
  const head = ['kind', 'attack or fault', 'outcome', 'time to recover', 'data lost'];
  const cells = rows.map((r) => [r.kind, r.what, r.outcome, r.recoverMs === null ? 'n/a (stayed up)' : `${(r.recoverMs / 1000).toFixed(1)} s`, r.dataLost]);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(w[i]!)).join('  ');
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...cells.map(line)].join('\n');
}
