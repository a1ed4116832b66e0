-- Stored-value expiry and breakage (src/stored-value/expiry.ts, docs/stored-value.md): the expiry worker claims cards
-- with a lease, so several coffer processes share the work and a card whose pass failed is tried again after the
-- lease, not at once (it would be first in line at every pass).
ALTER TABLE stored_value_cards ADD COLUMN expiry_lease_until timestamptz;

-- Money that reaches a card after it expired or was claimed (a refund of one of its payments goes back to its payer,
-- the card) is moved on by the same worker: expired cards and closed cards are the ones it looks at for that.
CREATE INDEX stored_value_cards_ended ON stored_value_cards (updated_at, id) WHERE status IN ('expired', 'closed');
