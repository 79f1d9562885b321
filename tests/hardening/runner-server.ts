// A real runner (real engine, real store) served on a loopback port inside the test process,
// with its WebSocket upgrades: a crash in it is a crash of the test. close() always removes the
// instance's containers, networks and volumes, even when closing the runner fails.
import fs from 'node:fs';
import http from 'node:http';
import type { Config } from '../../lab-runner/config.ts';
import { createRunner, type Runner, type RunnerOptions } from '../../lab-runner/runner.ts';
import { answerClientErrors } from '../../lab-runner/api/http.ts';
import { removeInstanceResources } from '../../lab-runner/provider/cleanup.ts';

export interface RunnerServer { runner: Runner; server: http.Server; base: string; close(): Promise<void> }

export async function startRunnerServer(config: Config, opts: Omit<RunnerOptions, 'config'> = {}): Promise<RunnerServer> {
  const runner = await createRunner({ ...opts, config });
  const server = http.createServer((req, res) => {
    runner.handleHttp(req, res).then((done) => { if (!done) { res.statusCode = 404; res.end(); } }, (err: unknown) => {
      console.error('[test server] request failed:', err);
      if (!res.headersSent) { res.statusCode = 500; res.end(); }
    });
  });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    if (!runner.handleUpgrade(req, socket, head)) socket.destroy();
  });
  answerClientErrors(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    runner, server,
    base: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    async close() {
      try {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
        await runner.close();
      } finally {
        removeInstanceResources(config.instance);
        fs.rmSync(config.dataDir, { recursive: true, force: true });
      }
    },
  };
}
