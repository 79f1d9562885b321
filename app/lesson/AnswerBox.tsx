'use client';
// The answer box of an exercise whose check is an `answer` (issue 6): the learner looks a value
// up in their own lab (container3's IP, a network's gateway …) and types it here. The runner
// compares it with the live value and answers with every exercise's status; the right value
// never comes to the page, so it cannot be read from it (only "right" or "not that").
import { useId, useState, type FormEvent } from 'react';
import type { CheckResponse } from '../../protocol/lab.ts';
import { CheckResponseSchema } from '../../protocol/lab.ts';
import type { ExerciseAnswerKind } from '../lib/course-types.ts';
import { diagramText, type Lang } from '../lib/i18n.ts';
import { errorText, setExerciseState, setExerciseStatus, useExerciseStatus } from '../lib/lab-status.ts';

export const answerPath = (slug: string, id: string) => `/runner/api/lessons/${encodeURIComponent(slug)}/exercises/${encodeURIComponent(id)}/answer`;

/** A shape hint, never a value from the learner's lab. */
const PLACEHOLDER: Record<ExerciseAnswerKind, string> = {
  containerIp: '172.x.y.z', containerMac: '02:42:…', networkSubnet: '172.x.0.0/16', networkGateway: '172.x.0.1', text: '',
};

export function AnswerBox({ slug, exerciseId, kind, lang }: { slug: string; exerciseId: string; kind: ExerciseAnswerKind; lang: Lang }) {
  const d = diagramText(lang);
  const inputId = useId(), helpId = useId();
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const status = useExerciseStatus(slug, exerciseId);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const v = value.trim();
    if (!v || busy) return;
    setBusy(true);
    setError(null);
    setExerciseState(slug, exerciseId, { state: 'checking' });
    try {
      const res = await fetch(answerPath(slug, exerciseId), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: v }) });
      const body: unknown = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(res.status === 404 && (body as { code?: string }).code === 'no_sandbox' ? d.answerNeedsLab : errorText(body) ?? `HTTP ${res.status}`);
      const parsed = CheckResponseSchema.safeParse(body);
      if (!parsed.success) throw new Error('the runner sent an answer this page does not understand');
      for (const m of (parsed.data as CheckResponse).exercises) setExerciseStatus(m);
    } catch (err) {
      const msg = err instanceof TypeError ? 'the lab runner is not reachable' : err instanceof Error ? err.message : String(err);
      setError(msg);
      setExerciseState(slug, exerciseId, { state: 'error', reason: msg });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="answer-box" onSubmit={(e) => void submit(e)} data-answer={exerciseId} data-state={status.state}>
      <label htmlFor={inputId}>{d.answerLabel}</label>
      <input id={inputId} name="answer" type="text" inputMode={kind === 'text' ? 'text' : 'decimal'} autoComplete="off" spellCheck={false}
        maxLength={200} placeholder={PLACEHOLDER[kind]} aria-describedby={helpId} value={value}
        onChange={(e) => setValue(e.target.value)} aria-invalid={status.state === 'failed' && value !== '' ? true : undefined} />
      <button type="submit" className="btn" disabled={busy || value.trim() === ''}>{busy ? d.answerSent : d.answerCheck}</button>
      <p id={helpId} className="answer-help">{d.answerHelp}</p>
      {error && <p className="answer-error" role="alert">{error}</p>}
    </form>
  );
}
