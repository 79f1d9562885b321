// `npm run doctor [-- --json]`: what this machine can do for the course, one line per verdict
// ("yes/no  thing — why"). Missing kernel features are normal (the lessons say what cannot run);
// the exit code is 1 only when the Docker engine itself is unreachable.
import Docker from 'dockerode';
import { probeHost, type HostProbe, type KernelFeature } from '../probe/index.ts';

const args = new Set(process.argv.slice(2));
if (args.has('--help') || [...args].some((a) => a !== '--json')) {
  console.error('usage: npm run doctor -- [--json]');
  process.exit(args.has('--help') ? 0 : 2);
}

const KERNEL_NAMES: Record<KernelFeature, string> = {
  bridge: 'bridge', macvlan: 'macvlan', ipvlan: 'ipvlan', vxlan: 'vxlan (overlay)',
  vlan8021q: '802.1q sub-interfaces', ipvs: 'IPVS (swarm VIPs)', dummy: 'dummy links',
};

function lines(p: HostProbe): Array<[boolean, string, string]> {
  return [
    [p.engine.ok, 'Docker engine', p.engine.why],
    [p.privileged.ok, 'privileged sandboxes', p.privileged.why],
    [p.fallback.ok, 'fallback sandboxes', p.fallback.why],
    [p.runtimes.ok, 'runtimes', p.runtimes.why],
    ...(Object.keys(KERNEL_NAMES) as KernelFeature[]).map((f): [boolean, string, string] => [p.kernel[f].ok, KERNEL_NAMES[f], p.kernel[f].why]),
    [p.chromium.ok, 'Chromium', p.chromium.why],
  ];
}

const socketPath = process.env.DOCKER_SOCKET || '/var/run/docker.sock';
const probe = await probeHost({ docker: new Docker({ socketPath }), runtime: process.env.DNL_RUNTIME || undefined });

if (args.has('--json')) {
  console.log(JSON.stringify(probe, null, 2));
} else {
  const rows = lines(probe);
  const w = Math.max(...rows.map((r) => r[1].length));
  for (const [ok, thing, why] of rows) console.log(`${ok ? 'yes' : 'no '}  ${thing.padEnd(w)} — ${why}`);
  const modeWords = {
    runtime: `sandbox hosts will run with the runtime ${probe.runtimes.configured}`,
    privileged: 'sandbox hosts will run --privileged',
    fallback: 'sandbox hosts will run with the fallback flag set (no --privileged)',
    none: 'sandbox hosts cannot start on this engine',
  } as const;
  console.log(`\n${modeWords[probe.mode]}; kernel features tested in a ${probe.via}; probe took ${(probe.tookMs / 1000).toFixed(1)}s`);
}
if (!probe.engine.ok) {
  console.error(`\n✖ ${probe.engine.why}`);
  process.exit(1);
}
