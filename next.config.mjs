/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The lab runner (dockerode, node-pty) never enters the web bundle. tsx loads lessons/load.ts
  // (and every lesson's lab.ts) at build time; it and the MDX compiler stay outside the bundle.
  serverExternalPackages: ['dockerode', 'node-pty', 'better-sqlite3', 'ssh2', 'tsx', 'esbuild', '@mdx-js/mdx', 'yaml'],
  // The e2e tests build the fixture course into their own folder (DNL_NEXT_DIST_DIR) so they
  // never overwrite the real build in .next.
  distDir: process.env.DNL_NEXT_DIST_DIR || '.next',
};
export default nextConfig;
