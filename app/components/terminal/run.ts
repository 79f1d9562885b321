// Click-to-run: anything on the page (a runnable code fence's Run button) asks for a command to
// be typed into a host's terminal with a window CustomEvent (RUN_EVENT, see protocol/terminal.ts).
// Terminals register here; the most recently focused read-write terminal of that host runs it.
import { RUN_EVENT, RunDetailSchema, type RunDetail } from '../../../protocol/terminal.ts';

export interface RunTarget {
  host: string;
  /** Types the text (Ctrl-C first when interrupt); false when the terminal cannot type now. */
  run(command: string, interrupt: boolean): boolean;
  /** Keeps the command until the terminal is connected (a Run clicked while it still connects). */
  later(command: string, interrupt: boolean): void;
  lastFocus: number;
}

const targets = new Set<RunTarget>();
let listening = false;

function onRun(ev: Event): void {
  const parsed = RunDetailSchema.safeParse((ev as CustomEvent<unknown>).detail);
  if (!parsed.success) { console.warn(`[terminal] ${RUN_EVENT} ignored: ${parsed.error.issues[0]?.message ?? 'bad detail'}`); return; }
  const { host, command, interrupt } = parsed.data;
  const candidates = [...targets].filter((t) => t.host === host).sort((a, b) => b.lastFocus - a.lastFocus);
  if (candidates.length === 0) { console.warn(`[terminal] ${RUN_EVENT}: no terminal open for host ${host}`); return; }
  for (const t of candidates) if (t.run(command, interrupt ?? false)) return;
  candidates[0]!.later(command, interrupt ?? false);
}

export function registerRunTarget(t: RunTarget): () => void {
  if (!listening && typeof window !== 'undefined') { window.addEventListener(RUN_EVENT, onRun); listening = true; }
  targets.add(t);
  return () => { targets.delete(t); };
}

/** Types `command` + Enter into `host`'s terminal (Ctrl-C first when interrupt) and scrolls it into view. */
export function runInTerminal(host: string, command: string, opts: { interrupt?: boolean } = {}): void {
  const detail: RunDetail = { host, command, interrupt: opts.interrupt };
  window.dispatchEvent(new CustomEvent(RUN_EVENT, { detail }));
}
