'use client';
// Small interactive pieces of the registry.
import { useState, type ReactNode } from 'react';
import { t, type Lang } from '../lib/i18n.ts';

export const FOCUS_TERMINAL_EVENT = 'dnl:focus-terminal';

/** <Terminal host="node2" /> in prose: brings that host's terminal forward in the workspace. */
export function TerminalButton({ host, lang }: { host: string; lang: Lang }) {
  return (
    <button type="button" className="btn btn-quiet terminal-link"
      onClick={() => window.dispatchEvent(new CustomEvent(FOCUS_TERMINAL_EVENT, { detail: { host } }))}>
      ⌨ {t(lang).openTerminal(host)}
    </button>
  );
}

/** <Solution>…</Solution> in prose: hidden until the learner confirms. */
export function SolutionReveal({ lang, children }: { lang: Lang; children?: ReactNode }) {
  const s = t(lang);
  const [state, setState] = useState<'hidden' | 'confirm' | 'shown'>('hidden');
  if (state === 'shown') return <div className="solution">{children}</div>;
  if (state === 'confirm') {
    return (
      <div className="confirm" role="group" aria-label={s.showSolution}>
        <p>{s.solutionConfirm}</p>
        <button type="button" className="btn" autoFocus onClick={() => setState('shown')}>{s.yesShow}</button>
        <button type="button" className="btn btn-quiet" onClick={() => setState('hidden')}>{s.cancel}</button>
      </div>
    );
  }
  return <p><button type="button" className="btn btn-quiet" onClick={() => setState('confirm')}>{s.showSolution}</button></p>;
}

/** <Topology />: the live diagram's place in the prose (the diagram itself loads lazily). */
export function TopologySlot({ lang }: { lang: Lang }) {
  const s = t(lang);
  return (
    <figure className="topology-slot" aria-label={s.topology}>
      <figcaption>{s.topology}</figcaption>
      <p>{s.topologyPending}</p>
    </figure>
  );
}
