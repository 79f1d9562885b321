// How a sandbox host is allowed to run its own dockerd.
// `--privileged` is what stock hosts want; on engines/VMs whose capability bounding set lacks
// something (here CAP_SYS_RESOURCE), runc refuses it at start with "unable to apply caps:
// operation not permitted", and the flag set below works instead (DESIGN.md, "Sandboxes").
// With a configured runtime (e.g. sysbox-runc) the runtime provides the isolation and needs
// neither. The provider tries `privileged` once, remembers the answer, and never asks again.
import type Docker from 'dockerode';
import { FALLBACK_HOST_CONFIG } from '../probe/security.ts';

export type SecurityMode = 'privileged' | 'fallback' | 'runtime';

export function securityHostConfig(mode: SecurityMode, runtime?: string): Docker.HostConfig {
  switch (mode) {
    case 'runtime':
      return { Runtime: runtime };
    case 'privileged':
      return { Privileged: true, ...(runtime ? { Runtime: runtime } : {}) };
    case 'fallback': {
      // One source of truth for the flag set: the probe tests exactly these (lab-runner/probe).
      const { Tmpfs: _tmpfs, ...flags } = JSON.parse(JSON.stringify(FALLBACK_HOST_CONFIG)) as Docker.HostConfig;
      return { ...flags, ...(runtime ? { Runtime: runtime } : {}) };
    }
  }
}

/** True when a container start failed because the engine cannot grant `--privileged`. */
export function isPrivilegeRefusal(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : String(err);
  return /apply caps|operation not permitted|privileged mode is (?:disabled|not allowed)/i.test(msg);
}
