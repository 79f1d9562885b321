// How a sandbox host is allowed to run its own dockerd.
// `--privileged` is what stock hosts want; on engines/VMs whose capability bounding set lacks
// something (here CAP_SYS_RESOURCE), runc refuses it at start with "unable to apply caps:
// operation not permitted", and the flag set below works instead (DESIGN.md, "Sandboxes").
// With a configured runtime (e.g. sysbox-runc) the runtime provides the isolation and needs
// neither. The provider tries `privileged` once, remembers the answer, and never asks again.
import type Docker from 'dockerode';

export type SecurityMode = 'privileged' | 'fallback' | 'runtime';

export function securityHostConfig(mode: SecurityMode, runtime?: string): Docker.HostConfig {
  switch (mode) {
    case 'runtime':
      return { Runtime: runtime };
    case 'privileged':
      return { Privileged: true, ...(runtime ? { Runtime: runtime } : {}) };
    case 'fallback':
      return {
        CapAdd: ['ALL'],
        CapDrop: ['SYS_RESOURCE'],
        SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined', 'systempaths=unconfined'],
        DeviceCgroupRules: ['a *:* rwm'],
        ...(runtime ? { Runtime: runtime } : {}),
      };
  }
}

/** True when a container start failed because the engine cannot grant `--privileged`. */
export function isPrivilegeRefusal(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : String(err);
  return /apply caps|operation not permitted|privileged mode is (?:disabled|not allowed)/i.test(msg);
}
