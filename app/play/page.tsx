// /play: a single-host playground — one sandboxed Docker host and a terminal, nothing else.
// Useful to learners who want to try something outside a lesson, and the page the terminal's
// browser tests and benchmark drive.
import Playground from './Playground.tsx';
import { PLAY_CLAIM_SCRIPT } from './claim-script.ts';

export const metadata = { title: 'Playground · Docker Network Labs' };

export default function PlayPage() {
  return (
    <main style={{ maxWidth: 1100, margin: '0 auto', padding: '16px 20px', font: '15px/1.5 system-ui, sans-serif' }}>
      <h1 style={{ fontSize: 20, margin: '0 0 4px' }}>Playground</h1>
      <p style={{ margin: '0 0 12px', color: '#555' }}>
        Your own Docker host: try <code>docker network ls</code>, <code>docker run --rm busybox ip addr</code>, anything.
        It is yours alone, has no internet access, and is removed after a while without use.
      </p>
      <script dangerouslySetInnerHTML={{ __html: PLAY_CLAIM_SCRIPT }} />
      <Playground />
    </main>
  );
}
