import { apiVersionFirst, apiVersionHeader, apiVersionLatest, apiVersionReleases } from "../src/http/versioning.js";

/** Renders docs/changelog.md from apiVersionReleases in src/http/versioning.ts. */
export function renderChangelogMarkdown(): string {
  const newestFirst = [...apiVersionReleases].reverse();
  return [
    "# API changelog",
    "",
    "Generated from `src/http/versioning.ts` by `npm run docs`; do not edit by hand. `GET /v1/versions` answers the",
    "same list.",
    "",
    `coffer's API has dated versions. A request names one with the \`${apiVersionHeader}\` header; without it, a`,
    "merchant's API keys are answered in the account's default version, and the console, the wallet and the public",
    `pages in the latest (${apiVersionLatest}). Every response says which version answered it in \`${apiVersionHeader}\`.`,
    "",
    `- **New accounts** start on the latest version; accounts made before versions could be chosen are on`,
    `  ${apiVersionFirst}. The console's Developers page shows the account's version and what an upgrade changes;`,
    "  the owner or an admin upgrades (`POST /v1/console/api_version`). Accounts only move forward; a request can",
    `  still name an older version with \`${apiVersionHeader}\`.`,
    "- **Webhook endpoints** are pinned to a version (`api_version`, the creating request's version unless given):",
    "  their events are written in it, whatever the account's default becomes. Change it with",
    "  `POST /v1/webhook_endpoints/{id}` and `api_version`.",
    "- Only breaking changes make a new version. Additions (a new field, a new filter, a new route) come to every",
    "  version.",
    "",
    ...newestFirst.flatMap((release) => [
      `## ${release.version}`,
      "",
      release.summary,
      "",
      ...(release.changes.length === 0
        ? ["No breaking changes: the first version."]
        : release.changes.map((change) => `- \`${change.code}\`: ${change.summary}`)),
      "",
    ]),
  ].join("\n");
}
