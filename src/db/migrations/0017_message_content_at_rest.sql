-- A queued message's content (subject, text, HTML) holds one-time secrets: verification and password-reset links,
-- team invites, wallet codes. From now on it is stored only encrypted (content_enc, src/notifications/content.ts)
-- and only until the message is sent or given up; then the row keeps its metadata and nothing else. The dev
-- transports' copies (the dev mailbox) stay encrypted for a day, and housekeeping purges anything left undelivered.
ALTER TABLE outbound_messages ADD COLUMN content_enc text CHECK (content_enc LIKE 'enc1.%');
-- The clear columns stay for rows queued before this migration, which are sent from them and purged like the rest.
ALTER TABLE outbound_messages ALTER COLUMN body DROP NOT NULL;
-- What was already sent or given up served its purpose: its content goes now.
UPDATE outbound_messages SET subject = NULL, body = NULL, html = NULL WHERE status IN ('sent', 'failed');
-- Housekeeping looks only at rows that still hold content.
CREATE INDEX outbound_messages_content_kept ON outbound_messages (created_at)
  WHERE content_enc IS NOT NULL OR body IS NOT NULL;
