'use client';
// Published ports of the learner's lab as links that open through the platform
// (/lab/<sandbox>/<host>/<port>/) in a new tab. The list is pushed by the runner, which reads
// the hosts' inner engines; it changes within a second of `docker run -p` or `docker rm`.
import type { PublishedPort } from '../../protocol/labview.ts';
import { t, type Lang } from '../lib/i18n.ts';
import css from '../labview/labview.module.css';

export function PortLinks({ ports, lang }: { ports: PublishedPort[]; lang: Lang }) {
  const s = t(lang).labView;
  return (
    <div className={css.ports} data-testid="port-links">
      <h3>{s.ports}</h3>
      {ports.length === 0
        ? <span className={css.muted}>{s.noPorts}</span>
        : (
          <ul>
            {ports.map((p) => (
              <li key={`${p.host}:${p.port}`}>
                <a href={p.url} target="_blank" rel="noopener" title={s.openPort(p.host, p.port)} data-port={p.port} data-host={p.host}>
                  {p.host}:{p.port}
                </a>{' '}
                <span className={css.muted}>→ {s.portOf(p.container, p.containerPort)}</span>
              </li>
            ))}
          </ul>
        )}
    </div>
  );
}
