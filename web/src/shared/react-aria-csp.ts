import "./react-aria-csp.css";

/**
 * React Aria adds a <style> element for what it makes pressable unless an element with its id is in the document.
 * The web app's Content-Security-Policy (style-src 'self') refuses inline styles, so the browser would block it and
 * log an error: the rule comes in ./react-aria-csp.css instead, and an element with that id says it is there.
 * Imported by every module that renders React Aria components.
 */
const pressableStyleId = "react-aria-pressable-style";

if (typeof document !== "undefined" && !document.getElementById(pressableStyleId)) {
  const marker = document.createElement("meta");
  marker.id = pressableStyleId;
  document.head.append(marker);
}
