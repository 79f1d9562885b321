'use client';
// The lab views in the lab pane: published-port links and the packet panel, over one socket.
import type { Lang } from '../lib/i18n.ts';
import { PacketView } from '../lesson/PacketView.tsx';
import { PortLinks } from '../lesson/PortLinks.tsx';
import { useLabView } from './useLabView.ts';
import css from './labview.module.css';

export function LabViews({ lang, hosts, sandboxId }: { lang: Lang; hosts: string[]; sandboxId?: string }) {
  const { state, send, clear } = useLabView(sandboxId);
  return (
    <div className={css.views} data-testid="lab-views">
      {sandboxId && <PortLinks ports={state.ports} lang={lang} />}
      <PacketView lang={lang} hosts={hosts} sandboxId={sandboxId} state={state} send={send} clear={clear} />
    </div>
  );
}
