'use client';
// Where a host's terminal goes. The terminal component (xterm.js, by the terminal part:
// app/components/terminal) is loaded lazily and only once the lab is ready, so it never weighs
// on the lesson page's first load.
import dynamic from 'next/dynamic';
import { t, type Lang } from '../lib/i18n.ts';

const loadTerminal = () => import('../components/terminal/Terminal.tsx');

/** Fetches the terminal code AND xterm.js with its addons while the lab starts (after the page
 *  is interactive), so the first prompt is not also waiting for downloads once the lab is ready
 *  (the component alone would only start fetching xterm when it mounts, at "ready"). */
export function preloadTerminal(): void { void loadTerminal().then((m) => m.loadXterm()).catch(() => undefined); }

// In the browser the download starts as this module is evaluated (hydration), not after the
// page has mounted: a warm lab is ready ~0.5 s after mount, and the terminal's chunks
// (~330 KB) must not still be on the wire then. They stay out of the first-load bundle.
if (typeof window !== 'undefined') preloadTerminal();

const Terminal = dynamic(loadTerminal, {
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
