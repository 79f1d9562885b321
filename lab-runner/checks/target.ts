// What the evaluator needs from a lab: a Docker client per host (the host's INNER engine) and a
// way to run a shell script on the host itself. The provider gives both for a sandbox; tests
// point it at the outer engine. Keeping it this small lets checks run against anything.
import { spawn } from 'node:child_process';
import type Docker from 'dockerode';
import type { ExecOptions, ExecResult, Provider } from '../provider/types.ts';

export interface CheckTarget {
  /** dockerode client for the host's Docker engine. */
  engine(host: string): Docker;
  /** Runs `bash -c script` on the host (not inside a container). */
  exec(host: string, script: string, opts?: ExecOptions): Promise<ExecResult>;
  /** Hosts that exist in this lab (node1 …); checks naming others fail with a clear reason. */
  hosts(): string[];
}

/** A sandbox seen through the provider. */
export function sandboxTarget(provider: Provider, sandboxId: string, hosts: string[]): CheckTarget {
  const engines = new Map<string, Docker>();
  return {
    engine(host) {
      let d = engines.get(host);
      if (!d) { d = provider.engine(sandboxId, host); engines.set(host, d); }
      return d;
    },
    exec: (host, script, opts) => provider.exec(sandboxId, host, script, opts),
    hosts: () => hosts,
  };
}

/** Runs a script on THIS machine: for tests against the outer engine, where "the host" is here. */
export function runLocal(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', timedOut = false;
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const kill = (): void => { timedOut = true; child.kill('SIGKILL'); };
    const timer = opts.timeoutMs ? setTimeout(kill, opts.timeoutMs) : undefined;
    opts.signal?.addEventListener('abort', kill, { once: true });
    child.stdin.end(opts.stdin ?? '');
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', kill);
      resolve({ exitCode: timedOut ? 124 : code ?? 1, stdout, stderr });
    });
  });
}

/** One engine serving every host name given (outer-engine tests). */
export function localTarget(docker: Docker, hosts: string[] = ['node1']): CheckTarget {
  return { engine: () => docker, exec: (_h, script, opts) => runLocal(script, opts), hosts: () => hosts };
}
