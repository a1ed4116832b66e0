import { Copy } from "lucide-react";
import { useEffect, useState } from "react";
import { Button } from "./ui";

const copiedShownMs = 2_000;

/**
 * Copies a value (an address, an amount, a hash) to the clipboard. What happened is announced to screen readers;
 * where the browser refuses the clipboard, the button says so and the value stays on screen to select by hand.
 */
export function CopyButton({
  value,
  label,
  copied,
  failed,
}: {
  value: string;
  /** The button's name, e.g. "Copy address". */
  label: string;
  copied: string;
  failed: string;
}) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state !== "copied") return;
    const timer = setTimeout(() => setState("idle"), copiedShownMs);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = () => {
    const clipboard = globalThis.navigator?.clipboard;
    if (!clipboard) {
      setState("failed");
      return;
    }
    clipboard.writeText(value).then(
      () => setState("copied"),
      () => setState("failed"),
    );
  };
  return (
    <>
      <Button variant="secondary" icon={Copy} onClick={copy}>
        {label}
      </Button>
      <span role="status" aria-live="polite" className="copy-state">
        {state === "copied" ? copied : state === "failed" ? failed : ""}
      </span>
    </>
  );
}
