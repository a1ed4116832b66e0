-- The wallet's transaction list gains the branches 0005 left room for: payments a wallet user made and the refunds
-- that came back, so history pages and filters read one list from the server instead of merging two in a client.
-- A payment still open for anyone (requires_payment) is not the payer's yet and stays out.
CREATE OR REPLACE VIEW wallet_transactions AS
  SELECT id, wallet_user_id, livemode, 'top_up'::text AS type, status, 'in'::text AS direction, amount, currency,
         funding_source_id AS counterparty_id, NULL::text AS note, failure_code, created_at,
         NULL::numeric(39,0) AS amount_refunded
    FROM wallet_top_ups
  UNION ALL
  SELECT id, wallet_user_id, livemode, 'withdrawal', status, 'out', amount, currency,
         funding_source_id, NULL, failure_code, created_at, NULL
    FROM wallet_withdrawals
  UNION ALL
  SELECT id, sender_id, livemode, 'transfer', status, 'out', amount, currency, recipient_id, note, NULL, created_at, NULL
    FROM wallet_transfers
  UNION ALL
  SELECT id, recipient_id, livemode, 'transfer', status, 'in', amount, currency, sender_id, note, NULL, created_at, NULL
    FROM wallet_transfers
  UNION ALL
  SELECT id, payer_id, livemode, 'payment', status, 'out', amount, currency, merchant_id, description, failure_code,
         created_at, amount_refunded
    FROM payments
   WHERE payer_id IS NOT NULL AND status <> 'requires_payment'
  UNION ALL
  SELECT r.id, p.payer_id, r.livemode, 'refund', r.status, 'in', r.amount, r.currency, r.merchant_id, r.description,
         r.failure_code, r.created_at, NULL
    FROM refunds r JOIN payments p ON p.id = r.payment_id
   WHERE p.payer_id IS NOT NULL;
