// The course as the web app sees it: loaded once per server process (at build time for the
// statically generated pages) through lessons/load.ts, the same loader the runner and
// `npm run lessons:test` use. Server only.
//
// lessons/load.ts imports each lesson's lab.ts, which the bundler cannot enumerate, so it is
// loaded with tsx's scoped importer instead of being bundled (tsx is a server external).
// A malformed lesson therefore fails `next build` with the loader's message.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import type { Course, Lesson, LoadOptions } from '../../lessons/load.ts';
import { textIn, type Exercise } from '../../lessons/schema.ts';
import { answerOf } from '../../lessons/checks.ts';
import type { Lang } from './i18n.ts';
import type { ExerciseView, LessonCard } from './course-types.ts';

export type { ExerciseView, LessonCard };

type LoaderModule = { loadCourse(opts?: LoadOptions): Promise<Course> };

let course: Promise<Course> | undefined;

export function getCourse(): Promise<Course> {
  course ??= (async () => {
    const loader = path.join(process.cwd(), 'lessons', 'load.ts');
    const mod = await tsImport(pathToFileURL(loader).href, { parentURL: pathToFileURL(path.join(process.cwd(), 'package.json')).href }) as LoaderModule;
    return mod.loadCourse({ dir: process.env.DNL_LESSONS_DIR || undefined });
  })();
  // A failed load is not cached: the next request (or build step) retries and reports again.
  course.catch(() => { course = undefined; });
  return course;
}

export async function getLesson(slug: string): Promise<Lesson | undefined> {
  return (await getCourse()).lessons.find((l) => l.slug === slug);
}

export function lessonCard(l: Lesson, lang: Lang): LessonCard {
  const c = l.content[lang];
  return { slug: l.slug, number: l.number, title: c.title, summary: c.summary, minutes: l.minutes, exercises: l.lab.exercises.length, requires: [...l.requires] };
}

export function exerciseView(ex: Exercise, index: number, lang: Lang): ExerciseView {
  return {
    id: ex.id,
    number: index + 1,
    title: textIn(ex.title, lang),
    hints: ex.hints.map((h) => textIn(h, lang)),
    solution: ex.solution.map((s) => ({ host: s.host, run: s.run })),
    ...(answerOf(ex.check) ? { answer: answerOf(ex.check)!.expect.of } : {}),
  };
}
