// Removes every container, network and volume one runner instance created (its `dnl.instance`
// label), through the docker CLI. For tests, benchmarks and operators tidying up after a runner
// that will not come back; a running runner removes its own sandboxes itself.
import { execFileSync } from 'node:child_process';
import { L } from './labels.ts';

export function removeInstanceResources(instance: string): void {
  const q = (args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).split('\n').filter(Boolean);
  const f = `label=${L.instance}=${instance}`;
  const c = q(['ps', '-aq', '--filter', f]);
  if (c.length) execFileSync('docker', ['rm', '-f', '-v', ...c], { stdio: 'ignore' });
  const n = q(['network', 'ls', '-q', '--filter', f]);
  if (n.length) execFileSync('docker', ['network', 'rm', ...n], { stdio: 'ignore' });
  const v = q(['volume', 'ls', '-q', '--filter', f]);
  if (v.length) execFileSync('docker', ['volume', 'rm', '-f', ...v], { stdio: 'ignore' });
}
