// `npm start`: from a fresh Debian machine to a served platform.
// packages → Docker engine → offline images → web build → serve. Ctrl-C stops what it started.
import { spawn } from 'node:child_process';
import { ensureNodeModules, ensureDocker, ensureBuildTools, ensureImages, ensureWebBuild, fail, root, step } from './bootstrap.mjs';

try {
  ensureNodeModules();
  const { startedPid } = await ensureDocker();
  ensureBuildTools();
  ensureImages();
  ensureWebBuild();
  step('starting the platform …');
  const server = spawn(process.execPath, ['--import', 'tsx', 'scripts/serve.ts'], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  let stopping = false;
  const stop = (sig) => {
    if (stopping) return;
    stopping = true;
    step(`${sig}: stopping the platform (sandboxes are kept and adopted at the next start) …`);
    server.kill('SIGTERM');
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  server.on('exit', (code) => {
    if (startedPid) {
      // We started dockerd, so we stop it; sandbox hosts restart with it next time (restart policy).
      step(`stopping dockerd (pid ${startedPid}) that this command started …`);
      try { process.kill(startedPid, 'SIGTERM'); } catch { /* already gone */ }
    }
    process.exit(stopping ? 0 : (code ?? 1));
  });
} catch (err) { fail(err); }
