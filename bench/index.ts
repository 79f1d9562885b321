// `npm run bench`: runs every bench/*.ts (except this file) one after another and prints one
// readable table per bench; `--json` prints the same figures as one JSON document instead.
// Each bench module default-exports `(opts) => Promise<BenchReport>`.
// Extra arguments are passed on: `npm run bench -- --only sandbox --runs 10 --json`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchRow {
  metric: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. "≤ 2000". */
  target?: string;
  ok?: boolean;
  note?: string;
}
export interface BenchReport { name: string; rows: BenchRow[]; notes?: string[] }
export interface BenchOptions { runs: number; json: boolean; args: string[]; log: (msg: string) => void }
export type Bench = (opts: BenchOptions) => Promise<BenchReport>;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function table(r: BenchReport): string {
  const head = ['metric', 'value', 'unit', 'target', 'ok', 'note'];
  const rows = r.rows.map((x) => [x.metric, Number.isInteger(x.value) ? String(x.value) : x.value.toFixed(1), x.unit, x.target ?? '', x.ok === undefined ? '' : x.ok ? 'yes' : 'NO', x.note ?? '']);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd();
  return [`\n== ${r.name} ==`, line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line), ...(r.notes ?? []).map((n) => `  * ${n}`)].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const only = arg(args, '--only');
  const runs = Number(arg(args, '--runs') ?? 10);
  const dir = path.dirname(fileURLToPath(import.meta.url));
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts' && (!only || f.includes(only))).sort();
  const reports: BenchReport[] = [];
  let failed = false;
  for (const f of files) {
    const mod = await import(pathToFileURL(path.join(dir, f)).href) as { default?: Bench };
    if (typeof mod.default !== 'function') continue;
    const log = (msg: string) => { process.stderr.write(`[bench ${f}] ${msg}\n`); };
    try {
      const r = await mod.default({ runs, json, args, log });
      reports.push(r);
      if (!json) console.log(table(r));
    } catch (err) {
      failed = true;
      console.error(`[bench ${f}] failed: ${err instanceof Error ? err.stack : String(err)}`);
    }
  }
  if (json) console.log(JSON.stringify({ at: new Date().toISOString(), reports }, null, 2));
  process.exitCode = failed ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();
