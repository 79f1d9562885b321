// The exact HostConfig pieces a sandbox host runs with, one set per mode, so the probe tests
// precisely what the provider will later use.
import type Docker from 'dockerode';
import type { HostProbe } from './types.ts';

/**
 * Stock hosts: full privileges. /run is a tmpfs in every mode so nothing from a previous start
 * (docker.pid, containerd sockets) survives a container restart and stops the inner dockerd.
 */
export const PRIVILEGED_HOST_CONFIG: Readonly<Docker.HostConfig> = Object.freeze({
  Privileged: true,
  Tmpfs: { '/run': '' },
});

/**
 * Hosts where runc cannot grant --privileged (e.g. this VM: its capability bounding set lacks
 * CAP_SYS_RESOURCE, so "unable to apply caps: operation not permitted"). Every other
 * capability, no seccomp/AppArmor/masked paths, all devices; dnl-init re-mounts the cgroup
 * hierarchies read-write itself (DESIGN.md, "Sandboxes").
 */
export const FALLBACK_HOST_CONFIG: Readonly<Docker.HostConfig> = Object.freeze({
  CapAdd: ['ALL'],
  CapDrop: ['SYS_RESOURCE'],
  SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
  // `--security-opt systempaths=unconfined` is a docker CLI spelling: the engine API rejects it
  // ("invalid --security-opt 2") and wants empty masked/read-only path lists instead.
  MaskedPaths: [],
  ReadonlyPaths: [],
  DeviceCgroupRules: ['a *:* rwm'],
  Tmpfs: { '/run': '' },
});

/** The same flags as `docker run` arguments (for docs, tests and the doctor). */
export const FALLBACK_DOCKER_ARGS = [
  '--cap-add', 'ALL', '--cap-drop', 'SYS_RESOURCE',
  '--security-opt', 'seccomp=unconfined', '--security-opt', 'apparmor=unconfined', '--security-opt', 'systempaths=unconfined',
  '--device-cgroup-rule', 'a *:* rwm', '--tmpfs', '/run',
];

function clone(c: Readonly<Docker.HostConfig>): Docker.HostConfig {
  return JSON.parse(JSON.stringify(c)) as Docker.HostConfig;
}

/**
 * HostConfig pieces for a sandbox host on this machine, from the probe's verdicts:
 * a configured runtime (e.g. sysbox-runc) when present, else --privileged when the engine
 * grants it, else the fallback set. Throws with the reason when none can work.
 */
export function sandboxSecurity(probe: HostProbe): Partial<Docker.HostConfig> {
  switch (probe.mode) {
    case 'runtime':
      return { Runtime: probe.runtimes.configured, Tmpfs: { '/run': '' } };
    case 'privileged':
      return clone(PRIVILEGED_HOST_CONFIG);
    case 'fallback':
      return clone(FALLBACK_HOST_CONFIG);
    case 'none':
      throw new Error(`Sandbox hosts cannot start on this engine: --privileged: ${probe.privileged.why}; fallback: ${probe.fallback.why}`);
  }
}
