'use client';
// The live packet view in the lab pane: pick a host and what to watch (an interface, a Docker
// network or the inside of a container), an optional tcpdump filter, Start/Stop. Rows come from
// the runner already parsed (headers only) and rate-limited; packets it did not show are counted.
// Lesson prose starts a preset through <PacketView preset="…"/> (a window event caught here).
import { useEffect, useRef, useState } from 'react';
import {
  CAPTURE_PRESETS, isPresetName, type CaptureTarget, type LabViewClientMessage, type PacketRow,
} from '../../protocol/labview.ts';
import { t, type Lang } from '../lib/i18n.ts';
import { PACKET_VIEW_EVENT, type LabViewState, type PacketViewRequest } from '../labview/useLabView.ts';
import css from '../labview/labview.module.css';

function time(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(Math.floor(ms % 1000), 3)}`;
}

function Addr({ name, ip, mac }: { name?: string; ip?: string; mac?: string }) {
  return (
    <>
      <span className={css.addr}>{name ? <b>{name}</b> : null}{name && ip ? ' ' : ''}{ip}</span>
      {mac ? <span className={css.mac}>{mac}</span> : null}
    </>
  );
}

type Kind = CaptureTarget['kind'];

export function PacketView({ lang, hosts, sandboxId, state, send, clear }: {
  lang: Lang; hosts: string[]; sandboxId?: string; state: LabViewState;
  send(m: LabViewClientMessage): void; clear(): void;
}) {
  const s = t(lang).labView;
  const [open, setOpen] = useState(false);
  const [host, setHost] = useState(hosts[0]!);
  const [kind, setKind] = useState<Kind>('interface');
  const [name, setName] = useState('any');
  const [filter, setFilter] = useState('');
  const box = useRef<HTMLDetailsElement>(null);
  const running = state.capture?.state === 'running';
  const targets = state.targets[host];

  // Fresh choices whenever the panel opens or the host changes (networks come and go).
  useEffect(() => { if (open && sandboxId && state.connected) send({ type: 'targets', host }); }, [open, host, sandboxId, state.connected]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    const onPreset = (e: Event) => {
      const preset = (e as CustomEvent<PacketViewRequest>).detail?.preset ?? '';
      if (!isPresetName(preset)) return;
      const p = CAPTURE_PRESETS[preset];
      if (!hosts.includes(p.host)) return;
      setOpen(true);
      setHost(p.host); setKind(p.target.kind); setName(p.target.name); setFilter(p.filter);
      if (box.current) box.current.open = true;
      box.current?.scrollIntoView({ block: 'nearest' });
      send({ type: 'start', host: p.host, target: { ...p.target }, filter: p.filter, preset });
    };
    window.addEventListener(PACKET_VIEW_EVENT, onPreset);
    return () => window.removeEventListener(PACKET_VIEW_EVENT, onPreset);
  }, [hosts.join(','), send]); // eslint-disable-line react-hooks/exhaustive-deps

  const names: string[] = kind === 'interface'
    ? (targets?.interfaces ?? ['any', 'eth0', 'docker0'])
    : kind === 'network' ? (targets?.networks.map((n) => n.name) ?? []) : (targets?.containers ?? []);
  const options = names.includes(name) || !name ? names : [name, ...names];

  const start = () => send({ type: 'start', host, target: { kind, name } as CaptureTarget, filter: filter.trim() });
  const c = state.capture;

  return (
    <details className={css.panel} ref={box} open={open} onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)} data-testid="packet-view">
      <summary>{s.packets}{running ? ' ●' : ''}</summary>
      {!sandboxId ? <p className={css.muted}>{s.notReady}</p> : (
        <>
          <form className={css.controls} onSubmit={(e) => { e.preventDefault(); if (running) send({ type: 'stop' }); else start(); }}>
            <label>{s.host}
              <select value={host} onChange={(e) => setHost(e.target.value)} disabled={running}>
                {hosts.map((h) => <option key={h} value={h}>{h}</option>)}
              </select>
            </label>
            <label>{s.watch}
              <select value={kind} onChange={(e) => { const k = e.target.value as Kind; setKind(k); setName(k === 'interface' ? 'any' : ''); }} disabled={running}>
                <option value="interface">{s.iface}</option>
                <option value="network">{s.network}</option>
                <option value="container">{s.container}</option>
              </select>
            </label>
            <label>{kind === 'interface' ? s.iface : kind === 'network' ? s.network : s.container}
              <select value={name} onChange={(e) => setName(e.target.value)} disabled={running} data-testid="packet-target">
                {!name && <option value="">—</option>}
                {options.map((n) => <option key={n} value={n}>{n}</option>)}
              </select>
            </label>
            <label>{s.filter}
              <input value={filter} onChange={(e) => setFilter(e.target.value)} placeholder={s.filterHint} disabled={running} maxLength={200} spellCheck={false} data-testid="packet-filter" />
            </label>
            <button type="submit" className="btn" disabled={!running && !name} data-testid="packet-toggle">{running ? s.stop : s.start}</button>
            <button type="button" className="btn btn-quiet" onClick={clear}>{s.clear}</button>
          </form>
          <p className={css.status} role="status" data-testid="packet-status" data-state={c?.state ?? 'idle'}>
            {c?.state === 'running' ? s.running(c.host, c.iface, c.filter) : c ? `${s.stopped} ${c.reason ?? ''}` : s.idle}
          </p>
          {state.error && <p className={css.error} role="alert">{state.error}</p>}
          {state.skipped > 0 && <p className={css.skipped} data-testid="packet-skipped" data-count={state.skipped}>{s.skipped(state.skipped)}</p>}
          <div className={css.tableWrap}>
            <table className={css.table} data-testid="packet-rows">
              <thead>
                <tr><th>{s.time}</th><th>{s.ifaceCol}</th><th>{s.source}</th><th>{s.destination}</th><th>{s.protocol}</th><th>{s.summary}</th></tr>
              </thead>
              <tbody>
                {state.rows.length === 0
                  ? <tr><td colSpan={6} className={css.muted}>{s.noRows}</td></tr>
                  : state.rows.map((r: PacketRow) => (
                    <tr key={r.n} data-proto={r.proto}>
                      <td>{time(r.t)}</td>
                      <td className={css.iface} title={r.iface}>{r.iface}</td>
                      <td><Addr name={r.srcName} ip={r.src} mac={r.srcMac} /></td>
                      <td><Addr name={r.dstName} ip={r.dst} mac={r.dstMac} /></td>
                      <td className={css.proto}>{r.proto}</td>
                      <td className={css.summary}>{r.summary}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </details>
  );
}
