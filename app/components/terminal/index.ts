// The terminal UI: <Terminal> for one host, <TerminalTabs> for a multi-host lesson, and
// runInTerminal() for click-to-run (or dispatch RUN_EVENT yourself; see protocol/terminal.ts).
export { default as Terminal, loadXterm, type TerminalProps } from './Terminal.tsx';
export { default as TerminalTabs, type TerminalTabsProps } from './TerminalTabs.tsx';
export { runInTerminal } from './run.ts';
export { RUN_EVENT } from '../../../protocol/terminal.ts';
