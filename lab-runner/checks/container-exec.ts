// Runs a short command inside a container through the Engine API (no docker CLI needed on the
// host): hijacked exec stream, demuxed, exit code from inspect() after the stream ends
// (dockerode's lib/exec.js pattern). The WHOLE exec (create, start, output, inspect) is bounded by
// the timeout: a probe holds one of the runner's few exec slots, so an engine that stops
// answering (a host under a fork bomb) must cost a deadline, never a slot for good.
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import type { ExecResult } from '../provider/types.ts';

export async function execIn(docker: Docker, container: string, cmd: string[],
  opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ExecResult> {
  const timeout = new AbortController();
  const deadline = timeout.signal;
  const timer = setTimeout(() => timeout.abort(new Error('probe deadline')), opts.timeoutMs ?? 5000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
  const ended = new Promise<never>((_, reject) => {
    const stop = (): void => reject(signal.reason);
    if (signal.aborted) stop(); else signal.addEventListener('abort', stop, { once: true });
  });
  ended.catch(() => undefined);
  const within = <T>(p: Promise<T>): Promise<T> => Promise.race([p, ended]);
  let stdout = '', stderr = '';
  try {
    const exec = await within(docker.getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: false }));
    const stream = await within(exec.start({ hijack: true, stdin: false }));
    const out = new PassThrough(), err = new PassThrough();
    out.on('data', (b: Buffer) => { stdout += b.toString(); });
    err.on('data', (b: Buffer) => { stderr += b.toString(); });
    docker.modem.demuxStream(stream, out, err);
    try {
      await within(new Promise<void>((resolve) => { stream.on('end', resolve); stream.on('close', resolve); stream.on('error', resolve); }));
    } finally { stream.destroy(); }
    const info = await within(exec.inspect());
    return { exitCode: info.ExitCode ?? 1, stdout, stderr };
  } catch (err) {
    opts.signal?.throwIfAborted();
    if (deadline.aborted) return { exitCode: 124, stdout, stderr };
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
