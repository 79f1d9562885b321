'use client';
// <PacketView preset="bridge"/> in lesson prose: a button that opens the packet panel in the
// lab pane and starts that preset's capture (the panel owns the one capture of the page).
import { CAPTURE_PRESETS, isPresetName } from '../../protocol/labview.ts';
import { FOCUS_TERMINAL_EVENT } from '../mdx/client-bits.tsx';
import { t, type Lang } from '../lib/i18n.ts';
import { PACKET_VIEW_EVENT } from '../labview/useLabView.ts';
import css from '../labview/labview.module.css';

export function PacketViewButton({ preset, lang }: { preset: string; lang: Lang }) {
  if (!isPresetName(preset)) throw new Error(`<PacketView preset="${preset}"> is not a known preset (${Object.keys(CAPTURE_PRESETS).join(', ')})`);
  const p = CAPTURE_PRESETS[preset];
  return (
    <p className={css.presetBtn}>
      <button type="button" className="btn btn-quiet" data-preset={preset}
        onClick={() => {
          // Bring the lab pane forward (narrow screens), then start the capture there.
          window.dispatchEvent(new CustomEvent(FOCUS_TERMINAL_EVENT, { detail: { host: p.host } }));
          window.dispatchEvent(new CustomEvent(PACKET_VIEW_EVENT, { detail: { preset } }));
        }}>
        ◉ {t(lang).labView.preset}: {p.title[lang]}
      </button>
    </p>
  );
}
