// The latest live diagram of the learner's lab, as pushed on /runner/ws/lab (lab-status.ts feeds
// it). Tiny on purpose: it is part of the lesson page's first load; the drawing code is not.
import { useSyncExternalStore } from 'react';
import type { Topology } from '../../protocol/topology.ts';

let current: Topology | undefined;
const listeners = new Set<() => void>();

export function setTopology(t: Topology | undefined): void {
  current = t;
  for (const l of listeners) l();
}

export function getTopology(): Topology | undefined { return current; }

export function useTopology(): Topology | undefined {
  return useSyncExternalStore(
    (l) => { listeners.add(l); return () => { listeners.delete(l); }; },
    () => current,
    () => undefined,
  );
}
