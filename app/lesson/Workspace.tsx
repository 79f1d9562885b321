'use client';
// The lesson workspace: prose on the left, the lab on the right (sandbox status line, exercise
// list, a terminal tab per host), in a split the learner can resize with the mouse or the arrow
// keys. Narrow screens show the two panes as tabs. The prose itself is server-rendered and
// passed in as children, so this component adds little JavaScript to the page.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { RUN_EVENT } from '../../protocol/terminal.ts';
import type { ExerciseView } from '../lib/course-types.ts';
import { t, type Lang } from '../lib/i18n.ts';
import { followLabStatus } from '../lib/lab-status.ts';
import { useSandbox } from '../lib/sandbox.ts';
import { FOCUS_TERMINAL_EVENT } from '../mdx/client-bits.tsx';
import { ExerciseList } from './ExerciseList.tsx';
import { LabViews } from '../labview/LabViews.tsx';
import { SandboxBar } from './SandboxBar.tsx';
import { preloadTerminal, TerminalSlot } from './TerminalSlot.tsx';
import { prefetchToken } from '../components/terminal/connection.ts';
import { WorkshopBanner } from '../workshop/WorkshopBanner.tsx';

const SPLIT_KEY = 'dnl_split';
const MIN = 25;
const MAX = 75;

export function Workspace({ slug, lang, hosts, exercises, children }: {
  slug: string; lang: Lang; hosts: number; exercises: ExerciseView[]; children: ReactNode;
}) {
  const s = t(lang);
  const hostNames = Array.from({ length: hosts }, (_, i) => `node${i + 1}`);
  const [split, setSplit] = useState(50);
  const [pane, setPane] = useState<'prose' | 'lab'>('prose');
  const [host, setHost] = useState(hostNames[0]!);
  // The first terminal's token is asked for as the lab turns ready, alongside the re-render.
  const sandbox = useSandbox(slug, hosts, { onReady: (sb) => prefetchToken({ sandboxId: sb.id, host: hostNames[0]!, terminal: 0 }) });
  const box = useRef<HTMLDivElement>(null);
  const sandboxId = sandbox.state.phase === 'ready' ? sandbox.state.sandbox.id : undefined;
  // A Run click before the lab is ready would type into nothing: say so instead.
  const readyRef = useRef(false);
  readyRef.current = sandboxId !== undefined;
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => { if (sandboxId) setNotice(null); }, [sandboxId]);

  useEffect(() => {
    const saved = Number(localStorage.getItem(SPLIT_KEY));
    if (saved >= MIN && saved <= MAX) setSplit(saved);
    try { localStorage.setItem('dnl_last_lesson', slug); } catch { /* private mode */ }
    preloadTerminal();
  }, [slug]);

  // Live exercise status for this lab, while the page is open.
  useEffect(() => {
    if (!sandboxId) return;
    const ctl = new AbortController();
    followLabStatus(sandboxId, ctl.signal, (message) => sandbox.markGone(message));
    return () => ctl.abort();
  }, [sandboxId]); // eslint-disable-line react-hooks/exhaustive-deps

  // A Run button or <Terminal host> brings that host's terminal forward (and, on a narrow
  // screen, the lab pane). The terminal itself handles the command.
  useEffect(() => {
    const show = (e: Event) => {
      const h = (e as CustomEvent<{ host?: string }>).detail?.host;
      if (h && hostNames.includes(h)) setHost(h);
      setPane('lab');
      if (e.type === RUN_EVENT && !readyRef.current) setNotice(s.runNotReady);
    };
    window.addEventListener(RUN_EVENT, show);
    window.addEventListener(FOCUS_TERMINAL_EVENT, show);
    return () => { window.removeEventListener(RUN_EVENT, show); window.removeEventListener(FOCUS_TERMINAL_EVENT, show); };
  }, [hostNames.join(',')]); // eslint-disable-line react-hooks/exhaustive-deps

  const save = (v: number) => {
    const clamped = Math.round(Math.min(MAX, Math.max(MIN, v)));
    setSplit(clamped);
    try { localStorage.setItem(SPLIT_KEY, String(clamped)); } catch { /* private mode */ }
  };
  const onPointerDown = useCallback((e: React.PointerEvent<HTMLDivElement>) => {
    const el = box.current;
    if (!el) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    const rect = el.getBoundingClientRect();
    const move = (ev: PointerEvent) => save(((ev.clientX - rect.left) / rect.width) * 100);
    const up = () => { window.removeEventListener('pointermove', move); window.removeEventListener('pointerup', up); };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  }, []);
  const onKey = (e: React.KeyboardEvent) => {
    const step = e.shiftKey ? 10 : 2;
    if (e.key === 'ArrowLeft') save(split - step);
    else if (e.key === 'ArrowRight') save(split + step);
    else if (e.key === 'Home') save(MIN);
    else if (e.key === 'End') save(MAX);
    else return;
    e.preventDefault();
  };

  const tabKey = (e: React.KeyboardEvent, names: string[], current: string, set: (v: string) => void) => {
    const i = names.indexOf(current);
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % names.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + names.length) % names.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = names.length - 1;
    if (next < 0) return;
    e.preventDefault();
    set(names[next]!);
    (e.currentTarget.parentElement?.children[next] as HTMLElement | undefined)?.focus();
  };

  return (
    <div className="workspace" ref={box} data-pane={pane} style={{ ['--split' as string]: `${split}%` }}>
      <div className="pane-switch" role="tablist" aria-label={`${s.prose} / ${s.terminal}`}>
        {(['prose', 'lab'] as const).map((p) => (
          <button key={p} type="button" role="tab" id={`pane-tab-${p}`} aria-controls={`pane-${p}`} aria-selected={pane === p}
            tabIndex={pane === p ? 0 : -1} onClick={() => setPane(p)}
            onKeyDown={(e) => tabKey(e, ['prose', 'lab'], pane, (v) => setPane(v as 'prose' | 'lab'))}>
            {p === 'prose' ? s.prose : s.terminal}
          </button>
        ))}
      </div>
      <div className="pane pane-prose" id="pane-prose">{children}</div>
      <div className="splitter" role="separator" tabIndex={0} aria-orientation="vertical" aria-label={s.resizeSplit}
        aria-controls="pane-prose" aria-valuemin={MIN} aria-valuemax={MAX} aria-valuenow={split}
        onPointerDown={onPointerDown} onKeyDown={onKey} />
      <section className="pane pane-lab" id="pane-lab" aria-label={s.sandbox}>
        <WorkshopBanner lang={lang} slug={slug} />
        <SandboxBar lang={lang} sandbox={sandbox} />
        {notice && <p className="lab-notice" role="status">{notice}</p>}
        <ExerciseList slug={slug} lang={lang} exercises={exercises} onPick={() => setPane('prose')} />
        <LabViews lang={lang} hosts={hostNames} sandboxId={sandboxId} />
        <div className="host-tabs" role="tablist" aria-label={s.terminal}>
          {hostNames.map((h) => (
            <button key={h} type="button" role="tab" id={`host-tab-${h}`} aria-controls={`host-panel-${h}`} aria-selected={host === h}
              tabIndex={host === h ? 0 : -1} onClick={() => setHost(h)} onKeyDown={(e) => tabKey(e, hostNames, host, setHost)}>
              {h}
            </button>
          ))}
        </div>
        {hostNames.map((h) => (
          <div key={h} className="host-panel" role="tabpanel" id={`host-panel-${h}`} aria-labelledby={`host-tab-${h}`} hidden={host !== h}>
            <TerminalSlot lang={lang} host={h} sandboxId={sandboxId} active={host === h} />
          </div>
        ))}
      </section>
    </div>
  );
}
