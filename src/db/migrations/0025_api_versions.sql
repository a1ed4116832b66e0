-- Dated API versions (src/http/versioning.ts, docs/changelog.md). A merchant account answers its API keys' requests
-- in its own default version unless a request names one; a webhook endpoint receives its events in the version it is
-- pinned to. Accounts and endpoints that existed before versions could be chosen keep the first version, so nothing
-- changes under an integration that did not ask for it; coffer's code gives new ones the latest version.
ALTER TABLE merchants
  ADD COLUMN api_version text NOT NULL DEFAULT '2026-11-01' CHECK (api_version ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$');
ALTER TABLE webhook_endpoints
  ADD COLUMN api_version text NOT NULL DEFAULT '2026-11-01' CHECK (api_version ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$');
