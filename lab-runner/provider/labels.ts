// Every fact about a sandbox lives on Docker labels, so a restarted runner can rebuild its whole
// picture from the engine alone. Docker labels are immutable once a resource exists; the facts
// that change after creation (owner on claim, expiry on extend) are written as small "record"
// volumes (cheap to create, labels only, no data) and the newest record wins — see records.ts.

/** Label keys. Values are always plain strings; an empty string means "none". */
export const L = {
  instance: 'dnl.instance',
  sandbox: 'dnl.sandbox',
  host: 'dnl.host',
  role: 'dnl.role', // host | network | docker-volume | record
  owner: 'dnl.owner',
  state: 'dnl.state', // pool | claimed
  lesson: 'dnl.lesson',
  created: 'dnl.created', // epoch ms
  expires: 'dnl.expires', // epoch ms
  lastActive: 'dnl.last-active', // epoch ms (as of the record's writing)
  topology: 'dnl.topology', // number of hosts
  rev: 'dnl.rev', // record revision, higher wins
} as const;

export type Role = 'host' | 'network' | 'docker-volume' | 'record';

/** Docker's label filter syntax for "this instance's resources" (optionally one sandbox / role). */
export function labelFilter(instance: string, more: Record<string, string> = {}): { label: string[] } {
  return { label: [`${L.instance}=${instance}`, ...Object.entries(more).map(([k, v]) => `${k}=${v}`)] };
}

/** Resource names: short (unix socket paths are limited to 108 bytes) and instance-scoped. */
export const names = {
  network: (instance: string, sb: string) => `dnl-${instance}-${sb}`,
  container: (instance: string, sb: string, host: string) => `dnl-${instance}-${sb}-${host}`,
  dockerVolume: (instance: string, sb: string, host: string) => `dnl-${instance}-${sb}-${host}-docker`,
  record: (instance: string, sb: string, rev: number) => `dnl-${instance}-${sb}-rec-${rev}`,
};

export function hostNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `node${i + 1}`);
}

export function num(v: string | undefined, fallback = 0): number {
  const n = Number(v);
  return Number.isFinite(n) && v !== '' && v !== undefined ? n : fallback;
}
