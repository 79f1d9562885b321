'use client';
// The learner's progress as the runner reports it:
//   GET  /runner/api/progress        → { lessons: { [slug]: { passed: string[] } }, lastLesson?: string }
//   POST /runner/api/progress/reset  → forgets this learner's progress
// Until the runner answers, the course map shows a placeholder; the last lesson opened in this
// browser (localStorage) still gives "continue where you left off".
import { useEffect, useState } from 'react';
import { z } from 'zod';

export const PROGRESS_PATH = '/runner/api/progress';

export const ProgressSchema = z.object({
  lessons: z.record(z.string(), z.object({ passed: z.array(z.string()) })),
  lastLesson: z.string().optional(),
});
export type Progress = z.infer<typeof ProgressSchema>;

let pending: Promise<Progress | null> | undefined;

function fetchProgress(): Promise<Progress | null> {
  pending ??= fetch(PROGRESS_PATH, { headers: { accept: 'application/json' } })
    .then(async (r) => (r.ok ? ProgressSchema.safeParse(await r.json()) : null))
    .then((p) => (p && p.success ? p.data : null))
    .catch(() => null);
  return pending;
}

/** undefined while loading, null when the runner does not report progress. */
export function useProgress(): Progress | null | undefined {
  const [p, setP] = useState<Progress | null | undefined>(undefined);
  useEffect(() => { let live = true; void fetchProgress().then((v) => { if (live) setP(v); }); return () => { live = false; }; }, []);
  return p;
}

export async function resetProgress(): Promise<boolean> {
  const r = await fetch(`${PROGRESS_PATH}/reset`, { method: 'POST' }).catch(() => null);
  pending = undefined;
  return Boolean(r?.ok);
}
