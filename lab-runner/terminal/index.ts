// The terminal part of the runner, built in one call from runner.ts: the session hub, the
// WebSocket endpoint and the token route, all over a TerminalTargets.
import type { Config } from '../config.ts';
import type { Router } from '../api/http.ts';
import { registerTerminalRoutes } from '../api/terminal.ts';
import { TerminalHub } from './hub.ts';
import { createTerminalWs, type TerminalWs } from './ws.ts';
import type { TerminalTargets } from './targets.ts';

export { managerTargets, type TerminalTargets } from './targets.ts';

export interface TerminalPart { hub: TerminalHub; ws: TerminalWs; close(): Promise<void> }

export function createTerminals(deps: { config: Config; secret: string; router: Router; targets: TerminalTargets; log?(m: string): void }): TerminalPart {
  const log = deps.log ?? ((m: string) => console.log(`[terminal] ${m}`));
  const hub = new TerminalHub({
    targets: deps.targets, idleMs: deps.config.idleMinutes * 60_000, log,
    backend: deps.config.terminalBackend, dockerSocket: deps.config.dockerSocket,
  });
  const ws = createTerminalWs({ secret: deps.secret, hub, targets: deps.targets, log });
  registerTerminalRoutes(deps.router, {
    secret: deps.secret, targets: deps.targets,
    // 80x24 until the socket brings the real size (bash redraws its prompt on the resize).
    prewarm: (sandbox, host, terminal) => { hub.open(sandbox, host, terminal, { cols: 80, rows: 24 }).catch(() => { /* the socket reports it */ }); },
  });
  deps.targets.onGone?.((id) => hub.closeSandbox(id));
  // First prompt ≤ 1 s after "ready": the login shell of each host's first terminal starts the
  // moment the learner's lab is ready, while the page is still loading xterm and asking for a
  // token. Its prompt waits in the session's scrollback and is replayed on attach; a shell
  // nobody attaches to ends after the idle timeout like any other.
  if (deps.config.terminalPrewarm === 'ready') deps.targets.onReady?.((id, hosts) => {
    for (const h of hosts) hub.open(id, h, 0, { cols: 80, rows: 24 }).catch((err: unknown) => log(`prewarm of ${id}/${h} failed: ${String(err)}`));
  });
  return { hub, ws, close: () => ws.close() };
}
