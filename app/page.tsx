export default function Home() {
  return (
    <main>
      <h1>Docker Network Labs</h1>
      <p>Learn Docker networking hands-on, in your own sandboxed Docker hosts.</p>
    </main>
  );
}
