// Fixtures for the check-engine integration tests on the OUTER engine: a 2 MB busybox image
// built locally from busybox-static (no registry), resources labelled with a per-file instance
// so cleanup never touches anyone else's. Networks are --internal (network-safety rule).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';

export const IMAGE = 'dnl-checks-test/busybox:1';

export function ensureBusyboxImage(): void {
  try { execFileSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' }); return; } catch { /* build it */ }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnl-bb-'));
  try {
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.mkdirSync(path.join(dir, 'www'));
    fs.mkdirSync(path.join(dir, 'tmp'));
    fs.writeFileSync(path.join(dir, 'www', 'index.html'), 'hello from the lab\n');
    fs.copyFileSync('/bin/busybox', path.join(dir, 'bin', 'busybox'));
    fs.chmodSync(path.join(dir, 'bin', 'busybox'), 0o755);
    const applets = execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const a of applets) if (a !== 'busybox') fs.symlinkSync('busybox', path.join(dir, 'bin', a));
    execFileSync('bash', ['-c', `tar -C ${dir} -c . | docker import -c 'CMD ["httpd","-f","-p","80","-h","/www"]' - ${IMAGE}`], { stdio: 'ignore' });
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
}

export class Fixture {
  readonly docker = new Docker();
  readonly instance = `test-checks-${Math.random().toString(36).slice(2, 8)}`;
  readonly label = { 'dnl.instance': this.instance };
  /** Unique prefix for names, so parallel runs never collide. */
  readonly p = `${this.instance}-`;

  async network(name: string, opts: { subnet?: string; gateway?: string; ipRange?: string; attachable?: boolean } = {}): Promise<void> {
    await this.docker.createNetwork({
      Name: name, Driver: 'bridge', Internal: true, Attachable: opts.attachable ?? false, Labels: this.label,
      ...(opts.subnet ? { IPAM: { Driver: 'default', Config: [{ Subnet: opts.subnet, ...(opts.gateway ? { Gateway: opts.gateway } : {}), ...(opts.ipRange ? { IPRange: opts.ipRange } : {}) }] } } : {}),
    });
  }

  async run(name: string, opts: { network?: string; aliases?: string[]; ip?: string; ports?: Record<string, string>; cmd?: string[] } = {}): Promise<void> {
    const c = await this.docker.createContainer({
      name, Image: IMAGE, Labels: this.label, Cmd: opts.cmd,
      ExposedPorts: Object.fromEntries(Object.keys(opts.ports ?? {}).map((k) => [k, {}])),
      HostConfig: {
        NetworkMode: opts.network ?? 'none',
        // No upstream resolver: unknown names fail here, never leave the machine (as in sandboxes).
        Dns: ['127.0.0.1'],
        PortBindings: Object.fromEntries(Object.entries(opts.ports ?? {}).map(([k, v]) => [k, [{ HostIp: '127.0.0.1', HostPort: v }]])),
      },
      NetworkingConfig: opts.network && opts.network !== 'none' && opts.network !== 'host'
        ? { EndpointsConfig: { [opts.network]: { Aliases: opts.aliases, ...(opts.ip ? { IPAMConfig: { IPv4Address: opts.ip } } : {}) } } } : undefined,
    });
    await c.start();
  }

  async cleanup(): Promise<void> {
    const filters = { label: [`dnl.instance=${this.instance}`] };
    const cs = await this.docker.listContainers({ all: true, filters });
    await Promise.all(cs.map((c) => this.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    const ns = await this.docker.listNetworks({ filters });
    await Promise.all(ns.map((n) => this.docker.getNetwork(n.Id).remove().catch(() => undefined)));
  }
}
