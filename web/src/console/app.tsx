export function App() {
  return <main className="app-main narrow">console</main>;
}
