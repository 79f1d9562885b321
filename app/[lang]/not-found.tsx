export default function NotFound() {
  return (
    <div className="not-found">
      <h1>404</h1>
      <p>No such page. · 해당 페이지가 없습니다.</p>
      <p><a href="/">Course map · 과정 지도</a></p>
    </div>
  );
}
