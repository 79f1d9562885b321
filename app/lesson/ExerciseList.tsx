'use client';
// The lab pane's compact list of the lesson's exercises with their live status.
import type { ExerciseView } from '../lib/course-types.ts';
import { t, type Lang } from '../lib/i18n.ts';
import { getExerciseState, reasonIn, useExerciseStatus, useLabStatusVersion } from '../lib/lab-status.ts';
import { statusText } from '../mdx/ExerciseCard.tsx';

function Item({ slug, ex, lang, onPick }: { slug: string; ex: ExerciseView; lang: Lang; onPick: () => void }) {
  const st = useExerciseStatus(slug, ex.id);
  return (
    <li data-state={st.state}>
      <span className="status-dot" aria-hidden="true" />
      <a href={`#exercise-${ex.id}`} onClick={onPick}>{ex.number}. {ex.title}</a>
      <span className="visually-hidden"> — {statusText(st, t(lang), lang)}</span>
    </li>
  );
}

/** What this host cannot run (a kernel feature it lacks), in the runner's words, once. */
function Unavailable({ slug, lang, exercises }: { slug: string; lang: Lang; exercises: ExerciseView[] }) {
  useLabStatusVersion();
  const reasons = [...new Set(exercises.map((e) => getExerciseState(slug, e.id))
    .flatMap((st) => (st.state === 'unavailable' ? [reasonIn(st, lang)] : [])))];
  if (reasons.length === 0) return null;
  return <div className="callout callout-limitation" role="note">{reasons.map((r) => <p key={r}>{r}</p>)}</div>;
}

export function ExerciseList({ slug, lang, exercises, onPick }: { slug: string; lang: Lang; exercises: ExerciseView[]; onPick: () => void }) {
  return (
    <nav className="exercise-list" aria-label={t(lang).exercises}>
      <Unavailable slug={slug} lang={lang} exercises={exercises} />
      <ol>{exercises.map((ex) => <Item key={ex.id} slug={slug} ex={ex} lang={lang} onPick={onPick} />)}</ol>
    </nav>
  );
}
