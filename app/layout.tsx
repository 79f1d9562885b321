import type { ReactNode } from 'react';
import './globals.css';

export const metadata = {
  title: { default: 'Docker Network Labs', template: '%s · Docker Network Labs' },
  description: 'Learn Docker networking hands-on, in your own sandboxed Docker hosts.',
};

// Applies the saved theme before first paint (no flash), and the page language before hydration.
const boot = `try{var t=localStorage.getItem('dnl_theme');if(t==='dark'||t==='light')document.documentElement.dataset.theme=t}catch(e){}`;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: boot }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
