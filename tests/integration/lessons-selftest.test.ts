// The content self-test as node:test subtests: one per lesson (fresh sandbox → setup → every
// check fails → solutions → every check passes). Lessons whose kernel feature is missing skip
// with the reason. `DNL_LESSONS=05-bridge,07-none` limits the run.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { loadCourse } from '../../lessons/load.ts';
import { loadConfig } from '../../lab-runner/config.ts';
import { LocalDockerProvider } from '../../lab-runner/provider/local.ts';
import { FeatureCache } from '../../lab-runner/checks/features.ts';
import { formatTable, selfTestLesson } from '../../lab-runner/checks/selftest.ts';

const hostImage = (() => { try { execFileSync('docker', ['image', 'inspect', 'dnl/host:latest'], { stdio: 'ignore' }); return true; } catch { return false; } })();
const only = (process.env.DNL_LESSONS ?? '').split(',').filter(Boolean);
const course = await loadCourse({ compile: false });
const lessons = course.lessons.filter((l) => only.length === 0 || only.includes(l.slug));

describe('lessons self-test', { skip: hostImage ? false : 'the sandbox host image dnl/host:latest is not built (npm run images)' }, () => {
  const provider = new LocalDockerProvider({ config: loadConfig(process.env, { instance: `test-lt-${randomBytes(2).toString('hex')}` }) });
  const features = new FeatureCache();
  for (const lesson of lessons) {
    test(lesson.slug, { timeout: 600_000 }, async (t) => {
      const report = await selfTestLesson(lesson, { provider, features });
      if (report.outcome === 'skip') { t.skip(report.reason); return; }
      for (const line of formatTable([report]).split("\n")) t.diagnostic(line);
      for (const x of report.exercises) {
        assert.equal(x.before, false, `${x.exercise} must fail before its solution: ${x.reason ?? ''}`);
        assert.equal(x.after, true, `${x.exercise} must pass after its solution: ${x.reason ?? ''}`);
        assert.equal(x.end, true, `${x.exercise} must still pass at the end: ${x.reason ?? ''}`);
      }
    });
  }
});
