'use client';
// One tab per host of a multi-host lesson, and "+" to open another terminal on the current host.
// Every opened terminal stays mounted (hidden when not shown) so its shell and screen live on;
// click-to-run reaches a host's terminal even while another tab is in front (it switches tabs).
import { useEffect, useState, type CSSProperties } from 'react';
import Terminal from './Terminal.tsx';
import { RUN_EVENT, MAX_TERMINALS_PER_HOST } from '../../../protocol/terminal.ts';

export interface TerminalTabsProps {
  sandboxId: string;
  hosts: string[];
  readOnly?: boolean;
  height?: CSSProperties['height'];
}

interface Tab { host: string; terminal: number }

const tabStyle = (active: boolean): CSSProperties => ({
  font: '13px system-ui, sans-serif', padding: '4px 12px', border: 'none', borderRadius: '6px 6px 0 0', cursor: 'pointer',
  background: active ? '#16181d' : '#2a2e37', color: active ? '#ffffff' : '#b9bec8',
});

export default function TerminalTabs({ sandboxId, hosts, readOnly = false, height }: TerminalTabsProps) {
  const [tabs, setTabs] = useState<Tab[]>(() => hosts.map((host) => ({ host, terminal: 0 })));
  const [active, setActive] = useState(0);

  useEffect(() => { setTabs(hosts.map((host) => ({ host, terminal: 0 }))); setActive(0); }, [hosts.join(','), sandboxId]); // eslint-disable-line react-hooks/exhaustive-deps

  // Bring the host's tab to the front when something asks to run a command there (capture: before the terminal types it).
  useEffect(() => {
    const onRun = (ev: Event) => {
      const host = (ev as CustomEvent<{ host?: unknown }>).detail?.host;
      const cur = tabs[active];
      if (typeof host !== 'string' || cur?.host === host) return;
      const i = tabs.findIndex((t) => t.host === host);
      if (i >= 0) setActive(i);
    };
    window.addEventListener(RUN_EVENT, onRun, { capture: true });
    return () => window.removeEventListener(RUN_EVENT, onRun, { capture: true });
  }, [tabs, active]);

  const current = tabs[active];
  const addTerminal = () => {
    if (!current) return;
    const used = tabs.filter((t) => t.host === current.host).map((t) => t.terminal);
    const next = Array.from({ length: MAX_TERMINALS_PER_HOST }, (_, i) => i).find((i) => !used.includes(i));
    if (next === undefined) return;
    setTabs([...tabs, { host: current.host, terminal: next }]);
    setActive(tabs.length);
  };

  return (
    <div className="dnl-terminal-tabs">
      <div role="tablist" style={{ display: 'flex', gap: 2, alignItems: 'flex-end' }}>
        {tabs.map((t, i) => (
          <button key={`${t.host}/${t.terminal}`} role="tab" aria-selected={i === active} data-host={t.host} style={tabStyle(i === active)} onClick={() => setActive(i)}>
            {t.host}{t.terminal > 0 ? ` #${t.terminal + 1}` : ''}
          </button>
        ))}
        {!readOnly && (
          <button aria-label={`Open another terminal on ${current?.host ?? 'this host'}`} title="Open another terminal on this host" style={tabStyle(false)} onClick={addTerminal}>+</button>
        )}
      </div>
      {/* Tabs behind the front one stay laid out (hidden, not display:none) so their terminals keep
          the real size: a command run there must not wrap at a 0-width terminal's columns. */}
      <div style={{ position: 'relative' }}>
      {tabs.map((t, i) => (
        <div key={`${t.host}/${t.terminal}`} role="tabpanel" aria-hidden={i !== active}
          style={i === active ? { position: 'relative' } : { position: 'absolute', top: 0, left: 0, width: '100%', visibility: 'hidden', pointerEvents: 'none' }}>
          <Terminal sandboxId={sandboxId} host={t.host} terminal={t.terminal} readOnly={readOnly} height={height} autoFocus={i === active && t.terminal > 0} />
        </div>
      ))}
      </div>
    </div>
  );
}
