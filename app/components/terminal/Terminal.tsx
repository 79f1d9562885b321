'use client';
// A live terminal on one host of the learner's sandbox. xterm.js and its addons are loaded
// lazily (dynamic import) so a lesson's prose paints first; a static placeholder of the same
// size holds the place meanwhile. The focused terminal is `window.term` (tests and the
// benchmark read its buffer, as with ttyd).
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState, type CSSProperties } from 'react';
import type { ITheme, Terminal as XTerm } from '@xterm/xterm';
import { TerminalConnection, type ConnState } from './connection.ts';
import { registerRunTarget, type RunTarget } from './run.ts';

declare global {
  interface Window { term?: XTerm }
}


/** Quiet after output before a queued Run is typed; and the longest wait when nothing is printed. */
const SETTLE_QUIET_MS = 150;
const SETTLE_FALLBACK_MS = 3000;
export interface TerminalProps {
  sandboxId: string;
  /** node1, node2 … */
  host: string;
  /** Several terminals per host: 0, 1, … */
  terminal?: number;
  /** Watch only (instructor shadowing): output is shown, keys are not sent. */
  readOnly?: boolean;
  /** CSS height of the terminal area (default 24rem). */
  height?: CSSProperties['height'];
  autoFocus?: boolean;
  /**
   * 'webgl' (default, as ttyd and WeTTY): paints a keystroke's echo within the frame; it takes
   * over from the DOM renderer once the first prompt is up, and falls back to 'dom' when WebGL
   * is unavailable or its context is lost. 'dom' is lighter for many small
   * terminals on one page.
   */
  renderer?: 'dom' | 'webgl';
}

export const TERMINAL_FONT = "'DejaVu Sans Mono', 'Cascadia Mono', 'Ubuntu Mono', Menlo, Consolas, 'Liberation Mono', monospace";

// Dark, high-contrast palette (every ANSI colour readable on the background; WCAG AA for text).
export const TERMINAL_THEME: ITheme = {
  background: '#16181d', foreground: '#e6e6e6', cursor: '#f5c542', cursorAccent: '#16181d',
  selectionBackground: '#3a4a6b', selectionForeground: '#ffffff',
  black: '#3b3f4a', red: '#ff6b6b', green: '#7bd88f', yellow: '#f5c542', blue: '#6cb6ff', magenta: '#d6a0ff', cyan: '#5fd7d7', white: '#d0d0d0',
  brightBlack: '#7f8694', brightRed: '#ff8f8f', brightGreen: '#a2f0b1', brightYellow: '#ffe08a', brightBlue: '#9ccfff', brightMagenta: '#e6c2ff', brightCyan: '#94f0f0', brightWhite: '#ffffff',
};

type XtermModules = readonly [
  Pick<typeof import('@xterm/xterm'), 'Terminal'>, Pick<typeof import('@xterm/addon-fit'), 'FitAddon'>,
  Pick<typeof import('@xterm/addon-web-links'), 'WebLinksAddon'>, Pick<typeof import('@xterm/addon-clipboard'), 'ClipboardAddon'>,
];
let xtermModules: Promise<XtermModules> | undefined;
function importXterm(): Promise<XtermModules> {
  return Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit'), import('@xterm/addon-web-links'), import('@xterm/addon-clipboard')]);
}
/**
 * For a page that is nothing but a terminal (the playground): xterm ships in its first bundle,
 * downloaded and compiled alongside React instead of after hydration.
 */
export function provideXterm(mods: XtermModules): void {
  xtermModules ??= Promise.resolve(mods);
}
/** Starts downloading xterm.js (call it as soon as a page knows it will show a terminal). */
export function loadXterm(): Promise<XtermModules> {
  if (!xtermModules) import('@xterm/addon-webgl').catch(() => { /* the DOM renderer then */ });
  xtermModules ??= importXterm().catch((err: unknown) => { xtermModules = undefined; throw err; });
  return xtermModules;
}

type ViewState = { state: 'loading' } | ConnState;

function statusText(s: ViewState): string {
  switch (s.state) {
    case 'loading': return 'loading terminal…';
    case 'connecting': return 'connecting…';
    case 'ready': return s.mode === 'ro' ? 'connected (read-only)' : 'connected';
    case 'reconnecting': return `reconnecting${s.inMs > 0 ? ` in ${Math.ceil(s.inMs / 1000)} s` : '…'} (${s.why})`;
    case 'exited': return `exited: ${s.message}`;
    case 'error': return s.message;
  }
}

const dotColor: Record<ViewState['state'], string> = {
  loading: '#7f8694', connecting: '#f5c542', ready: '#7bd88f', reconnecting: '#f5c542', exited: '#7f8694', error: '#ff6b6b',
};

export default function Terminal({ sandboxId, host, terminal = 0, readOnly = false, height = '24rem', autoFocus = false, renderer = 'webgl' }: TerminalProps) {
  const boxRef = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<ViewState>({ state: 'loading' });
  const [loaded, setLoaded] = useState(false);

  useEffect(() => {
    const el = boxRef.current;
    if (!el) return;
    let disposed = false;
    const cleanups: Array<() => void> = [];

    // Token request and xterm download run in parallel.
    let queued: { command: string; interrupt: boolean } | undefined;
    let target: RunTarget | undefined;
    // A command typed while the shell is still starting can be swallowed (bash resets the tty as
    // it sets up readline). The shell counts as settled once its output (the prompt) has been
    // quiet for a moment; a queued Run goes then.
    let settled = false;
    let upgradeRenderer: (() => void) | undefined;
    let settleTimer: ReturnType<typeof setTimeout> | undefined;
    const settleSoon = (ms: number): void => {
      if (settled) return;
      clearTimeout(settleTimer);
      settleTimer = setTimeout(() => {
        if (disposed || !conn.canType) return;
        settled = true;
        upgradeRenderer?.();
        flushQueued();
      }, ms);
    };
    const flushQueued = (): void => {
      if (queued && target) { const q = queued; queued = undefined; target.run(q.command, q.interrupt); }
    };
    cleanups.push(() => clearTimeout(settleTimer));
    const conn = new TerminalConnection({
      sandboxId, host, terminal, readOnly,
      onState: (st) => {
        if (disposed) return;
        setView(st);
        if (st.state === 'ready') { if (settled) flushQueued(); else settleSoon(SETTLE_FALLBACK_MS); }
      },
    });
    cleanups.push(() => conn.dispose());
    conn.prefetch();

    // The WebGL addon (when asked for) downloads alongside xterm, not after it.
    const webgl = renderer === 'webgl' ? import('@xterm/addon-webgl') : undefined;
    webgl?.catch(() => { /* DOM renderer then */ });
    (async () => {
      const [{ Terminal: XTermCtor }, { FitAddon }, { WebLinksAddon }, { ClipboardAddon }] = await loadXterm();
      if (disposed) return;
      const term = new XTermCtor({
        fontFamily: TERMINAL_FONT, fontSize: 14, lineHeight: 1.15, theme: TERMINAL_THEME,
        cursorBlink: !readOnly, cursorStyle: readOnly ? 'underline' : 'block', disableStdin: readOnly,
        scrollback: 5000, convertEol: false, allowProposedApi: false,
      });
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.loadAddon(new WebLinksAddon());
      term.loadAddon(new ClipboardAddon());
      term.open(el);
      cleanups.push(() => term.dispose());
      if (renderer === 'webgl') {
        // The first prompt paints with the DOM renderer; WebGL takes over once the shell has
        // settled and the page is idle. Building its glyph atlas costs a few hundred ms of main
        // thread (more without a GPU), which would otherwise sit between "ready" and the prompt.
        upgradeRenderer = () => {
          upgradeRenderer = undefined;
          const idle = window.requestIdleCallback ?? ((cb: () => void) => setTimeout(cb, 50));
          idle(() => {
            webgl!.then(({ WebglAddon }) => {
              if (disposed) return;
              const gl = new WebglAddon();
              gl.onContextLoss(() => gl.dispose()); // back to the DOM renderer
              term.loadAddon(gl);
            }).catch(() => { /* the DOM renderer stays */ });
          }, { timeout: 2000 });
        };
        if (settled || readOnly) upgradeRenderer();
      }
      try { fit.fit(); } catch { /* not laid out yet */ }
      setLoaded(true);

      conn.attach(term);
      const subs = [
        term.onData((d) => conn.input(d)),
        term.onBinary((d) => conn.input(Uint8Array.from(d, (c) => c.charCodeAt(0) & 0xff))), // mouse reports: raw bytes
        term.onResize(({ cols, rows }) => conn.resize(cols, rows)),
        term.onWriteParsed(() => settleSoon(SETTLE_QUIET_MS)),
      ];
      cleanups.push(() => subs.forEach((s) => s.dispose()));

      // Refit when the box changes size (window resize, tab switch, layout); once per frame at most.
      let raf = 0;
      const ro = new ResizeObserver(() => {
        cancelAnimationFrame(raf);
        raf = requestAnimationFrame(() => { if (el.offsetWidth > 0 && el.offsetHeight > 0) { try { fit.fit(); } catch { /* disposed */ } } });
      });
      ro.observe(el);
      cleanups.push(() => { ro.disconnect(); cancelAnimationFrame(raf); });

      target = {
        host,
        lastFocus: 0,
        later(command, interrupt) { if (!readOnly) queued = { command, interrupt }; },
        run(command, interrupt) {
          if (!conn.canType || !settled) return false;
          const line = command.replace(/\r?\n/g, '\r') + '\r';
          if (interrupt) {
            // The tty discards input that arrives right behind an interrupt (and the shell needs a
            // moment to print its prompt): type the command a beat later, as a person would.
            conn.input('\x03');
            setTimeout(() => conn.input(line), 250);
          } else conn.input(line);
          el.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
          term.focus();
          return true;
        },
      };
      const runTarget: RunTarget = target;
      cleanups.push(registerRunTarget(runTarget));
      const onFocus = () => { window.term = term; runTarget.lastFocus = Date.now(); };
      term.textarea?.addEventListener('focus', onFocus);
      cleanups.push(() => {
        term.textarea?.removeEventListener('focus', onFocus);
        if (window.term === term) window.term = undefined;
      });
      if (!window.term) window.term = term;
      if (autoFocus) term.focus();
      conn.start();
    })().catch(() => { if (!disposed) setView({ state: 'error', message: 'the terminal could not be loaded; check your connection and reload' }); });

    return () => {
      disposed = true;
      for (const c of cleanups.reverse()) { try { c(); } catch { /* keep cleaning */ } }
    };
  }, [sandboxId, host, terminal, readOnly, autoFocus, renderer]);

  return (
    <div className="dnl-terminal" data-host={host} data-terminal={terminal} data-state={view.state} style={{ display: 'flex', flexDirection: 'column', background: TERMINAL_THEME.background, borderRadius: 6, overflow: 'hidden' }}>
      <div style={{ position: 'relative', height, padding: '4px 0 0 6px' }}>
        {!loaded && (
          <pre aria-hidden style={{ position: 'absolute', inset: 0, margin: 0, padding: '6px 10px', color: '#7f8694', font: `14px ${TERMINAL_FONT}` }}>
            {`${host}: loading terminal…`}
          </pre>
        )}
        <div ref={boxRef} style={{ width: '100%', height: '100%' }} />
      </div>
      <div role="status" aria-live="polite" style={{ display: 'flex', alignItems: 'center', gap: 6, padding: '2px 8px', font: '12px system-ui, sans-serif', color: '#b9bec8', background: '#0f1115' }}>
        <span aria-hidden style={{ width: 8, height: 8, borderRadius: 4, background: dotColor[view.state] }} />
        <span>{host}{terminal > 0 ? ` #${terminal + 1}` : ''} · {statusText(view)}</span>
      </div>
    </div>
  );
}
