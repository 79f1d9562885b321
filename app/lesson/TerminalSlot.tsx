'use client';
// Where a host's terminal goes. The terminal component (xterm.js, by the terminal part:
// app/components/terminal) is loaded lazily and only once the lab is ready, so it never weighs
// on the lesson page's first load.
import dynamic from 'next/dynamic';
import { t, type Lang } from '../lib/i18n.ts';

const Terminal = dynamic(() => import('../components/terminal/Terminal.tsx'), {
  ssr: false,
  loading: () => <p className="terminal-placeholder">…</p>,
});

export function TerminalSlot({ lang, host, sandboxId, active }: { lang: Lang; host: string; sandboxId?: string; active: boolean }) {
  const s = t(lang);
  return (
    <div className="terminal-slot" data-host={host} data-active={active} aria-label={s.terminalsOf(host)} role="group">
      {sandboxId
        ? <Terminal key={sandboxId} sandboxId={sandboxId} host={host} height="100%" />
        : <p className="terminal-placeholder">{s.terminalWaiting}</p>}
    </div>
  );
}
