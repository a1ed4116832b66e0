-- Reserved for account wallets (wallet users, identity tiers, funding sources, top-ups, withdrawals, transfers).
SELECT 1;
