// `npm run lessons:test [-- --lesson 05-bridge] [--json]`: proves every exercise of every lesson
// both ways in fresh sandboxes on this machine (see lab-runner/checks/selftest.ts) and prints a
// table of lessons × exercises × outcome × time. Exit 1 when anything fails; skips are reported
// with the missing kernel feature and do not fail the run.
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { loadCourse } from '../../lessons/load.ts';
import { LocalDockerProvider } from '../provider/local.ts';
import { FeatureCache } from '../checks/features.ts';
import { formatTable, selfTestLesson, type LessonReport } from '../checks/selftest.ts';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, lesson: { type: 'string', multiple: true } } });
  const course = await loadCourse({ compile: false });
  const wanted = values.lesson ?? [];
  const lessons = course.lessons.filter((l) => wanted.length === 0 || wanted.includes(l.slug));
  if (wanted.length && lessons.length !== wanted.length) {
    const known = course.lessons.map((l) => l.slug).join(', ');
    console.error(`No such lesson: ${wanted.filter((w) => !lessons.some((l) => l.slug === w)).join(', ')} (lessons: ${known})`);
    return 2;
  }
  // Own instance label: a runner serving on this engine never adopts or sweeps these sandboxes.
  const instance = `lt-${randomBytes(3).toString('hex')}`;
  const config = loadConfig(process.env, { instance });
  const provider = new LocalDockerProvider({ config });
  const features = new FeatureCache();
  const log = values.json ? () => undefined : (m: string) => console.error(`  … ${m}`);
  const ac = new AbortController();
  setMaxListeners(0, ac.signal); // one listener per concurrent probe; bounded by the lesson size
  process.once('SIGINT', () => { console.error('interrupted: removing the test sandbox …'); ac.abort(new Error('interrupted')); });
  const reports: LessonReport[] = [];
  for (const lesson of lessons) {
    if (ac.signal.aborted) break;
    try {
      reports.push(await selfTestLesson(lesson, { provider, features, log, signal: ac.signal }));
    } catch (err) {
      const reason = `could not run: ${err instanceof Error ? err.message : String(err)}`;
      reports.push({ lesson: lesson.slug, outcome: 'fail', ms: 0, reason, exercises: lesson.lab.exercises.map((x) => ({ lesson: lesson.slug, exercise: x.id, outcome: 'fail', ms: 0, reason })) });
    }
  }
  const all = reports.flatMap((r) => r.exercises);
  const count = (o: string): number => all.filter((x) => x.outcome === o).length;
  if (values.json) console.log(JSON.stringify({ lessons: reports, passed: count('pass'), failed: count('fail'), skipped: count('skip') }, null, 2));
  else {
    console.log(formatTable(reports));
    console.log(`\n${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped (${reports.length} lessons, ${Math.round(reports.reduce((s, r) => s + r.ms, 0) / 1000)} s)`);
  }
  return count('fail') > 0 || ac.signal.aborted ? 1 : 0;
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
