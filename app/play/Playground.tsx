'use client';
// Claims (or reuses) the learner's single-host sandbox, then shows its terminal.
import { useEffect, useState } from 'react';
import * as xterm from '@xterm/xterm';
import * as fit from '@xterm/addon-fit';
import * as links from '@xterm/addon-web-links';
import * as clipboard from '@xterm/addon-clipboard';
import Terminal, { provideXterm } from '../components/terminal/Terminal.tsx';
import TerminalTabs from '../components/terminal/TerminalTabs.tsx';
import { prefetchToken } from '../components/terminal/connection.ts';
import { SANDBOXES_PATH } from '../../protocol/sandbox.ts';
import { PLAY_CLAIM_GLOBAL, type EarlyClaim } from './claim-script.ts';

// The playground is nothing but a terminal: xterm comes with the page, not after it.
provideXterm([xterm, fit, links, clipboard]);

type State = { phase: 'claiming' } | { phase: 'ready'; id: string; hosts: string[] } | { phase: 'error'; message: string };

/** ?hosts=2 gives a two-host playground (node1, node2 on one private network). */
function wantedHosts(): number {
  const n = Number(new URLSearchParams(location.search).get('hosts') ?? '1');
  return Number.isInteger(n) && n >= 1 && n <= 4 ? n : 1;
}

/** ?renderer=dom switches xterm to its DOM renderer (benchmarks compare both); WebGL otherwise. */
function wantedRenderer(): 'dom' | 'webgl' {
  return new URLSearchParams(location.search).get('renderer') === 'dom' ? 'dom' : 'webgl';
}

function toState({ ok, status, body, token }: EarlyClaim): State {
  if (!ok || body.status !== 'ready' || !body.id) return { phase: 'error', message: body.error ?? `The lab machine could not be started (HTTP ${status}).` };
  const hosts = body.hosts?.map((h) => h.name) ?? ['node1'];
  // The terminal's token: already asked for by the inline script, or asked for now, while React
  // renders the terminal.
  prefetchToken({ sandboxId: body.id, host: hosts[0] ?? 'node1', terminal: 0 }, token);
  return { phase: 'ready', id: body.id, hosts };
}

async function claim(signal: AbortSignal): Promise<State> {
  const res = await fetch(SANDBOXES_PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: wantedHosts(), wait: true }), signal });
  return toState({ ok: res.ok, status: res.status, body: (await res.json().catch(() => ({}))) as EarlyClaim['body'] });
}

// First-prompt time: the page's inline script (claim-script.ts) sent the claim while the HTML
// was still arriving; this module takes its answer, or claims itself when there is none.
let early: Promise<State> | undefined;
if (typeof window !== 'undefined') {
  const sent = (window as unknown as Record<string, Promise<EarlyClaim> | undefined>)[PLAY_CLAIM_GLOBAL];
  (window as unknown as Record<string, unknown>)[PLAY_CLAIM_GLOBAL] = undefined;
  early = (sent ? sent.then(toState) : claim(new AbortController().signal))
    .catch((err: unknown) => ({ phase: 'error' as const, message: `The lab runner cannot be reached (${err instanceof Error ? err.message : 'network error'}).` }));
}

export default function Playground() {
  const [state, setState] = useState<State>({ phase: 'claiming' });
  const [attempt, setAttempt] = useState(0);
  const [renderer, setRenderer] = useState<'dom' | 'webgl'>('webgl');

  useEffect(() => {
    const ac = new AbortController();
    setState({ phase: 'claiming' });
    setRenderer(wantedRenderer());
    const first = early;
    early = undefined; // used once: "Try again" (and a remount) claims afresh
    (first ?? claim(ac.signal)).then((st) => { if (!ac.signal.aborted) setState(st); }, (err: unknown) => {
      if (!ac.signal.aborted) setState({ phase: 'error', message: err instanceof Error ? `The lab runner cannot be reached (${err.message}).` : 'The lab runner cannot be reached.' });
    });
    return () => ac.abort();
  }, [attempt]);

  if (state.phase === 'ready') {
    return state.hosts.length > 1
      ? <TerminalTabs sandboxId={state.id} hosts={state.hosts} height="calc(100vh - 180px)" />
      : <Terminal sandboxId={state.id} host={state.hosts[0] ?? 'node1'} height="calc(100vh - 150px)" autoFocus renderer={renderer} />;
  }
  return (
    <div style={{ height: 'calc(100vh - 150px)', background: '#16181d', color: '#b9bec8', borderRadius: 6, padding: 12, font: "14px 'DejaVu Sans Mono', monospace" }}>
      {state.phase === 'claiming' ? 'Starting your lab machine…' : (
        <>
          <div style={{ color: '#ff8f8f' }}>{state.message}</div>
          <button style={{ marginTop: 8 }} onClick={() => setAttempt((a) => a + 1)}>Try again</button>
        </>
      )}
    </div>
  );
}
