// The lesson format's error messages: a teacher who breaks a lesson reads the file, the field
// and what is wrong. Each case writes a small lesson into a temp folder and loads it.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LessonValidationError, loadCourse } from '../../lessons/load.ts';
import { LabSchema, parseFenceMeta } from '../../lessons/schema.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'dnl-lesson-schema-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

interface ExerciseSrc { id: string; hints?: string[]; solutionHost?: string }
interface LessonSrc {
  hosts?: number;
  exercises?: ExerciseSrc[];
  en?: string | null;
  ko?: string | null;
  lab?: string;
}

const exercise = (e: ExerciseSrc): string => `{
  id: ${JSON.stringify(e.id)},
  title: 'Do ${e.id}',
  check: { kind: 'networkExists', name: 'net_${e.id.replace(/-/g, '_')}' },
  hints: ${JSON.stringify(e.hints ?? ['a hint'])},
  solution: [{ host: ${JSON.stringify(e.solutionHost ?? 'node1')}, run: 'docker network create net' }],
}`;

const mdx = (title: string, ids: string[], extra = ''): string =>
  `---\ntitle: ${title}\nsummary: One line.\nminutes: 5\n---\n\nSome prose.\n\n${ids.map((id) => `<Exercise id="${id}">\nDo it.\n</Exercise>\n`).join('\n')}${extra}`;
const mdxKo = (ids: string[], extra = ''): string =>
  `---\ntitle: 제목\nsummary: 한 줄.\n---\n\n본문.\n\n${ids.map((id) => `<Exercise id="${id}">\n하세요.\n</Exercise>\n`).join('\n')}${extra}`;

let n = 0;
/** Writes one lesson (05-case) into a fresh course folder and returns that folder. */
function course(src: LessonSrc): string {
  const dir = path.join(tmpRoot, `course-${++n}`);
  const lesson = path.join(dir, '05-case');
  fs.mkdirSync(lesson, { recursive: true });
  const exercises = src.exercises ?? [{ id: 'first' }];
  const schemaUrl = path.join(root, 'lessons/schema.ts');
  fs.writeFileSync(path.join(lesson, 'lab.ts'), src.lab ?? `import { defineLab } from ${JSON.stringify(schemaUrl)};
export default defineLab({
  hosts: ${src.hosts ?? 1},
  setup: [],
  exercises: [${exercises.map(exercise).join(',\n')}],
});
`);
  const ids = exercises.map((e) => e.id);
  if (src.en !== null) fs.writeFileSync(path.join(lesson, 'content.mdx'), src.en ?? mdx('Case', ids));
  if (src.ko !== null) fs.writeFileSync(path.join(lesson, 'content.ko.mdx'), src.ko ?? mdxKo(ids));
  return dir;
}

async function problemsOf(dir: string): Promise<string> {
  try {
    await loadCourse({ dir, compile: false });
  } catch (err) {
    assert.ok(err instanceof LessonValidationError, `expected a LessonValidationError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected the lesson to be rejected');
}

/** The message as it reads relative to the working directory. */
const at = (dir: string, file: string): string => {
  const abs = path.join(dir, '05-case', file);
  const r = path.relative(process.cwd(), abs);
  return r.startsWith('..') ? abs : r;
};

describe('lesson format: error messages name the file, the field and the reason', () => {
  test('a valid lesson loads', async () => {
    const dir = course({ exercises: [{ id: 'first' }, { id: 'second' }] });
    const c = await loadCourse({ dir });
    assert.equal(c.lessons.length, 1);
    const l = c.lessons[0]!;
    assert.equal(l.slug, '05-case');
    assert.equal(l.number, 5);
    assert.deepEqual(l.content.en.exerciseIds, ['first', 'second']);
    assert.deepEqual(l.content.ko.exerciseIds, ['first', 'second']);
    assert.equal(l.content.ko.title, '제목');
    assert.ok(l.content.en.code.length > 0, 'MDX is compiled');
    assert.equal(l.lab.exercises[0]!.check.kind, 'networkExists');
  });

  test('GitHub-flavoured Markdown (tables) compiles', async () => {
    const dir = course({ en: mdx('Case', ['first'], '\n| driver | scope |\n|---|---|\n| bridge | one host |\n') });
    const c = await loadCourse({ dir });
    assert.match(c.lessons[0]!.content.en.code, /"table"/);
    assert.match(c.lessons[0]!.content.en.code, /"td"/);
  });

  test('missing hints', async () => {
    const dir = course({ exercises: [{ id: 'first' }, { id: 'second', hints: [] }] });
    const msg = await problemsOf(dir);
    assert.equal(msg, `${at(dir, 'lab.ts')}: exercises[1].hints: expected at least 1 hint`);
  });

  test('duplicate exercise ids', async () => {
    const dir = course({ exercises: [{ id: 'same' }, { id: 'same' }] });
    const msg = await problemsOf(dir);
    assert.match(msg, new RegExp(`^${esc(at(dir, 'lab.ts'))}: exercises\\[1\\]\\.id: duplicate exercise id "same" \\(also exercises\\[0\\]\\.id\\)`, 'm'));
  });

  test('solution on a host the lab does not have', async () => {
    const dir = course({ hosts: 1, exercises: [{ id: 'first', solutionHost: 'node2' }] });
    const msg = await problemsOf(dir);
    assert.equal(msg, `${at(dir, 'lab.ts')}: exercises[0].solution[0].host: host node2 does not exist: this lab has 1 host (node1)`);
  });

  test('an <Exercise id> in the MDX that lab.ts does not have', async () => {
    const dir = course({ exercises: [{ id: 'first' }], en: mdx('Case', ['first', 'ghost']) });
    const msg = await problemsOf(dir);
    assert.match(msg, new RegExp(`^${esc(at(dir, 'content.mdx'))}: line \\d+: <Exercise id="ghost">: lab.ts has no exercise "ghost" \\(it has: first\\)$`));
  });

  test('an exercise of lab.ts never placed in the Korean prose', async () => {
    const dir = course({ exercises: [{ id: 'first' }, { id: 'second' }], ko: mdxKo(['first']) });
    const msg = await problemsOf(dir);
    assert.equal(msg, `${at(dir, 'content.ko.mdx')}: <Exercise id="second">: missing: lab.ts exercises[1] "second" is never placed in the prose`);
  });

  test('missing content.ko.mdx', async () => {
    const dir = course({ ko: null });
    const msg = await problemsOf(dir);
    assert.match(msg, new RegExp(`^${esc(at(dir, 'content.ko.mdx'))}: file missing: every lesson needs its Korean prose`));
  });

  test('frontmatter: wrong type and unknown field', async () => {
    const dir = course({ en: '---\ntitle: Case\nsummary: One line.\nminutes: soon\nlevel: easy\n---\n\n<Exercise id="first">x</Exercise>\n' });
    const msg = await problemsOf(dir);
    assert.match(msg, /content\.mdx: frontmatter\.minutes: expected estimated minutes as a number/);
    assert.match(msg, /content\.mdx: frontmatter\.level: unknown field/);
    assert.match(msg, /^2 problems in lessons:/);
  });

  test('Korean frontmatter may only translate', async () => {
    const dir = course({ ko: '---\ntitle: 제목\nsummary: 한 줄.\nminutes: 5\n---\n\n<Exercise id="first">x</Exercise>\n' });
    assert.match(await problemsOf(dir), /content\.ko\.mdx: frontmatter\.minutes: unknown field \(content\.ko\.mdx only translates title, summary and docs/);
  });

  test('runnable fence on a missing host, unknown component, import', async () => {
    const extra = '\n```bash run host=node3\ndocker ps\n```\n\n<Quiz />\n\nimport X from "./x.js"\n';
    const dir = course({ hosts: 2, en: mdx('Case', ['first'], extra) });
    const msg = await problemsOf(dir);
    assert.match(msg, /content\.mdx: line \d+: runnable code fence: host node3 does not exist; this lab has 2 hosts/);
    assert.match(msg, /content\.mdx: line \d+: <Quiz> is not a lesson component \(available: Terminal, Exercise/);
    assert.match(msg, /content\.mdx: line \d+: lessons must not import or export anything/);
  });

  test('a multi-host lesson must name the host of a runnable fence', async () => {
    const dir = course({ hosts: 2, en: mdx('Case', ['first'], '\n```bash run\ndocker ps\n```\n') });
    assert.match(await problemsOf(dir), /runnable code fence: name its host \(e\.g\. ```bash run host=node2\); this lab has 2 hosts/);
  });

  test('MDX syntax errors carry the line', async () => {
    const dir = course({ en: mdx('Case', ['first'], '\n<Callout kind="tip">\nnever closed\n') });
    assert.match(await problemsOf(dir), /content\.mdx: line \d+: MDX syntax: /);
  });

  test('a check looking at a host the lab does not have; hosts out of range', () => {
    const r = LabSchema.safeParse({
      hosts: 5, setup: [],
      exercises: [{ id: 'a', title: 'A', check: { kind: 'swarmJoined', host: 'node2' }, hints: ['h'], solution: [{ host: 'node1', run: 'x' }] }],
    });
    assert.ok(!r.success);
    assert.match(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'), /hosts: a lab has at most 4 hosts/);
    const r2 = LabSchema.safeParse({
      hosts: 1, setup: [],
      exercises: [{ id: 'a', title: 'A', check: { kind: 'swarmJoined', host: 'node2' }, hints: ['h'], solution: [{ host: 'node1', run: 'x' }] }],
    });
    assert.ok(!r2.success);
    assert.match(r2.error.issues[0]!.message, /the check looks at host node2 does not exist/);
  });

  test('lab.ts without a default export, and a broken folder name', async () => {
    const dir = course({ lab: 'export const lab = 1;\n' });
    fs.mkdirSync(path.join(dir, 'bridge'));
    const msg = await problemsOf(dir);
    assert.match(msg, /lab\.ts: expected `export default defineLab\(\{ … \}\)`/);
    assert.match(msg, /bridge: a lesson folder is named NN-slug/);
  });

  test('fence meta grammar', () => {
    assert.deepEqual(parseFenceMeta('run host=node2'), { run: true, interrupt: false, host: 'node2' });
    assert.deepEqual(parseFenceMeta('run interrupt'), { run: true, interrupt: true });
    assert.deepEqual(parseFenceMeta(''), { run: false, interrupt: false });
    assert.deepEqual(parseFenceMeta('runn'), { error: 'unknown fence option "runn" (expected run, interrupt, host=nodeN)' });
  });
});

describe('the real course', () => {
  test('lessons/ loads without errors', async () => {
    const c = await loadCourse({ dir: path.join(root, 'lessons') });
    for (const l of c.lessons) {
      assert.deepEqual([...l.content.en.exerciseIds].sort(), l.lab.exercises.map((e) => e.id).sort(), `${l.slug}: English prose places every exercise`);
      assert.deepEqual([...l.content.ko.exerciseIds].sort(), l.lab.exercises.map((e) => e.id).sort(), `${l.slug}: Korean prose places every exercise`);
    }
  });

  test('the e2e fixture lessons load', async () => {
    const c = await loadCourse({ dir: path.join(root, 'tests/e2e/fixtures/lessons') });
    assert.deepEqual(c.lessons.map((l) => l.slug), ['01-first-steps', '02-two-hosts']);
  });
});

function esc(s: string): string { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }
