// `npm run bench`: runs every bench/*.ts (except this file) one after another, each in its own
// process (some benches are standalone scripts), and prints what each prints.
//   npm run bench                      all benches, readable tables
//   npm run bench -- --json            all benches; one JSON document { at, benches: { name: output } }
//   npm run bench -- --only sandbox --runs 10 --max 40    one bench; extra arguments go to it
// A bench module may also default-export `(opts) => Promise<BenchReport>` and call
// runStandalone() (see bench/sandbox.ts) to share the table/JSON printing below.
import { spawn } from 'node:child_process';
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

export function table(r: BenchReport): string {
  const head = ['metric', 'value', 'unit', 'target', 'ok', 'note'];
  const rows = r.rows.map((x) => [x.metric, Number.isInteger(x.value) ? String(x.value) : x.value.toFixed(1), x.unit, x.target ?? '', x.ok === undefined ? '' : x.ok ? 'yes' : 'NO', x.note ?? '']);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd();
  return [`\n== ${r.name} ==`, line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line), ...(r.notes ?? []).map((n) => `  * ${n}`)].join('\n');
}

/** For a bench module run directly: parses --json / --runs, runs it, prints a table or JSON. */
export async function runStandalone(bench: Bench, name: string): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const log = (msg: string) => { process.stderr.write(`[bench ${name}] ${msg}\n`); };
  try {
    const r = await bench({ runs: Number(arg(args, '--runs') ?? 10), json, args, log });
    // Missing a target is a finding printed in the table, not a failure of the run.
    console.log(json ? JSON.stringify(r, null, 2) : table(r));
  } catch (err) {
    console.error(`[bench ${name}] failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exitCode = 1;
  }
}

function runFile(file: string, args: string[], capture: boolean): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'] });
    let out = '';
    child.stdout?.on('data', (b: Buffer) => { out += b.toString('utf8'); });
    child.on('exit', (code) => resolve({ code: code ?? 1, out }));
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const only = arg(args, '--only');
  const rest = args.filter((a, i) => a !== '--json' && a !== '--only' && args[i - 1] !== '--only');
  const dir = path.dirname(fileURLToPath(import.meta.url));
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts' && (!only || f.includes(only))).sort();
  const outputs: Record<string, unknown> = {};
  let failed = 0;
  for (const f of files) {
    // Extra arguments are meant for one bench: pass them on only with --only.
    const r = await runFile(path.join(dir, f), [...(json ? ['--json'] : []), ...(only ? rest : [])], json);
    if (r.code !== 0) { failed++; console.error(`[bench] ${f} exited with ${r.code}`); }
    if (json) { try { outputs[f.replace(/\.ts$/, '')] = JSON.parse(r.out); } catch { outputs[f.replace(/\.ts$/, '')] = r.out; } }
  }
  if (json) console.log(JSON.stringify({ at: new Date().toISOString(), benches: outputs }, null, 2));
  process.exitCode = failed ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();
