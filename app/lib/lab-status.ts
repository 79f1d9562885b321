'use client';
// Live exercise status in the browser: one small store, fed by
//   1. the runner's status stream  WS /runner/ws/lab?sandbox=<id>   (pushed as the learner works)
//   2. the Check button's answer    POST /runner/api/lessons/:slug/check
// Both carry protocol/lab.ts ExerciseStatus objects. Components read the store with useExerciseStatus().
// The check engine can feed it directly too: setExerciseStatus(msg) / window 'dnl:exercise' event.
import { useSyncExternalStore } from 'react';
import { z } from 'zod';
import { CheckResponseSchema, LAB_WS_PATH, LabServerMessageSchema } from '../../protocol/lab.ts';
import { setTopology } from '../lesson/TopologyStore.ts';

export const checkPath = (slug: string) => `/runner/api/lessons/${encodeURIComponent(slug)}/check`;
export const usedPath = (slug: string, id: string) => `/runner/api/lessons/${encodeURIComponent(slug)}/exercises/${encodeURIComponent(id)}/used`;

/** What the page needs of one status message (tests and other parts of the page may send just this). */
export const ExerciseStatusMessageSchema = z.object({
  type: z.literal('exercise'),
  lessonSlug: z.string().min(1),
  exerciseId: z.string().min(1),
  passed: z.boolean(),
  reason: z.string().optional(),
  reasonKo: z.string().optional(),
  unavailable: z.boolean().optional(),
});
export type ExerciseStatusMessage = z.infer<typeof ExerciseStatusMessageSchema>;

export type ExerciseState =
  | { state: 'unknown' }
  | { state: 'checking' }
  | { state: 'passed' }
  | { state: 'failed'; reason: string; reasonKo?: string }
  | { state: 'unavailable'; reason: string; reasonKo?: string }
  | { state: 'error'; reason: string };

/** A state's reason in the learner's language (the runner sends English and Korean). */
export function reasonIn(s: ExerciseState, lang: 'en' | 'ko'): string {
  if (!('reason' in s)) return '';
  return lang === 'ko' && 'reasonKo' in s && s.reasonKo ? s.reasonKo : s.reason;
}

const UNKNOWN: ExerciseState = { state: 'unknown' };
const statuses = new Map<string, ExerciseState>();
const listeners = new Set<() => void>();
const key = (slug: string, id: string) => `${slug}\u0000${id}`;

let version = 0;
function emit(): void { version++; for (const l of listeners) l(); }

/** Re-renders the caller whenever any exercise status changes. */
export function useLabStatusVersion(): number {
  return useSyncExternalStore(subscribe, () => version, () => 0);
}
function subscribe(l: () => void): () => void { listeners.add(l); return () => { listeners.delete(l); }; }

export function setExerciseState(slug: string, id: string, s: ExerciseState): void {
  const k = key(slug, id);
  const prev = statuses.get(k);
  const ko = (x: ExerciseState): string => ('reasonKo' in x ? x.reasonKo ?? '' : '');
  if (prev && prev.state === s.state && ('reason' in prev ? prev.reason : '') === ('reason' in s ? s.reason : '') && ko(prev) === ko(s)) return;
  statuses.set(k, s);
  emit();
}

/** Applies one message from the runner. */
export function setExerciseStatus(msg: ExerciseStatusMessage): void {
  const reason = msg.reason || 'Not passed yet';
  const reasonKo = msg.reasonKo || undefined;
  setExerciseState(msg.lessonSlug, msg.exerciseId, msg.passed ? { state: 'passed' } : msg.unavailable ? { state: 'unavailable', reason, reasonKo } : { state: 'failed', reason, reasonKo });
}

export function getExerciseState(slug: string, id: string): ExerciseState {
  return statuses.get(key(slug, id)) ?? UNKNOWN;
}

export function useExerciseStatus(slug: string, id: string): ExerciseState {
  return useSyncExternalStore(subscribe, () => getExerciseState(slug, id), () => UNKNOWN);
}

if (typeof window !== 'undefined') {
  // Lets tests and other parts of the page push a status without importing this module.
  window.addEventListener('dnl:exercise', (e) => {
    const parsed = ExerciseStatusMessageSchema.safeParse((e as CustomEvent).detail);
    if (parsed.success) setExerciseStatus(parsed.data);
  });
}

/**
 * Follows the runner's status stream for one sandbox until signal aborts; reconnects with
 * backoff (the stream is the source of truth, so nothing is polled).
 */
export function followLabStatus(sandboxId: string, signal: AbortSignal, onError?: (message: string) => void): void {
  let attempt = 0;
  const open = (): void => {
    if (signal.aborted) return;
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}${LAB_WS_PATH}?sandbox=${encodeURIComponent(sandboxId)}`);
    const stop = () => ws.close(1000);
    signal.addEventListener('abort', stop, { once: true });
    ws.onopen = () => { attempt = 0; };
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      let data: unknown;
      try { data = JSON.parse(ev.data); } catch { return; }
      const parsed = LabServerMessageSchema.safeParse(data);
      if (!parsed.success) return;
      const m = parsed.data;
      if (m.type === 'exercise') setExerciseStatus(m);
      else if (m.type === 'topology') setTopology(m);
      else if (m.type === 'error') onError?.(m.message);
    };
    ws.onclose = (ev) => {
      signal.removeEventListener('abort', stop);
      // 4403/4404: not this learner's sandbox, or it is gone: reconnecting cannot help.
      if (signal.aborted || ev.code === 4403 || ev.code === 4404) return;
      const delay = Math.min(10_000, 500 * 2 ** attempt++);
      setTimeout(open, delay);
    };
  };
  open();
}

/** Re-checks a lesson on demand; the answer (and the stream) update the store. */
export async function requestCheck(slug: string, ids: string[], sandbox?: string): Promise<void> {
  for (const id of ids) setExerciseState(slug, id, { state: 'checking' });
  try {
    const res = await fetch(checkPath(slug), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sandbox ? { sandbox } : {}) });
    const body: unknown = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(errorText(body) ?? `the runner answered ${res.status}`);
    const parsed = CheckResponseSchema.safeParse(body);
    if (!parsed.success) throw new Error('the runner sent an answer this page does not understand');
    for (const m of parsed.data.exercises) setExerciseStatus(m);
  } catch (err) {
    const reason = err instanceof TypeError ? 'the lab runner is not reachable' : err instanceof Error ? err.message : String(err);
    for (const id of ids) if (getExerciseState(slug, id).state === 'checking') setExerciseState(slug, id, { state: 'error', reason });
  }
}

/** Records that a hint or the solution was shown (best effort: progress keeps working without it). */
export function recordUse(slug: string, id: string, kind: 'hint' | 'solution'): void {
  void fetch(usedPath(slug, id), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind }), keepalive: true }).catch(() => undefined);
}

export function errorText(body: unknown): string | undefined {
  if (body && typeof body === 'object' && 'error' in body && typeof (body as { error: unknown }).error === 'string') return (body as { error: string }).error;
  return undefined;
}
