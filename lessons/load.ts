// Finds, validates and compiles every lesson. Used by the web app at build time (through
// app/lib/course.ts), by the lab runner and by `npm run lessons:test`. Node only, no React.
//
// A malformed lesson throws ONE LessonValidationError whose message lists every problem, one
// per line, as `<file>: <field>: <what is wrong>`, e.g.
//   lessons/05-bridge/lab.ts: exercises[1].hints: expected at least 1 hint
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { analyzeMdx, compileLessonMdx, errorLine, errorReason } from './mdx.ts';
import {
  LANGUAGES, LabSchema, LessonMetaKoSchema, LessonMetaSchema,
  type DocLink, type Lab, type Language, type LessonMeta, type LessonMetaKo,
} from './schema.ts';

export interface LessonContent {
  lang: Language;
  /** Path of the .mdx file, relative to the working directory (for messages). */
  file: string;
  title: string;
  summary: string;
  docs: DocLink[];
  /** `<Exercise id>` values in prose order. */
  exerciseIds: string[];
  /** Function body compiled by @mdx-js/mdx; run it with app/mdx/render.tsx. */
  code: string;
}

export interface Lesson {
  /** Folder name, also the URL: /lessons/<slug>. */
  slug: string;
  /** NN of the folder name: the position on the course map. */
  number: number;
  /** Folder, relative to the working directory. */
  dir: string;
  minutes: number;
  requires: LessonMeta['requires'];
  lab: Lab;
  content: Record<Language, LessonContent>;
}

export interface Course { lessons: Lesson[] }

export interface Problem { file: string; field?: string; message: string }

export class LessonValidationError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    const lines = problems.map(formatProblem);
    super(lines.length === 1 ? lines[0] : `${lines.length} problems in lessons:\n${lines.map((l) => `  ${l}`).join('\n')}`);
    this.name = 'LessonValidationError';
    this.problems = problems;
  }
}

export function formatProblem(p: Problem): string {
  return p.field ? `${p.file}: ${p.field}: ${p.message}` : `${p.file}: ${p.message}`;
}

export const DEFAULT_LESSONS_DIR = path.resolve('lessons');
const FOLDER = /^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$/;
const FRONTMATTER = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

export interface LoadOptions {
  /** The lessons folder; DNL_LESSONS_DIR, else ./lessons. */
  dir?: string;
  /** Skip MDX compilation (validation only); `code` is then ''. */
  compile?: boolean;
}

/** Loads every lesson folder (NN-slug) under dir, sorted by NN. Throws LessonValidationError. */
export async function loadCourse(opts: LoadOptions = {}): Promise<Course> {
  const dir = path.resolve(opts.dir || process.env.DNL_LESSONS_DIR || DEFAULT_LESSONS_DIR);
  const problems: Problem[] = [];
  if (!fs.existsSync(dir)) throw new LessonValidationError([{ file: rel(dir), message: 'lessons folder not found' }]);
  const folders = fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !e.name.startsWith('_') && e.name !== 'node_modules')
    .map((e) => e.name).sort();
  const byNumber = new Map<number, string>();
  const lessons: Lesson[] = [];
  for (const name of folders) {
    const m = FOLDER.exec(name);
    if (!m) {
      problems.push({ file: rel(path.join(dir, name)), message: 'a lesson folder is named NN-slug: two digits, a dash, lowercase words joined by dashes (e.g. 05-bridge)' });
      continue;
    }
    const number = Number(m[1]);
    const other = byNumber.get(number);
    if (other) problems.push({ file: rel(path.join(dir, name)), message: `lesson number ${m[1]} is also used by ${other}; each lesson needs its own NN` });
    byNumber.set(number, name);
    const lesson = await loadLesson(path.join(dir, name), problems, opts.compile ?? true);
    if (lesson) lessons.push(lesson);
  }
  if (problems.length > 0) throw new LessonValidationError(problems);
  return { lessons };
}

/** Loads one lesson folder; pushes problems and returns undefined when it is not valid. */
export async function loadLesson(dir: string, problems: Problem[], compile = true): Promise<Lesson | undefined> {
  const before = problems.length;
  const slug = path.basename(dir);
  const number = Number(slug.slice(0, 2));
  const labFile = path.join(dir, 'lab.ts');
  const lab = await loadLab(labFile, problems);

  const en = readMdx(path.join(dir, 'content.mdx'), LessonMetaSchema, problems,
    'every lesson needs its English prose with frontmatter (title, summary, minutes)');
  const ko = readMdx(path.join(dir, 'content.ko.mdx'), LessonMetaKoSchema, problems,
    'every lesson needs its Korean prose: copy content.mdx, keep the same <Exercise id>s, translate the text');

  if (!lab) {
    // Still report MDX syntax problems, with an assumed single host.
    for (const doc of [en, ko]) if (doc) for (const p of analyzeMdx(doc.body, 1).problems) if (/^MDX syntax/.test(p.message)) problems.push(mdxProblem(doc.file, p));
    return undefined;
  }
  const labIds = lab.exercises.map((e) => e.id);
  const analyses = new Map<Language, string[]>();
  for (const [lang, doc] of [['en', en], ['ko', ko]] as const) {
    if (!doc) continue;
    const a = analyzeMdx(doc.body, lab.hosts);
    for (const p of a.problems) problems.push(mdxProblem(doc.file, p));
    if (a.syntaxError) continue;
    const seen = new Set<string>();
    for (const ex of a.exercises) {
      if (seen.has(ex.id)) problems.push(mdxProblem(doc.file, { line: ex.line, message: `<Exercise id="${ex.id}"> appears twice; each exercise is placed once` }));
      seen.add(ex.id);
      if (!labIds.includes(ex.id)) {
        problems.push(mdxProblem(doc.file, { line: ex.line, message: `<Exercise id="${ex.id}">: lab.ts has no exercise "${ex.id}" (it has: ${labIds.join(', ')})` }));
      }
    }
    lab.exercises.forEach((ex, i) => {
      if (!seen.has(ex.id)) problems.push({ file: doc.file, field: `<Exercise id="${ex.id}">`, message: `missing: lab.ts exercises[${i}] "${ex.id}" is never placed in the prose` });
    });
    analyses.set(lang, a.exercises.map((e) => e.id));
  }
  if (!en || !ko || problems.length > before) return undefined;

  const defaultHost = 'node1';
  const content = {} as Record<Language, LessonContent>;
  for (const lang of LANGUAGES) {
    const doc = lang === 'en' ? en : ko;
    let code = '';
    if (compile) {
      try {
        code = await compileLessonMdx(doc.body, defaultHost);
      } catch (err) {
        problems.push(mdxProblem(doc.file, { line: errorLine(err), message: `MDX: ${errorReason(err)}` }));
        continue;
      }
    }
    const meta = doc.meta as LessonMeta | LessonMetaKo;
    content[lang] = {
      lang, file: doc.file, title: meta.title, summary: meta.summary,
      docs: meta.docs ?? (en.meta as LessonMeta).docs, exerciseIds: analyses.get(lang) ?? [], code,
    };
  }
  if (problems.length > before) return undefined;
  const enMeta = en.meta as LessonMeta;
  return { slug, number, dir: rel(dir), minutes: enMeta.minutes, requires: enMeta.requires, lab, content };
}

async function loadLab(file: string, problems: Problem[]): Promise<Lab | undefined> {
  const shown = rel(file);
  if (!fs.existsSync(file)) {
    problems.push({ file: shown, message: 'file missing: every lesson needs a lab.ts with `export default defineLab({ hosts, setup, exercises })`' });
    return undefined;
  }
  let mod: { default?: unknown };
  try {
    // A fresh namespace per load, so an edited lab.ts is re-read (tests, dev builds).
    mod = await tsImport(pathToFileURL(file).href, { parentURL: import.meta.url }) as { default?: unknown };
  } catch (err) {
    problems.push({ file: shown, message: `could not be loaded: ${firstLine(err)}` });
    return undefined;
  }
  let lab = mod.default;
  // A lab.ts outside a "type": "module" package is compiled as CommonJS: unwrap its default.
  if (lab && typeof lab === 'object' && '__esModule' in lab) lab = (lab as { default?: unknown }).default;
  if (lab === undefined) {
    problems.push({ file: shown, message: 'expected `export default defineLab({ … })`' });
    return undefined;
  }
  const parsed = LabSchema.safeParse(lab);
  if (!parsed.success) {
    problems.push(...zodProblems(shown, parsed.error, undefined));
    return undefined;
  }
  return parsed.data;
}

interface MdxDoc<T> { file: string; meta: T; body: string }

function readMdx<S extends z.ZodType>(file: string, schema: S, problems: Problem[], missing: string): MdxDoc<z.infer<S>> | undefined {
  const shown = rel(file);
  if (!fs.existsSync(file)) { problems.push({ file: shown, message: `file missing: ${missing}` }); return undefined; }
  const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const m = FRONTMATTER.exec(text);
  if (!m) { problems.push({ file: shown, field: 'frontmatter', message: 'expected YAML frontmatter between two --- lines at the very top' }); return undefined; }
  // Keep line numbers of the body equal to the file's by blanking the frontmatter lines.
  const body = '\n'.repeat(m[0].split('\n').length - 1) + text.slice(m[0].length);
  let data: unknown;
  try {
    data = parseYaml(m[1] ?? '') ?? {};
  } catch (err) {
    const msg = err instanceof YAMLParseError ? `${err.message.split('\n')[0]}` : firstLine(err);
    problems.push({ file: shown, field: 'frontmatter', message: `YAML: ${msg}` });
    return undefined;
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const isKo = schema === (LessonMetaKoSchema as z.ZodType);
    problems.push(...zodProblems(shown, parsed.error, 'frontmatter', isKo ? 'content.ko.mdx only translates title, summary and docs; minutes and requires come from content.mdx' : undefined));
    return undefined;
  }
  return { file: shown, meta: parsed.data as z.infer<S>, body };
}

/** Turns zod issues into problems with a readable field path (exercises[1].hints). */
export function zodProblems(file: string, error: z.ZodError, prefix: string | undefined, unknownKeyHint?: string): Problem[] {
  return error.issues.map((issue) => {
    const field = [prefix, fieldPath(issue.path)].filter(Boolean).join('.') || undefined;
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      const keys = (issue as { keys?: string[] }).keys ?? [];
      const f = keys.map((k) => (field ? `${field}.${k}` : k)).join(', ');
      return { file, field: f, message: `unknown field${keys.length > 1 ? 's' : ''}${unknownKeyHint ? ` (${unknownKeyHint})` : ''}` };
    }
    if (issue.code === 'invalid_type' && /received undefined/.test(message)) message = `required, ${message.replace(/^Invalid input: /, '').replace(/, received undefined$/, '')}`;
    if (issue.code === 'invalid_union' && /^Invalid input$/.test(message)) message = 'does not match any allowed form (see lessons/checks.ts)';
    return { file, field, message };
  });
}

export function fieldPath(p: readonly PropertyKey[]): string {
  let out = '';
  for (const k of p) out += typeof k === 'number' ? `[${k}]` : out === '' ? String(k) : `.${String(k)}`;
  return out;
}

function mdxProblem(file: string, p: { line?: number; message: string }): Problem {
  return { file, field: p.line ? `line ${p.line}` : undefined, message: p.message };
}

function rel(p: string): string {
  const r = path.relative(process.cwd(), p);
  return r.startsWith('..') ? p : r;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'unknown error';
}
