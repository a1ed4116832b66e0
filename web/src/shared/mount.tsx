import { QueryClientProvider } from "@tanstack/react-query";
import { type ComponentType, StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createQueryClient } from "./query-client";
import { AppRouter } from "./router";
import "./styles.css";

/** Starts one area of the web app in #root, with its own query cache and router. */
export function mount(App: ComponentType): void {
  const element = document.getElementById("root");
  if (!element) throw new Error("#root is missing from the page");
  const queryClient = createQueryClient();
  createRoot(element).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <AppRouter>
          <App />
        </AppRouter>
      </QueryClientProvider>
    </StrictMode>,
  );
}
