export function App() {
  return <main className="app-main narrow">ops</main>;
}
