-- After-sales: disputes (src/disputes, docs/disputes.md) and support tickets (src/support, docs/support.md), with the
-- files both take (evidence, attachments), stored encrypted like KYB documents. Why disputes hold the merchant's
-- balance the way they do: docs/adr/0025-disputes-hold-the-merchants-balance.md.

-- What a payment's open or lost dispute takes: refunds and a dispute together never exceed what was captured.
-- Refunds add `amount_disputed` to their conditional update; a won dispute gives it back.
ALTER TABLE payments ADD COLUMN amount_disputed numeric(39,0) NOT NULL DEFAULT 0 CHECK (amount_disputed >= 0);
ALTER TABLE payments ADD CONSTRAINT payments_refunded_and_disputed_within_captured
  CHECK (amount_refunded + amount_disputed <= amount_captured) NOT VALID;

-- One dispute per payment, ever (a payer disputes a payment once; Stripe and the card networks do the same).
-- The disputed amount is held from the merchant's balance by pending ledger transfers from the merchant's account
-- to the payer's wallet account, ids transferIdFor(id, 'hold', n) for n < holds: won voids them, lost posts them.
-- What the merchant's balance could not cover when the dispute opened is held later by the disputes worker as money
-- arrives (funding_due_at), and after a loss paid to the payer (ids transferIdFor(id, 'recover', n), n < recoveries).
CREATE TABLE disputes (
  id                     text          PRIMARY KEY CHECK (id ~ '^dp_[0-9A-Za-z]{22}$'),
  payment_id             text          NOT NULL UNIQUE REFERENCES payments (id),
  merchant_id            text          NOT NULL REFERENCES merchants (id),
  livemode               boolean       NOT NULL,
  payer_id               text          NOT NULL REFERENCES wallet_users (id),
  amount                 numeric(39,0) NOT NULL CHECK (amount > 0),
  currency               text          NOT NULL,
  reason                 text          NOT NULL CHECK (reason IN ('fraudulent', 'product_not_received',
                                         'product_unacceptable', 'duplicate', 'credit_not_processed', 'general')),
  payer_message          text          CHECK (length(payer_message) <= 2000),
  status                 text          NOT NULL CHECK (status IN ('needs_response', 'under_review', 'won', 'lost')),
  -- How it closed: decided by an operator (or the sandbox), no_response by the due date, accepted by the merchant.
  closed_by              text          CHECK (closed_by IN ('operator', 'no_response', 'accepted', 'sandbox')),
  evidence               jsonb         NOT NULL DEFAULT '{}',
  evidence_due_by        timestamptz   NOT NULL,
  evidence_submitted_at  timestamptz,
  due_at                 timestamptz,  -- the deadline worker's next look (evidence_due_by, leased); null once answered
  amount_held            numeric(39,0) NOT NULL DEFAULT 0,
  holds                  integer       NOT NULL DEFAULT 0 CHECK (holds >= 0),
  amount_returned        numeric(39,0) NOT NULL DEFAULT 0,  -- what reached the payer after a loss
  recoveries             integer       NOT NULL DEFAULT 0 CHECK (recoveries >= 0),
  funding_due_at         timestamptz,  -- the funding worker's next look; null when nothing is left to cover
  decided_by             text          REFERENCES operators (id),
  decision_note          text          CHECK (length(decision_note) <= 2000),
  metadata               jsonb         NOT NULL DEFAULT '{}',
  created_at             timestamptz   NOT NULL,
  updated_at             timestamptz   NOT NULL,
  closed_at              timestamptz,
  CHECK (amount_held >= 0 AND amount_held <= amount),
  CHECK (amount_returned >= 0 AND amount_returned <= amount),
  CHECK ((status IN ('won', 'lost')) = (closed_at IS NOT NULL AND closed_by IS NOT NULL)),
  CHECK (status <> 'won' OR amount_returned = 0),
  CHECK (status NOT IN ('won', 'lost') OR amount_held = 0),  -- a closed dispute's holds were posted or voided
  CHECK (status = 'needs_response' OR due_at IS NULL),
  CHECK ((status = 'under_review') <= (evidence_submitted_at IS NOT NULL))
);
CREATE INDEX disputes_merchant ON disputes (merchant_id, livemode, created_at, id);
CREATE INDEX disputes_payer ON disputes (payer_id, created_at);
CREATE INDEX disputes_due ON disputes (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX disputes_test_due ON disputes (merchant_id, due_at) WHERE due_at IS NOT NULL AND NOT livemode;
CREATE INDEX disputes_funding_due ON disputes (funding_due_at) WHERE funding_due_at IS NOT NULL;
CREATE INDEX disputes_review_queue ON disputes (status, evidence_submitted_at) WHERE status = 'under_review';

-- Support tickets: payment (a payer to the payment's merchant), wallet (a payer to the platform), merchant (a
-- merchant to the platform). The customer is the payer (payment, wallet) or the merchant (merchant); the other side
-- answers. livemode is the mode of the payment, the payer's wallet or the merchant's session the ticket was opened in.
CREATE TABLE support_tickets (
  id                     text        PRIMARY KEY CHECK (id ~ '^tkt_[0-9A-Za-z]{22}$'),
  livemode               boolean     NOT NULL,
  kind                   text        NOT NULL CHECK (kind IN ('payment', 'wallet', 'merchant')),
  merchant_id            text        REFERENCES merchants (id),
  wallet_user_id         text        REFERENCES wallet_users (id),
  payment_id             text        REFERENCES payments (id),
  subject                text        NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
  status                 text        NOT NULL CHECK (status IN ('open', 'waiting_on_customer', 'resolved')),
  first_response_due_at  timestamptz NOT NULL,
  first_responded_at     timestamptz,
  resolution_due_at      timestamptz NOT NULL,
  resolved_at            timestamptz,
  last_message_at        timestamptz NOT NULL,
  messages               integer     NOT NULL DEFAULT 0 CHECK (messages >= 0),
  created_at             timestamptz NOT NULL,
  updated_at             timestamptz NOT NULL,
  CHECK (kind <> 'payment' OR (payment_id IS NOT NULL AND merchant_id IS NOT NULL AND wallet_user_id IS NOT NULL)),
  CHECK (kind <> 'wallet' OR (wallet_user_id IS NOT NULL AND merchant_id IS NULL)),
  CHECK (kind <> 'merchant' OR (merchant_id IS NOT NULL AND wallet_user_id IS NULL)),
  CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
);
CREATE INDEX support_tickets_merchant ON support_tickets (merchant_id, livemode, created_at, id)
  WHERE merchant_id IS NOT NULL;
CREATE INDEX support_tickets_wallet_user ON support_tickets (wallet_user_id, created_at, id)
  WHERE wallet_user_id IS NOT NULL;
CREATE INDEX support_tickets_platform_queue ON support_tickets (status, first_response_due_at)
  WHERE kind IN ('wallet', 'merchant');
CREATE INDEX support_tickets_payment ON support_tickets (payment_id) WHERE payment_id IS NOT NULL;

CREATE TABLE support_ticket_messages (
  id           text        PRIMARY KEY CHECK (id ~ '^tkm_[0-9A-Za-z]{22}$'),
  ticket_id    text        NOT NULL REFERENCES support_tickets (id),
  author_type  text        NOT NULL CHECK (author_type IN ('wallet_user', 'merchant', 'operator')),
  author_id    text        NOT NULL,  -- wal_…, usr_… or key_…, op_…
  author_name  text        CHECK (length(author_name) <= 200),
  body         text        NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
  created_at   timestamptz NOT NULL
);
CREATE INDEX support_ticket_messages_ticket ON support_ticket_messages (ticket_id, created_at, id);

-- Files of a ticket message or of a dispute's evidence: PDF, PNG or JPEG, checked and encrypted as KYB documents are.
CREATE TABLE support_attachments (
  id            text        PRIMARY KEY CHECK (id ~ '^att_[0-9A-Za-z]{22}$'),
  livemode      boolean     NOT NULL,
  ticket_id     text        REFERENCES support_tickets (id),
  message_id    text        REFERENCES support_ticket_messages (id),
  dispute_id    text        REFERENCES disputes (id),
  content_type  text        NOT NULL CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
  size_bytes    integer     NOT NULL CHECK (size_bytes BETWEEN 1 AND 5242880),
  filename      text        CHECK (length(filename) <= 255),
  content_enc   text        NOT NULL CHECK (content_enc LIKE 'enc1.%'),
  created_at    timestamptz NOT NULL,
  CHECK ((ticket_id IS NOT NULL AND message_id IS NOT NULL AND dispute_id IS NULL)
      OR (dispute_id IS NOT NULL AND ticket_id IS NULL AND message_id IS NULL))
);
CREATE INDEX support_attachments_message ON support_attachments (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX support_attachments_dispute ON support_attachments (dispute_id) WHERE dispute_id IS NOT NULL;
