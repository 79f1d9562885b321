import type { ReactNode } from 'react';

export const metadata = { title: 'Docker Network Labs', description: 'Learn Docker networking hands-on, in your own sandboxed Docker hosts.' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
