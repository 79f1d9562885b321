// The terminal UI. How a page embeds it:
//
//   import { Terminal, TerminalTabs, runInTerminal, loadXterm } from '../components/terminal/index.ts';
//
//   // once the learner's sandbox is ready (id from POST /runner/api/sandboxes):
//   <Terminal sandboxId={id} host="node1" />                  // one host
//   <TerminalTabs sandboxId={id} hosts={['node1', 'node2']} /> // a tab per host, "+" adds a terminal
//   <Terminal sandboxId={id} host="node1" readOnly />          // instructor shadowing (token mode 'ro')
//
//   loadXterm()  // optional: start downloading xterm.js early, e.g. while the sandbox is claimed
//
// Click-to-run from anywhere on the page (a runnable code fence's Run button):
//   runInTerminal('node2', 'docker network ls', { interrupt: true })
// or, without importing this module:
//   window.dispatchEvent(new CustomEvent('dnl:run', { detail: { host: 'node2', command: '…', interrupt: true } }))
// The most recently focused terminal of that host types it (TerminalTabs brings its tab forward).
// The focused terminal is window.term (tests and the benchmark read its buffer).
export { default as Terminal, loadXterm, type TerminalProps } from './Terminal.tsx';
export { default as TerminalTabs, type TerminalTabsProps } from './TerminalTabs.tsx';
export { runInTerminal } from './run.ts';
export { RUN_EVENT } from '../../../protocol/terminal.ts';
