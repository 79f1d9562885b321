'use client';
// On a student's lesson page: which workshop they are in, the instructor's note (pushed live),
// the workshop's lessons, and a clear word when it has ended. Renders nothing for self-paced
// learners (one small GET, no socket).
import './workshop.css';
import { useEffect, useState } from 'react';
import { WORKSHOPS_PATH, WORKSHOP_WS_PATH, type StudentMessage, type StudentWorkshopView } from '../../protocol/workshop.ts';
import type { Lang } from '../lib/i18n.ts';
import { api, wsUrl } from './client.ts';
import { ws as strings } from './strings.ts';

export function WorkshopBanner({ lang, slug }: { lang: Lang; slug: string }) {
  const s = strings(lang);
  const [w, setW] = useState<StudentWorkshopView | null>(null);

  useEffect(() => {
    let stop = false;
    let sock: WebSocket | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    const connect = () => {
      if (stop) return;
      sock = new WebSocket(wsUrl(`${WORKSHOP_WS_PATH}?role=student`));
      sock.onmessage = (ev) => {
        attempt = 0;
        const m = JSON.parse(String(ev.data)) as StudentMessage;
        if (m.type === 'workshop') setW(m.workshop);
      };
      sock.onclose = () => {
        if (stop) return;
        retry = setTimeout(connect, Math.min(15_000, 1000 * 2 ** attempt++));
      };
    };
    api<{ workshop: StudentWorkshopView | null }>(`${WORKSHOPS_PATH}/me`).then((r) => {
      if (stop || !r.workshop) return;
      setW(r.workshop);
      if (r.workshop.state !== 'ended') connect();
    }, () => { /* no runner: the sandbox bar already says so */ });
    return () => { stop = true; clearTimeout(retry); sock?.close(); };
  }, []);

  if (!w) return null;
  return (
    <aside className="ws-banner" aria-label={`${s.bannerWorkshop}: ${w.title}`} data-testid="workshop-banner" data-state={w.state}>
      <p className="ws-banner-head"><strong>{s.bannerWorkshop}: {w.title}</strong> <span>· {s.youAre(w.name)}</span></p>
      {w.state === 'ended' && <p className="ws-banner-ended" role="status" data-testid="workshop-ended">{s.bannerEnded}</p>}
      <div aria-live="polite" aria-atomic="true">
        {w.note && w.state !== 'ended' && (
          <p className="ws-banner-note" data-testid="workshop-note"><span className="visually-hidden">{s.bannerNote}: </span>📣 {w.note}</p>
        )}
      </div>
      {w.lessons.length > 1 && (
        <nav aria-label={s.bannerLessons}>
          <ol className="ws-banner-lessons">
            {w.lessons.map((l) => (
              <li key={l.slug}>
                <a href={`/lessons/${l.slug}`} aria-current={l.slug === slug ? 'page' : undefined}>{l.title}</a>
              </li>
            ))}
          </ol>
        </nav>
      )}
    </aside>
  );
}
