// The lessons as the runner sees them: slug, required kernel features and checked exercises.
// Loaded once (validated by lessons/load.ts, MDX not compiled) and cached for the process.
import { loadCourse } from '../../lessons/load.ts';
import type { LessonDef } from './hub.ts';

export function lessonLookup(dir?: string): (slug: string) => Promise<LessonDef | undefined> {
  let all: Promise<Map<string, LessonDef>> | undefined;
  const load = async (): Promise<Map<string, LessonDef>> => {
    const course = await loadCourse({ dir, compile: false });
    return new Map(course.lessons.map((l) => [l.slug, {
      slug: l.slug, requires: l.requires,
      exercises: l.lab.exercises.map((x) => ({ id: x.id, check: x.check })),
    }]));
  };
  return async (slug) => {
    all ??= load().catch((err: unknown) => { all = undefined; throw err; });
    return (await all).get(slug);
  };
}
