'use client';
// A code fence of a lesson. `run` fences get a Run button that types the command into the
// named host's terminal (the terminal listens for the 'dnl:run' window event), and every fence
// gets Copy.
import { useState } from 'react';
import { RUN_EVENT } from '../../protocol/terminal.ts';
import { t, type Lang } from '../lib/i18n.ts';

export interface RunDetail { host: string; command: string; interrupt?: boolean }

export function runCommand(detail: RunDetail): void {
  window.dispatchEvent(new CustomEvent<RunDetail>(RUN_EVENT, { detail }));
}

export function CodeBlock({ code, lang, run, host, interrupt, uiLang }: {
  code: string; lang?: string; run?: string | boolean; host?: string; interrupt?: string | boolean; uiLang: Lang;
}) {
  const s = t(uiLang);
  const [copied, setCopied] = useState(false);
  const runnable = (run === true || run === 'true') && host !== undefined;
  const withInterrupt = interrupt === true || interrupt === 'true';
  const command = code.replace(/\n+$/, '');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(command);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch { /* clipboard denied (insecure origin): the text stays selectable */ }
  };
  return (
    <div className="codeblock" data-host={runnable ? host : undefined}>
      {runnable && <span className="codeblock-host" aria-hidden="true">{host}</span>}
      <pre tabIndex={0}><code className={lang ? `language-${lang}` : undefined}>{command}</code></pre>
      <div className="codeblock-actions">
        {runnable && (
          <button type="button" className="btn btn-run" data-command={command} data-host={host}
            aria-label={withInterrupt ? s.interruptAndRun(host) : s.runOn(host)}
            onClick={() => runCommand({ host, command, ...(withInterrupt ? { interrupt: true } : {}) })}>
            ▶ {s.run}{withInterrupt ? ' (Ctrl-C)' : ''}
          </button>
        )}
        <button type="button" className="btn btn-quiet" onClick={copy} aria-live="polite">{copied ? s.copied : s.copy}</button>
      </div>
    </div>
  );
}
