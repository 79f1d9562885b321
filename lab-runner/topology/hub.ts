// Every live diagram of the runner: one TopologyFeed per sandbox, started by its first viewer
// and stopped when the last one leaves. Follows the sandbox manager: a reset re-reads the fresh
// hosts once they are ready, a destroyed sandbox ends its feed.
import type { Topology } from '../../protocol/topology.ts';
import type { Provider } from '../provider/types.ts';
import { TopologyFeed } from './feed.ts';

/** What the hub needs of the sandbox manager (kept small so tests can fake it). */
export interface TopologySandboxes {
  info(id: string): { hosts: Array<{ name: string; ip?: string }> } | undefined;
  on(event: 'status', fn: (v: { id: string; status: string }) => void): unknown;
}

export class TopologyHub {
  private readonly feeds = new Map<string, TopologyFeed>();
  private readonly log: (m: string) => void;

  constructor(private readonly deps: { provider: Pick<Provider, 'engine' | 'events'>; sandboxes: TopologySandboxes; debounceMs?: number; log?: (m: string) => void }) {
    this.log = deps.log ?? ((m) => console.log(`[topology] ${m}`));
    deps.sandboxes.on('status', ({ id, status }) => {
      const feed = this.feeds.get(id);
      if (!feed) return;
      if (status === 'ready') feed.schedule(0);
      else if (status === 'gone' || status === 'error') { feed.close(); this.feeds.delete(id); }
    });
  }

  /** Sends the sandbox's diagram now (if known) and after every change; returns the unsubscribe. */
  view(sandboxId: string, send: (t: Topology) => void): () => void {
    let feed = this.feeds.get(sandboxId);
    if (!feed || feed.closed) {
      const { provider, sandboxes } = this.deps;
      feed = new TopologyFeed({
        sandboxId, debounceMs: this.deps.debounceMs, log: this.log,
        // Read the host list on every snapshot: a reset may bring the hosts back with new addresses.
        target: { hosts: () => sandboxes.info(sandboxId)?.hosts ?? [], engine: (h) => provider.engine(sandboxId, h) },
        events: (signal, onEvent) => provider.events(sandboxId, signal, onEvent),
      });
      this.feeds.set(sandboxId, feed);
    }
    const f = feed;
    const off = f.subscribe(send);
    return () => {
      off();
      if (f.viewers === 0) { f.close(); if (this.feeds.get(sandboxId) === f) this.feeds.delete(sandboxId); }
    };
  }

  close(): void {
    for (const f of this.feeds.values()) f.close();
    this.feeds.clear();
  }
}
