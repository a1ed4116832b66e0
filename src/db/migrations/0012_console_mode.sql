-- The merchant console works through the merchant API in one mode per session (docs/adr/0011-console-mode.md).
-- console_sessions.livemode has existed since 0004; it is now switched by POST /v1/console/mode.
COMMENT ON COLUMN console_sessions.livemode IS
  'The mode the session works in: the console sees and changes only this mode''s objects. Live needs KYB approved and the user''s second factor.';

-- A payment's timeline in the console (GET /v1/events?related_object=…): the events whose object is the payment,
-- and those of objects that point at it (its refunds).
CREATE INDEX events_object_id ON events ((data -> 'object' ->> 'id'));
CREATE INDEX events_object_payment ON events ((data -> 'object' ->> 'payment'));
