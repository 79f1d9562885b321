'use client';
// One exercise in the prose: title, the author's task text, live status (role="status": the
// words "Passed" or the reason it has not passed), Check, progressive hints, and the solution
// behind a confirmation. Hint and solution use is reported to the runner.
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { ExerciseView } from '../lib/course-types.ts';
import { t, type Lang, type Strings } from '../lib/i18n.ts';
import { reasonIn, recordUse, requestCheck, useExerciseStatus, type ExerciseState } from '../lib/lab-status.ts';
import { CodeBlock } from './CodeBlock.tsx';
import { InlineText } from './inline.tsx';

export function statusText(s: ExerciseState, str: Strings, lang: Lang = 'en'): string {
  switch (s.state) {
    case 'passed': return str.passed;
    case 'failed': case 'unavailable': return reasonIn(s, lang);
    case 'checking': return str.checking;
    case 'error': return str.checkFailed + s.reason;
    default: return str.notChecked;
  }
}

const storeKey = (slug: string, id: string) => `dnl_hints:${slug}:${id}`;

export function ExerciseCard({ slug, exercise, lang, children }: { slug: string; exercise: ExerciseView; lang: Lang; children?: ReactNode }) {
  const s = t(lang);
  const status = useExerciseStatus(slug, exercise.id);
  const headingId = useId();
  const [shown, setShown] = useState(0);
  const [solution, setSolution] = useState<'hidden' | 'confirm' | 'shown'>('hidden');

  useEffect(() => {
    const saved = Number(localStorage.getItem(storeKey(slug, exercise.id)) ?? '0');
    if (saved > 0) setShown(Math.min(saved, exercise.hints.length));
  }, [slug, exercise.id, exercise.hints.length]);

  const nextHint = () => {
    const n = Math.min(shown + 1, exercise.hints.length);
    setShown(n);
    try { localStorage.setItem(storeKey(slug, exercise.id), String(n)); } catch { /* private mode */ }
    recordUse(slug, exercise.id, 'hint');
  };
  const showSolution = () => {
    setSolution('shown');
    recordUse(slug, exercise.id, 'solution');
  };

  return (
    <section className="exercise" id={`exercise-${exercise.id}`} aria-labelledby={headingId} data-exercise={exercise.id} data-state={status.state}>
      <h3 id={headingId} className="exercise-title">
        <span className="exercise-number">{s.exercise(exercise.number)}</span>
        <span><InlineText text={exercise.title} /></span>
      </h3>
      <div className="exercise-body">{children}</div>
      <p role="status" aria-live="polite" className="exercise-status" data-state={status.state}>
        <span className="status-dot" aria-hidden="true" />
        {statusText(status, s, lang)}
      </p>
      <div className="exercise-actions">
        <button type="button" className="btn" onClick={() => void requestCheck(slug, [exercise.id])} disabled={status.state === 'checking'}>{s.check}</button>
        {shown < exercise.hints.length
          ? <button type="button" className="btn btn-quiet" onClick={nextHint}>{s.showHint(shown + 1, exercise.hints.length)}</button>
          : null}
        {solution === 'hidden' && <button type="button" className="btn btn-quiet" onClick={() => setSolution('confirm')}>{s.showSolution}</button>}
      </div>
      {shown > 0 && (
        <ol className="hints" aria-label={s.hintAside}>
          {exercise.hints.slice(0, shown).map((h, i) => (
            <li key={i}><strong>{s.hint(i + 1)}:</strong> <InlineText text={h} /></li>
          ))}
        </ol>
      )}
      {solution === 'confirm' && (
        <div className="confirm" role="group" aria-label={s.showSolution}>
          <p>{s.solutionConfirm}</p>
          <button type="button" className="btn" autoFocus onClick={showSolution}>{s.yesShow}</button>
          <button type="button" className="btn btn-quiet" onClick={() => setSolution('hidden')}>{s.cancel}</button>
        </div>
      )}
      {solution === 'shown' && (
        <div className="solution">
          <h4>{s.solution}</h4>
          {exercise.solution.map((step, i) => (
            <CodeBlock key={i} code={step.run} lang="bash" run host={step.host} uiLang={lang} />
          ))}
        </div>
      )}
    </section>
  );
}
