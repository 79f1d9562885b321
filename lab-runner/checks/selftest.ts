// The content self-test of one lesson (Instruqt's `track test`, plus the negative half):
// fresh sandbox → setup → every check must FAIL → each exercise's solution in order, its check
// must then PASS → at the end every check must still PASS (a later step must not undo an
// earlier exercise). A lesson whose kernel feature is missing is SKIPPED with the reason.
// Shared by `npm run lessons:test` and tests/integration/lessons-selftest.test.ts.
import type { Lesson } from '../../lessons/load.ts';
import type { Provider } from '../provider/types.ts';
import { evaluate, expectedAnswer } from './evaluate.ts';
import { FeatureCache } from './features.ts';
import { Facts } from './facts.ts';
import { sandboxTarget } from './target.ts';

export type Outcome = 'pass' | 'fail' | 'skip';

export interface ExerciseReport {
  lesson: string;
  exercise: string;
  outcome: Outcome;
  /** The check result before any solution (must be false). */
  before?: boolean;
  /** Right after this exercise's own solution (must be true). */
  after?: boolean;
  /** After every solution of the lesson (must be true). */
  end?: boolean;
  /** Solution + check time for this exercise, ms. */
  ms: number;
  /** Why it failed or was skipped (check reason, failing command …). */
  reason?: string;
}

export interface LessonReport { lesson: string; outcome: Outcome; ms: number; reason?: string; exercises: ExerciseReport[] }

export interface SelfTestOptions {
  provider: Provider;
  features?: FeatureCache;
  labels?: Record<string, string>;
  signal?: AbortSignal;
  log?: (msg: string) => void;
  stepTimeoutMs?: number;
}

export async function selfTestLesson(lesson: Lesson, opts: SelfTestOptions): Promise<LessonReport> {
  const t0 = performance.now();
  const { provider } = opts;
  const log = opts.log ?? (() => undefined);
  const since = (t: number): number => Math.round(performance.now() - t);
  const exercises = lesson.lab.exercises;
  const rows: ExerciseReport[] = exercises.map((x) => ({ lesson: lesson.slug, exercise: x.id, outcome: 'fail', ms: 0 }));
  const finish = (outcome: Outcome, reason?: string): LessonReport => ({ lesson: lesson.slug, outcome, ms: since(t0), reason, exercises: rows });

  log(`${lesson.slug}: starting a sandbox with ${lesson.lab.hosts} host(s)`);
  const sb = await provider.create({ hosts: lesson.lab.hosts, labels: { ...opts.labels, 'dnl.lesson-test': lesson.slug } }, opts.signal);
  try {
    const hosts = sb.hosts.map((h) => h.name);
    const target = sandboxTarget(provider, sb.id, hosts);
    if (lesson.requires.length) {
      const missing = await (opts.features ?? new FeatureCache()).unavailable(target, hosts[0]!, lesson.requires, opts.signal);
      if (missing) {
        for (const r of rows) Object.assign(r, { outcome: 'skip', reason: `unavailable on this host: ${missing}` });
        return finish('skip', `unavailable on this host: ${missing}`);
      }
    }
    const run = async (host: string, script: string): Promise<string | undefined> => {
      const r = await provider.exec(sb.id, host, script, { timeoutMs: opts.stepTimeoutMs ?? 90_000, signal: opts.signal });
      if (r.exitCode === 0) return undefined;
      return `\`${script}\` on ${host} exited ${r.exitCode}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ').slice(0, 300)}`;
    };
    for (const step of lesson.lab.setup) {
      const err = await run(step.host, step.run);
      if (err) { for (const r of rows) r.reason = `setup failed: ${err}`; return finish('fail', `setup failed: ${err}`); }
    }
    // Negative half: nothing may pass before the learner has done anything.
    // One round's facts (and exec slots) shared, as the live watcher does.
    const beforeFacts = new Facts(target, opts.signal);
    const before = await Promise.all(exercises.map((x) => evaluate(x.check, target, { signal: opts.signal, facts: beforeFacts })));
    before.forEach((r, i) => {
      rows[i]!.before = r.passed;
      if (r.passed) rows[i]!.reason = `passes before its solution: ${r.reason}`;
    });
    for (const [i, x] of exercises.entries()) {
      const t = performance.now();
      let err: string | undefined;
      for (const step of x.solution) { err = await run(step.host, step.run); if (err) break; }
      // An answer check is given the live right answer, as a learner who looked it up would type.
      const answer = await expectedAnswer(x.check, target, opts.signal);
      const r = await evaluate(x.check, target, { signal: opts.signal, answer });
      rows[i]!.after = r.passed;
      rows[i]!.ms = since(t);
      if (err) rows[i]!.reason ??= `solution failed: ${err}`;
      else if (!r.passed) rows[i]!.reason ??= `fails after its solution: ${r.reason}`;
      log(`${lesson.slug}/${x.id}: ${r.passed ? 'passes' : 'FAILS'} after its solution (${rows[i]!.ms} ms)`);
    }
    const endFacts = new Facts(target, opts.signal);
    const end = await Promise.all(exercises.map(async (x) => evaluate(x.check, target, { signal: opts.signal, facts: endFacts, answer: await expectedAnswer(x.check, target, opts.signal) })));
    end.forEach((r, i) => {
      const row = rows[i]!;
      row.end = r.passed;
      if (!r.passed) row.reason ??= `fails once the whole lesson is solved: ${r.reason}`;
      row.outcome = row.before === false && row.after === true && row.end === true ? 'pass' : 'fail';
    });
    return finish(rows.every((r) => r.outcome === 'pass') ? 'pass' : 'fail');
  } finally {
    await provider.destroy(sb.id).catch((err: unknown) => log(`could not remove sandbox ${sb.id}: ${String(err)}`));
  }
}

/** The report as a fixed-width table (lessons × exercises × outcome × time). */
export function formatTable(reports: LessonReport[]): string {
  const mark = (b: boolean | undefined, want: boolean): string => (b === undefined ? '-' : b === want ? 'ok' : 'BAD');
  const head = ['lesson', 'exercise', 'before(fail)', 'after(pass)', 'end(pass)', 'ms', 'outcome'];
  const body = reports.flatMap((l) => l.exercises.map((x) => [l.lesson, x.exercise, mark(x.before, false), mark(x.after, true), mark(x.end, true), String(x.ms), x.outcome.toUpperCase()]));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  const notes = reports.flatMap((l) => l.exercises.filter((x) => x.outcome !== 'pass' && x.reason).map((x) => `  ${l.lesson}/${x.exercise}: ${x.reason}`));
  const seenSkip = new Set<string>();
  const dedup = notes.filter((n) => { const k = n.replace(/^ {2}[^:]+: /, ''); if (k.startsWith('unavailable') && seenSkip.has(k)) return false; seenSkip.add(k); return true; });
  return [...out, ...(dedup.length ? ['', ...dedup] : [])].join('\n');
}
