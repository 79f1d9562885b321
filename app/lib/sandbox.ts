'use client';
// The lesson page's view of the learner's lab: claim (or reuse) a sandbox for this lesson,
// follow it to ready, extend, reset. Talks to the runner's API same-origin; the learner is the
// runner's signed HttpOnly cookie, so this module never handles an identity.
import { useCallback, useEffect, useRef, useState } from 'react';
import { SANDBOXES_PATH, SandboxViewSchema, type SandboxView } from '../../protocol/sandbox.ts';

export type LabPhase =
  | { phase: 'starting'; sandbox?: SandboxView }
  | { phase: 'ready'; sandbox: SandboxView }
  | { phase: 'resetting'; sandbox: SandboxView }
  | { phase: 'gone'; sandbox?: SandboxView; why?: string }
  | { phase: 'error'; message: string; unreachable: boolean };

class RunnerError extends Error {
  constructor(message: string, readonly status: number, readonly unreachable = false) { super(message); }
}

async function call(path: string, init?: RequestInit & { signal?: AbortSignal }): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers: { 'content-type': 'application/json', ...init?.headers } });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new RunnerError('unreachable', 0, true);
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const msg = body && typeof body === 'object' && 'error' in body ? String((body as { error: unknown }).error) : `HTTP ${res.status}`;
    // No JSON error from the runner (a proxy's error page, an HTML 404): the runner is not there.
    throw new RunnerError(msg, res.status, body === undefined);
  }
  return body;
}

function view(body: unknown): SandboxView | undefined {
  const b = body && typeof body === 'object' && 'sandbox' in body ? (body as { sandbox: unknown }).sandbox : body;
  const parsed = SandboxViewSchema.safeParse(b);
  return parsed.success ? parsed.data : undefined;
}

function toPhase(sb: SandboxView): LabPhase {
  switch (sb.status) {
    case 'ready': return { phase: 'ready', sandbox: sb };
    case 'resetting': return { phase: 'resetting', sandbox: sb };
    case 'gone': return { phase: 'gone', sandbox: sb };
    case 'error': return { phase: 'error', message: sb.error ?? 'the lab could not start', unreachable: false };
    default: return { phase: 'starting', sandbox: sb };
  }
}

/** Claims a lab for this lesson when the page opens; aborts outstanding work when it closes. */
export function useSandbox(lesson: string, hosts: number, opts: { onReady?: (sb: SandboxView) => void } = {}) {
  const [state, setState] = useState<LabPhase>({ phase: 'starting' });
  const ctl = useRef<AbortController | null>(null);
  const onReady = useRef(opts.onReady);
  onReady.current = opts.onReady;
  // Told before the page re-renders for "ready", so work it starts (the terminal's token) runs
  // alongside that render instead of after it.
  const told = (sb: SandboxView): SandboxView => { if (sb.status === 'ready') onReady.current?.(sb); return sb; };

  const claim = useCallback(async (signal: AbortSignal) => {
    setState({ phase: 'starting' });
    try {
      const mine = await call(`${SANDBOXES_PATH}/current`, { signal }).catch((e: unknown) => {
        if (e instanceof RunnerError && e.status === 404 && !e.unreachable) return undefined;
        throw e;
      });
      const list = mine && typeof mine === 'object' && 'sandboxes' in mine && Array.isArray(mine.sandboxes) ? mine.sandboxes : [mine];
      const current = list.map(view).find((v) => v?.lesson === lesson);
      if (current && current.lesson === lesson && current.hosts.length >= hosts && current.status !== 'gone' && current.status !== 'error') {
        setState(toPhase(told(current)));
        if (current.status === 'ready') return;
      }
      // wait: the runner answers once the lab is ready (or failed): one request, no polling.
      const sb = view(await call(SANDBOXES_PATH, { method: 'POST', body: JSON.stringify({ hosts, lesson, wait: true }), signal }));
      if (signal.aborted) return;
      setState(sb ? toPhase(told(sb)) : { phase: 'error', message: 'the runner sent an answer this page does not understand', unreachable: false });
    } catch (err) {
      if (signal.aborted) return;
      const e = err as RunnerError;
      setState({ phase: 'error', message: e.message, unreachable: Boolean(e.unreachable) });
    }
  }, [lesson, hosts]);

  const restart = useCallback(() => {
    ctl.current?.abort();
    ctl.current = new AbortController();
    void claim(ctl.current.signal);
  }, [claim]);

  useEffect(() => {
    restart();
    return () => ctl.current?.abort();
  }, [restart]);

  const act = useCallback(async (what: 'extend' | 'reset') => {
    if (!('sandbox' in state) || !state.sandbox) return;
    const sb = state.sandbox;
    if (what === 'reset') setState({ phase: 'resetting', sandbox: sb });
    try {
      const body = await call(`${SANDBOXES_PATH}/${encodeURIComponent(sb.id)}/${what}`, { method: 'POST', body: JSON.stringify(what === 'reset' ? { wait: true } : {}) });
      const next = view(body);
      if (next) setState(toPhase(next));
      else if (what === 'reset') restart();
    } catch (err) {
      const e = err as RunnerError;
      setState({ phase: 'error', message: e.message, unreachable: Boolean(e.unreachable) });
    }
  }, [state, restart]);

  // The idle deadline moves while the learner works (the runner sees the terminal traffic), so
  // re-read the lab once a minute while the page is visible, and when it becomes visible again.
  const readyId = state.phase === 'ready' ? state.sandbox.id : undefined;
  useEffect(() => {
    if (!readyId) return;
    const refresh = () => {
      if (document.visibilityState !== 'visible') return;
      call(`${SANDBOXES_PATH}/${encodeURIComponent(readyId)}`).then((b) => {
        const v = view(b);
        if (v) setState((cur) => (cur.phase === 'ready' && cur.sandbox.id === v.id ? toPhase(v) : cur));
      }).catch((e: unknown) => {
        if (e instanceof RunnerError && e.status === 404 && !e.unreachable) {
          setState((cur) => (cur.phase === 'ready' && cur.sandbox.id === readyId ? { phase: 'gone', sandbox: cur.sandbox } : cur));
        }
      });
    };
    const timer = setInterval(refresh, 60_000);
    document.addEventListener('visibilitychange', refresh);
    return () => { clearInterval(timer); document.removeEventListener('visibilitychange', refresh); };
  }, [readyId]);

  /** The runner said the lab is gone (e.g. on the status stream): say so and offer a new one. */
  const markGone = useCallback((why: string) => {
    ctl.current?.abort();
    setState((s) => ({ phase: 'gone', sandbox: 'sandbox' in s ? s.sandbox : undefined, why }));
  }, []);

  return { state, restart, markGone, extend: () => act('extend'), reset: () => act('reset') };
}
