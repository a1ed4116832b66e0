-- The sandbox's test clock: how far a merchant's test mode runs ahead of the system clock. Only ever grows
-- (advance_time cannot go backwards); live mode never reads it.
CREATE TABLE test_clocks (
  merchant_id text PRIMARY KEY REFERENCES merchants (id) ON DELETE CASCADE,
  offset_ms bigint NOT NULL DEFAULT 0 CHECK (offset_ms >= 0),
  updated_at timestamptz NOT NULL
);

-- Workers find test-mode rows due on an advanced clock merchant by merchant (see testClockDueSql); the live path
-- keeps its own due indexes.
CREATE INDEX payments_test_due ON payments (merchant_id, due_at) WHERE due_at IS NOT NULL AND NOT livemode;
CREATE INDEX payouts_test_due ON payouts (merchant_id, next_attempt_at)
  WHERE status = 'pending' AND next_attempt_at IS NOT NULL AND NOT livemode;
CREATE INDEX webhook_deliveries_test_due ON webhook_deliveries (merchant_id, next_attempt_at)
  WHERE status = 'pending' AND NOT livemode;
