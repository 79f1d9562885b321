'use client';
// The learner's progress, as the runner reports it. The course map asks once for the whole
// course (GET /runner/api/progress → { lessons: { [slug]: { passed: string[] } }, lastLesson? });
// when the runner has no course-wide route it asks each lesson
// (GET /runner/api/lessons/:slug/progress, protocol/lab.ts ProgressResponse). Until the runner
// answers, the map shows a placeholder; the last lesson opened in this browser (localStorage)
// still gives "continue where you left off".
import { useEffect, useState } from 'react';
import { z } from 'zod';
import { ProgressResponseSchema } from '../../protocol/lab.ts';

export const PROGRESS_PATH = '/runner/api/progress';
const lessonProgressPath = (slug: string) => `/runner/api/lessons/${encodeURIComponent(slug)}/progress`;

export const ProgressSchema = z.object({
  lessons: z.record(z.string(), z.object({ passed: z.array(z.string()) })),
  lastLesson: z.string().optional(),
});
export type Progress = z.infer<typeof ProgressSchema> & { courseWide?: boolean };

let pending: Promise<Progress | null> | undefined;

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const r = await fetch(url, { headers: { accept: 'application/json' } });
  return { status: r.status, body: r.ok ? await r.json() : undefined };
}

async function load(slugs: string[]): Promise<Progress | null> {
  try {
    const course = await getJson(PROGRESS_PATH);
    const parsed = ProgressSchema.safeParse(course.body);
    if (parsed.success) return { ...parsed.data, courseWide: true };
    if (course.status !== 404) return null;
    const ask = (s: string) => getJson(lessonProgressPath(s)).catch(() => ({ status: 0, body: undefined }));
    // The first answer may set a new learner's cookie; ask the rest once it is there.
    const first = slugs.length > 0 ? [await ask(slugs[0]!)] : [];
    const answers = [...first, ...(await Promise.all(slugs.slice(1).map(ask)))];
    const lessons: Progress['lessons'] = {};
    let any = false;
    answers.forEach((a, i) => {
      const p = ProgressResponseSchema.safeParse(a.body);
      if (!p.success) return;
      any = true;
      lessons[slugs[i]!] = { passed: p.data.exercises.filter((e) => e.passedAt !== null).map((e) => e.exerciseId) };
    });
    return any ? { lessons } : null;
  } catch {
    return null; // runner unreachable: the placeholder stays
  }
}

/** undefined while loading, null when the runner does not report progress. */
export function useProgress(slugs: string[]): Progress | null | undefined {
  const [p, setP] = useState<Progress | null | undefined>(undefined);
  const key = slugs.join(',');
  useEffect(() => {
    let live = true;
    pending ??= load(key.split(',').filter(Boolean));
    void pending.then((v) => { if (live) setP(v); });
    return () => { live = false; };
  }, [key]);
  return p;
}

export async function resetProgress(): Promise<boolean> {
  const r = await fetch(`${PROGRESS_PATH}/reset`, { method: 'POST' }).catch(() => null);
  pending = undefined;
  return Boolean(r?.ok);
}
