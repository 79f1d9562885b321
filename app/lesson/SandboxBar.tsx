'use client';
// The sandbox status line: starting → ready, time left before the lab expires, Extend, Reset;
// and for every failure a sentence and a way forward.
import { useEffect, useState } from 'react';
import { t, type Lang } from '../lib/i18n.ts';
import type { useSandbox } from '../lib/sandbox.ts';

export function SandboxBar({ lang, sandbox }: { lang: Lang; sandbox: ReturnType<typeof useSandbox> }) {
  const s = t(lang);
  const { state } = sandbox;
  const [now, setNow] = useState(() => Date.now());
  const [confirmReset, setConfirmReset] = useState(false);
  useEffect(() => {
    if (state.phase !== 'ready') return;
    const id = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(id);
  }, [state.phase]);

  let text: string;
  let actions: React.ReactNode = null;
  switch (state.phase) {
    case 'starting': text = s.sbStarting; break;
    case 'resetting': text = s.sbResetting; break;
    case 'ready': {
      const until = Math.min(state.sandbox.expiresAt, state.sandbox.idleExpiresAt);
      const left = Math.max(0, Math.round((until - now) / 60_000));
      text = `${s.sbReady} · ${s.sbTimeLeft(left)}`;
      actions = confirmReset ? (
        <span className="confirm-inline" role="group" aria-label={s.resetLab}>
          <span>{s.resetLabConfirm}</span>
          <button type="button" className="btn" autoFocus onClick={() => { setConfirmReset(false); void sandbox.reset(); }}>{s.resetLab}</button>
          <button type="button" className="btn btn-quiet" onClick={() => setConfirmReset(false)}>{s.cancel}</button>
        </span>
      ) : (
        <>
          <button type="button" className="btn btn-quiet" onClick={() => void sandbox.extend()}>{s.extend}</button>
          <button type="button" className="btn btn-quiet" onClick={() => setConfirmReset(true)}>{s.resetLab}</button>
        </>
      );
      break;
    }
    case 'gone':
      text = state.why ? `${s.sbGone} ${state.why}` : s.sbGone;
      actions = <button type="button" className="btn" onClick={sandbox.restart}>{s.startLab}</button>;
      break;
    case 'error':
      text = state.unreachable ? s.sbUnreachable : `${s.sbError} ${state.message}`;
      actions = <button type="button" className="btn" onClick={sandbox.restart}>{s.retry}</button>;
      break;
  }
  return (
    <div className="sandbox-bar" data-phase={state.phase}>
      <span className="status-dot" aria-hidden="true" />
      <span role="status" aria-live="polite" className="sandbox-status">{text}</span>
      <span className="sandbox-actions">{actions}</span>
    </div>
  );
}
