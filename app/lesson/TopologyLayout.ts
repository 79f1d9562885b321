// The live diagram's geometry: a topology snapshot → an ELK graph (each host a compound node
// holding its networks and containers, an edge from a network to every container attached to
// it) → boxes and orthogonal edge routes in absolute coordinates. No React, no DOM: the
// component draws the result as SVG, and a unit test checks it in Node.
import type { ELK, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { Topology, TopologyContainer, TopologyNetwork } from '../../protocol/topology.ts';

/** Monospace metrics of the diagram's text (12 px): the boxes are sized from the text they hold. */
export const CHAR_W = 7.4;
export const LINE_H = 16;
const PAD_X = 10, PAD_Y = 8, HOST_TOP = 34;

export interface DiagramBox {
  id: string;
  kind: 'host' | 'network' | 'container';
  host: string;
  name: string;
  x: number; y: number; w: number; h: number;
  /** First line is the title (bold); the rest are details. */
  lines: string[];
  /** A built-in network (bridge/host/none) or a container that is not running: drawn quieter. */
  quiet: boolean;
}
export interface DiagramEdge { id: string; host: string; network: string; container: string; points: Array<{ x: number; y: number }> }
export interface DiagramLayout { width: number; height: number; boxes: DiagramBox[]; edges: DiagramEdge[] }

export function networkLines(n: TopologyNetwork): string[] {
  const lines = [n.name, n.subnet ? `${n.driver} · ${n.subnet}` : n.driver];
  if (n.gateway) lines.push(`gw ${n.gateway}`);
  if (n.internal) lines.push('internal');
  return lines;
}

export function containerLines(c: TopologyContainer): string[] {
  const lines = [c.name, c.state === 'running' ? c.image : `${c.image} (${c.state})`];
  const several = c.endpoints.filter((e) => e.ip).length > 1;
  for (const e of c.endpoints) {
    if (e.ip) lines.push(several ? `${e.ip} @${e.network}` : e.ip);
    if (e.mac) lines.push(e.mac);
  }
  return lines;
}

const sizeOf = (lines: string[]) => ({
  width: Math.ceil(Math.max(...lines.map((l) => l.length)) * CHAR_W + 2 * PAD_X),
  height: lines.length * LINE_H + 2 * PAD_Y,
});

// Ids: ELK wants them unique across the whole graph.
const nid = (host: string, kind: string, name: string) => `${host}/${kind}/${name}`;

export function toElkGraph(t: Topology): ElkNode {
  return {
    id: 'lab',
    layoutOptions: {
      'elk.algorithm': 'layered', 'elk.direction': 'RIGHT', 'elk.spacing.nodeNode': '24',
      'elk.padding': '[top=4,left=4,bottom=4,right=4]',
    },
    children: t.hosts.map((h) => {
      const title = h.ip ? `${h.name} · ${h.ip}` : h.name;
      const known = new Set(h.networks.map((n) => n.name));
      const edges: ElkExtendedEdge[] = h.containers.flatMap((c) => c.endpoints.filter((e) => known.has(e.network)).map((e) => ({
        id: `${h.name}/edge/${e.network}/${c.name}`,
        sources: [nid(h.name, 'network', e.network)], targets: [nid(h.name, 'container', c.name)],
      })));
      return {
        id: `${h.name}/host`,
        width: Math.ceil(title.length * CHAR_W + 2 * PAD_X), height: HOST_TOP + 10,
        layoutOptions: {
          'elk.algorithm': 'layered', 'elk.direction': 'DOWN',
          'elk.padding': `[top=${HOST_TOP},left=12,bottom=12,right=12]`,
          'elk.spacing.nodeNode': '16', 'elk.layered.spacing.nodeNodeBetweenLayers': '36',
          'elk.edgeRouting': 'ORTHOGONAL', 'elk.nodeSize.constraints': 'MINIMUM_SIZE',
          'elk.nodeSize.minimum': `(${Math.ceil(title.length * CHAR_W + 24)},${HOST_TOP + 10})`,
          // Networks on top, in the engine's order (built-ins first), containers below them.
          'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
        },
        children: [
          ...h.networks.map((n) => ({ id: nid(h.name, 'network', n.name), ...sizeOf(networkLines(n)) })),
          ...h.containers.map((c) => ({ id: nid(h.name, 'container', c.name), ...sizeOf(containerLines(c)) })),
        ],
        edges,
      };
    }),
  };
}

/** Lays the snapshot out; every coordinate in the result is absolute (ELK gives them relative to the parent). */
export async function layoutTopology(t: Topology, elk: ELK): Promise<DiagramLayout> {
  const root = await elk.layout(toElkGraph(t));
  const boxes: DiagramBox[] = [];
  const edges: DiagramEdge[] = [];
  for (const [i, hn] of (root.children ?? []).entries()) {
    const h = t.hosts[i]!;
    const hx = hn.x ?? 0, hy = hn.y ?? 0;
    boxes.push({ id: hn.id, kind: 'host', host: h.name, name: h.name, x: hx, y: hy, w: hn.width ?? 0, h: hn.height ?? 0,
      lines: [h.ip ? `${h.name} · ${h.ip}` : h.name, ...(h.error ? [h.error] : [])], quiet: false });
    for (const n of hn.children ?? []) {
      const [, kind, name] = n.id.split('/') as [string, 'network' | 'container', string];
      const net = kind === 'network' ? h.networks.find((x) => x.name === name) : undefined;
      const ctr = kind === 'container' ? h.containers.find((x) => x.name === name) : undefined;
      boxes.push({
        id: n.id, kind, host: h.name, name, x: hx + (n.x ?? 0), y: hy + (n.y ?? 0), w: n.width ?? 0, h: n.height ?? 0,
        lines: net ? networkLines(net) : ctr ? containerLines(ctr) : [name],
        quiet: net ? net.builtin : ctr ? ctr.state !== 'running' : false,
      });
    }
    for (const e of (hn.edges ?? []) as ElkExtendedEdge[]) {
      const [, , network, container] = e.id.split('/') as [string, string, string, string];
      const points = (e.sections ?? []).flatMap((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint])
        .map((p) => ({ x: hx + p.x, y: hy + p.y }));
      edges.push({ id: e.id, host: h.name, network, container, points });
    }
  }
  return { width: Math.ceil(root.width ?? 0), height: Math.ceil(root.height ?? 0), boxes, edges };
}
