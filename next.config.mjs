/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The lab runner (dockerode, node-pty) never enters the web bundle.
  serverExternalPackages: ['dockerode', 'node-pty', 'better-sqlite3', 'ssh2'],
};
export default nextConfig;
