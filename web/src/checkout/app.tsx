export function App() {
  return <main className="app-main narrow">checkout</main>;
}
