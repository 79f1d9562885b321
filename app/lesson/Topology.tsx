'use client';
// <Topology /> in a lesson: the live diagram of the learner's own lab. This part is light (it is
// in the page's first load); the drawing (elkjs + SVG, TopologyDiagram.tsx) is a lazy chunk,
// fetched while the browser is idle so it is there by the time the lab is ready.
import dynamic from 'next/dynamic';
import { useEffect, useId } from 'react';
import { diagramText, t, type Lang } from '../lib/i18n.ts';
import { useTopology } from './TopologyStore.ts';

const loadDiagram = () => import('./TopologyDiagram.tsx');

/** Starts downloading the drawing code (elkjs) without blocking anything. */
export function preloadDiagram(): void { void loadDiagram().catch(() => undefined); }

const Diagram = dynamic(loadDiagram, { ssr: false, loading: () => <p className="topology-note" aria-busy="true">…</p> });

export function Topology({ lang }: { lang: Lang }) {
  const s = t(lang);
  const d = diagramText(lang);
  const topo = useTopology();
  const captionId = useId();
  useEffect(() => {
    const w = window as Window & { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => number };
    if (w.requestIdleCallback) w.requestIdleCallback(preloadDiagram, { timeout: 4000 });
    else setTimeout(preloadDiagram, 1500);
  }, []);
  const counts = topo && d.summary(topo.hosts.length,
    topo.hosts.reduce((n, h) => n + h.networks.length, 0), topo.hosts.reduce((n, h) => n + h.containers.length, 0));
  return (
    <figure className="topology" aria-labelledby={captionId} data-ready={topo ? 'true' : 'false'}>
      <figcaption id={captionId}>
        <span className="topology-title">{s.topology}</span>
        {counts && <span className="topology-counts"> · {counts}</span>}
      </figcaption>
      {topo ? <Diagram topology={topo} lang={lang} /> : <p className="topology-note">{d.waiting}</p>}
    </figure>
  );
}
