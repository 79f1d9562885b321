// Mutable sandbox facts (owner on claim, expiry on extend, pool → claimed) as "record" volumes.
// Docker cannot change a label after creation, but creating an empty named volume is a few
// milliseconds and costs nothing on disk, so each change writes a new record carrying ALL the
// sandbox's labels with a higher revision, then removes the older ones. A crash between the two
// steps leaves two records; the higher revision wins, so the state is never ambiguous.
import type Docker from 'dockerode';
import { L, labelFilter, names, num } from './labels.ts';

let lastRev = 0;

function nextRev(): number {
  lastRev = Math.max(Date.now(), lastRev + 1);
  return lastRev;
}

export async function writeRecord(docker: Docker, instance: string, sandboxId: string, labels: Record<string, string>): Promise<void> {
  const rev = nextRev();
  const { Volumes } = await docker.listVolumes({ filters: labelFilter(instance, { [L.sandbox]: sandboxId, [L.role]: 'record' }) });
  const older = Volumes ?? [];
  // Keys not given keep the value of the newest record (the host labels underneath stay as they are).
  const merged = { ...(latestRecord(older) ?? {}), ...labels };
  await docker.createVolume({
    Name: names.record(instance, sandboxId, rev),
    Labels: { ...merged, [L.instance]: instance, [L.sandbox]: sandboxId, [L.role]: 'record', [L.rev]: String(rev) },
  });
  // Older records are garbage now; the higher revision already wins, so do not make the caller wait.
  void Promise.all(older.map((v) => docker.getVolume(v.Name).remove().catch(() => undefined)));
}

/** The labels of the newest record among `volumes` (any volumes; non-records are ignored). */
export function latestRecord(volumes: Array<{ Labels?: Record<string, string> | null }>): Record<string, string> | undefined {
  let best: Record<string, string> | undefined;
  for (const v of volumes) {
    const l = v.Labels ?? undefined;
    if (!l || l[L.role] !== 'record') continue;
    if (!best || num(l[L.rev]) > num(best[L.rev])) best = l;
  }
  return best;
}
