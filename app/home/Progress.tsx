'use client';
// Course-map pieces that depend on the learner: progress per lesson, "continue where you left
// off", reset my progress.
import { useEffect, useState } from 'react';
import type { LessonCard } from '../lib/course-types.ts';
import { t, type Lang } from '../lib/i18n.ts';
import { resetProgress, useProgress } from '../lib/progress.ts';

export function LessonProgress({ slug, total, lang, slugs }: { slug: string; total: number; lang: Lang; slugs: string[] }) {
  const s = t(lang);
  const p = useProgress(slugs);
  if (!p) return <span className="progress progress-unknown" title={s.progressUnknown}>—<span className="visually-hidden">{s.progressUnknown}</span></span>;
  const passed = p.lessons[slug]?.passed.length ?? 0;
  return (
    <span className="progress" data-done={passed >= total}>
      <meter min={0} max={total} value={passed} aria-hidden="true" />
      {s.progress(passed, total)}
    </span>
  );
}

export function ContinueLink({ lessons, lang }: { lessons: LessonCard[]; lang: Lang }) {
  const s = t(lang);
  const p = useProgress(lessons.map((l) => l.slug));
  const [local, setLocal] = useState<string | null>(null);
  useEffect(() => { try { setLocal(localStorage.getItem('dnl_last_lesson')); } catch { /* private mode */ } }, []);
  const slug = p?.lastLesson ?? local;
  const target = lessons.find((l) => l.slug === slug);
  if (lessons.length === 0) return null;
  if (!target) return <a className="btn btn-primary" href={`/lessons/${lessons[0]!.slug}`}>{s.startCourse}</a>;
  return <a className="btn btn-primary" href={`/lessons/${target.slug}`}>{s.continueWhere}: {target.number}. {target.title}</a>;
}

export function ResetProgress({ lang, slugs }: { lang: Lang; slugs: string[] }) {
  const s = t(lang);
  const p = useProgress(slugs);
  const [confirm, setConfirm] = useState(false);
  // Only the course-wide progress route can reset.
  if (!p?.courseWide) return null;
  if (!confirm) return <button type="button" className="btn btn-quiet" onClick={() => setConfirm(true)}>{s.resetProgress}</button>;
  return (
    <span className="confirm-inline" role="group" aria-label={s.resetProgress}>
      <span>{s.resetProgressConfirm}</span>
      <button type="button" className="btn" autoFocus onClick={() => void resetProgress().then(() => location.reload())}>{s.resetProgress}</button>
      <button type="button" className="btn btn-quiet" onClick={() => setConfirm(false)}>{s.cancel}</button>
    </span>
  );
}
