// `npm run images [-- --force] [--json]`: builds the offline images or confirms they are current.
// Progress lines go to stderr while building; the summary (a table, or JSON) goes to stdout.
import { ensureImages, type ImageSet } from '../images/index.ts';

const args = new Set(process.argv.slice(2));
const unknown = [...args].filter((a) => a !== '--force' && a !== '--json');
if (args.has('--help') || unknown.length > 0) {
  console.error('usage: npm run images -- [--force] [--json]\n  --force  rebuild every image even when its recipe hash is current\n  --json   print the result as JSON');
  process.exit(args.has('--help') ? 0 : 2);
}
const json = args.has('--json');

function table(set: ImageSet): string {
  const rows = set.report.map((r) => [r.tag, (r.size / 1e6).toFixed(1), r.status, r.status === 'built' ? r.seconds.toFixed(0) : '-']);
  const head = ['image', 'size MB', 'status', 'seconds'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 1 || i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
}

// Ctrl-C stops the build steps (debootstrap, tar) and still removes the half-built trees.
const abort = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => { console.error(`[images] ${sig}: stopping the build and cleaning up …`); abort.abort(); });
}

const t0 = Date.now();
try {
  const set = await ensureImages({
    signal: abort.signal,
    force: args.has('--force'),
    onProgress: (line) => (json ? console.error(line) : console.log(line)),
  });
  if (json) {
    console.log(JSON.stringify(set, null, 2));
  } else {
    console.log(table(set));
    const built = set.report.filter((r) => r.status === 'built').length;
    console.log(`[images] ${built === 0 ? 'nothing built (all cached)' : `${built} built`} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  }
} catch (err) {
  const e = err as Error & { code?: string };
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT' || e.code === 'EACCES') {
    console.error(`\n✖ Cannot reach the Docker engine (${e.message}). Start it (e.g. \`dockerd &\` as root, or \`systemctl start docker\`) and run this again.`);
  } else {
    console.error(`\n✖ ${e.message}`);
  }
  process.exit(1);
}
