'use client';
// Where a host's terminal goes. The terminal (xterm.js) is loaded lazily, only once the lab is
// ready, so it never weighs on the lesson page's first load.
import { t, type Lang } from '../lib/i18n.ts';

export function TerminalSlot({ lang, host, sandboxId, active }: { lang: Lang; host: string; sandboxId?: string; active: boolean }) {
  const s = t(lang);
  return (
    <div className="terminal-slot" data-host={host} data-active={active}>
      <p className="terminal-placeholder">{sandboxId ? s.terminalLoading : s.terminalWaiting}</p>
    </div>
  );
}
