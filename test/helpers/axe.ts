import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

/** axe-core's browser build, injected into a page before a run. */
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** The serious and critical violations axe-core finds with its whole default rule set, one line each. */
const axeRun = `(async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => v.impact + " " + v.id + ": " + v.help + " — " +
      v.nodes.slice(0, 4).map((n) => n.target.join(" ") + " " + n.html.slice(0, 140)).join(" | "));
})()`;

/** Runs axe-core on the page as it is now; an empty list means nothing serious or critical. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  return (await page.evaluate(axeRun)) as string[];
}
