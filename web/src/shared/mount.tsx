import { type ComponentType, StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "./styles.css";

/** Starts one area of the web app in #root. */
export function mount(App: ComponentType): void {
  const element = document.getElementById("root");
  if (!element) throw new Error("#root is missing from the page");
  createRoot(element).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
