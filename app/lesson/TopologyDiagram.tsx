'use client';
// The live lab diagram itself (lazy chunk; elkjs itself runs in a worker, elk.worker.ts). Each host is a box holding its
// networks (name, driver, subnet, gateway) above its containers (name, image, IP, MAC), joined by
// an edge per attachment; ELK places everything. Redrawn whenever a new snapshot arrives; the
// previous drawing stays up while the next layout is computed, so nothing flickers. Containers
// are buttons: click, or Tab to one and press Enter, to see its details.
import ELK from 'elkjs/lib/elk-api.js';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Topology, TopologyContainer } from '../../protocol/topology.ts';
import { diagramText, type DiagramStrings, type Lang } from '../lib/i18n.ts';
import { LINE_H, layoutTopology, type DiagramBox, type DiagramLayout } from './TopologyLayout.ts';

let elk: InstanceType<typeof ELK> | undefined;
/** ELK runs in a worker (elk.worker.ts), off the thread that paints the terminal. */
function layoutEngine(): InstanceType<typeof ELK> {
  elk ??= new ELK({ workerFactory: () => new Worker(new URL('./elk.worker.ts', import.meta.url)) });
  return elk;
}

interface Drawn { topology: Topology; layout: DiagramLayout }
interface Pick { host: string; name: string }

export default function TopologyDiagram({ topology, lang }: { topology: Topology; lang: Lang }) {
  const d = diagramText(lang);
  const [drawn, setDrawn] = useState<Drawn | undefined>();
  const [failed, setFailed] = useState(false);
  const [pick, setPick] = useState<Pick | null>(null);
  const returnFocus = useRef<SVGGElement | null>(null);

  useEffect(() => {
    let stale = false;
    layoutTopology(topology, layoutEngine()).then(
      (layout) => { if (!stale) { setDrawn({ topology, layout }); setFailed(false); } },
      () => { if (!stale) setFailed(true); },
    );
    return () => { stale = true; };
  }, [topology]);

  if (!drawn) return <p className="topology-note" aria-busy={!failed}>{failed ? d.unavailable : d.drawing}</p>;
  const { layout } = drawn;
  const picked = pick && drawn.topology.hosts.find((h) => h.name === pick.host)?.containers.find((c) => c.name === pick.name);
  const choose = (b: DiagramBox, el: SVGGElement) => {
    returnFocus.current = el;
    setPick((p) => (p && p.host === b.host && p.name === b.name ? null : { host: b.host, name: b.name }));
  };
  const onKey = (e: KeyboardEvent<SVGGElement>, b: DiagramBox) => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); choose(b, e.currentTarget); }
    else if (e.key === 'Escape') setPick(null);
  };
  const close = () => { setPick(null); returnFocus.current?.focus(); };

  return (
    <div className="topology-body">
      <div className="topology-scroll">
        <svg className="topology-svg" role="group" aria-label={d.pick} data-at={drawn.topology.at}
          viewBox={`0 0 ${layout.width} ${layout.height}`} width={layout.width} height={layout.height}>
          <defs>
            <marker id="topo-dot" viewBox="0 0 6 6" refX="3" refY="3" markerWidth="6" markerHeight="6"><circle cx="3" cy="3" r="2.5" className="topo-dot" /></marker>
          </defs>
          {layout.boxes.filter((b) => b.kind === 'host').map((b) => (
            <g key={b.id} className="topo-host" data-host={b.name}>
              <rect x={b.x} y={b.y} width={b.w} height={b.h} rx={8} />
              {b.lines.map((l, i) => <text key={i} x={b.x + 12} y={b.y + 22 + i * LINE_H} className={i === 0 ? 'topo-title' : 'topo-error'}>{l}</text>)}
            </g>
          ))}
          {layout.edges.map((e) => (
            <polyline key={e.id} className="topo-edge" data-edge={`${e.network}>${e.container}`} markerEnd="url(#topo-dot)"
              points={e.points.map((p) => `${p.x},${p.y}`).join(' ')} />
          ))}
          {layout.boxes.filter((b) => b.kind === 'network').map((b) => (
            <g key={b.id} className="topo-box topo-network" data-network={b.name} data-host={b.host} data-quiet={b.quiet}>
              <rect x={b.x} y={b.y} width={b.w} height={b.h} rx={4} />
              <Lines b={b} />
            </g>
          ))}
          {layout.boxes.filter((b) => b.kind === 'container').map((b) => {
            const on = pick?.host === b.host && pick.name === b.name;
            return (
              <g key={b.id} className="topo-box topo-container" data-container={b.name} data-host={b.host} data-quiet={b.quiet}
                role="button" tabIndex={0} aria-pressed={on} aria-label={b.lines.join(', ')}
                onClick={(e) => choose(b, e.currentTarget)} onKeyDown={(e) => onKey(e, b)}>
                <rect x={b.x} y={b.y} width={b.w} height={b.h} rx={10} />
                <Lines b={b} />
              </g>
            );
          })}
        </svg>
      </div>
      {picked
        ? <Details c={picked} host={pick!.host} d={d} onClose={close} />
        : <p className="topology-note">{d.pick}</p>}
    </div>
  );
}

function Lines({ b }: { b: DiagramBox }) {
  return (
    <>
      {b.lines.map((l, i) => (
        <text key={i} x={b.x + 10} y={b.y + 8 + (i + 0.8) * LINE_H} className={i === 0 ? 'topo-title' : undefined}>{l}</text>
      ))}
    </>
  );
}

function Details({ c, host, d, onClose }: { c: TopologyContainer; host: string; d: DiagramStrings; onClose: () => void }) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => { headingRef.current?.focus(); }, [c.name, host]);
  return (
    <section className="topology-details" aria-label={d.details(c.name)} data-details={c.name}
      onKeyDown={(e) => { if (e.key === 'Escape') onClose(); }}>
      <header>
        <h4 ref={headingRef} tabIndex={-1}>{d.details(c.name)} <span className="topology-host">({host})</span></h4>
        <button type="button" className="btn btn-quiet" onClick={onClose}>{d.close}</button>
      </header>
      <dl>
        <dt>{d.id}</dt><dd><code>{c.id}</code></dd>
        <dt>{d.image}</dt><dd>{c.image}</dd>
        <dt>{d.state}</dt><dd>{c.state}</dd>
        <dt>{d.ports}</dt><dd>{c.ports.length ? c.ports.join(', ') : d.none}</dd>
      </dl>
      <table className="topology-endpoints">
        <caption className="visually-hidden">{d.networks}</caption>
        <thead><tr><th scope="col">{d.networks}</th><th scope="col">{d.ip}</th><th scope="col">{d.mac}</th><th scope="col">{d.gateway}</th><th scope="col">{d.aliases}</th></tr></thead>
        <tbody>
          {c.endpoints.map((e) => (
            <tr key={e.network} data-network={e.network}>
              <th scope="row">{e.network}</th>
              <td>{e.ip ? <code>{e.ip}{e.prefix !== undefined ? `/${e.prefix}` : ''}</code> : d.noAddress}</td>
              <td>{e.mac ? <code>{e.mac}</code> : '—'}</td>
              <td>{e.gateway ? <code>{e.gateway}</code> : '—'}</td>
              <td>{e.aliases.length ? e.aliases.join(', ') : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
