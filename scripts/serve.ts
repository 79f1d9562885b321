// The embedded default: one process, one port, serving the Next.js app and the lab runner's
// API and WebSockets. (Lives outside app/ and lab-runner/ because it is the only module that
// imports both Next and the runner.)
import http from 'node:http';
import nextModule from 'next';
import { createRunner } from '../lab-runner/runner.ts';
import { setSecurityHeaders } from '../lab-runner/api/security-headers.ts';
import { answerClientErrors } from '../lab-runner/api/http.ts';

async function main(): Promise<void> {
  const runner = await createRunner();
  const { port, host } = runner.config;
  // next is CommonJS: under NodeNext its types see the module object, at run time it is the function.
  const next = ((nextModule as unknown as { default?: unknown }).default ?? nextModule) as unknown as typeof import('next').default;
  const app = next({ dev: false, dir: process.cwd(), hostname: host, port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const upgradeNext = app.getUpgradeHandler();

  const server = http.createServer((req, res) => {
    setSecurityHeaders(res, (req.url ?? '/').split('?')[0]!);
    runner.handleHttp(req, res).then((done) => { if (!done) return handle(req, res); }).catch((err: unknown) => {
      console.error('[serve] request failed:', err);
      if (!res.headersSent) { res.statusCode = 500; res.end('Internal error'); }
    });
  });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    if (!runner.handleUpgrade(req, socket, head)) void upgradeNext(req, socket, head);
  });
  answerClientErrors(server);
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, host, resolve); });
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  console.log(`\n  Docker Network Labs is ready: http://${shown}:${port}\n`);

  let closing = false;
  const shutdown = async (sig: string): Promise<void> => {
    if (closing) return;
    closing = true;
    console.log(`[serve] ${sig}: closing …`);
    server.close();
    server.closeAllConnections();
    await runner.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
