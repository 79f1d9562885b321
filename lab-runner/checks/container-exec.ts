// Runs a short command inside a container through the Engine API (no docker CLI needed on the
// host): hijacked exec stream, demuxed, exit code from inspect() after the stream ends
// (dockerode's lib/exec.js pattern). Bounded by a timeout so a hung probe never stalls a check.
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import type { ExecResult } from '../provider/types.ts';

export async function execIn(docker: Docker, container: string, cmd: string[],
  opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ExecResult> {
  const exec = await docker.getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: false });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new PassThrough(), err = new PassThrough();
  let stdout = '', stderr = '';
  out.on('data', (b: Buffer) => { stdout += b.toString(); });
  err.on('data', (b: Buffer) => { stderr += b.toString(); });
  docker.modem.demuxStream(stream, out, err);
  let timedOut = false;
  await new Promise<void>((resolve) => {
    const stop = (): void => { timedOut = true; stream.destroy(); resolve(); };
    const timer = setTimeout(stop, opts.timeoutMs ?? 5000);
    opts.signal?.addEventListener('abort', stop, { once: true });
    const done = (): void => { clearTimeout(timer); opts.signal?.removeEventListener('abort', stop); resolve(); };
    stream.on('end', done); stream.on('close', done); stream.on('error', done);
  });
  opts.signal?.throwIfAborted();
  if (timedOut) return { exitCode: 124, stdout, stderr };
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? 1, stdout, stderr };
}
