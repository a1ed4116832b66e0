-- Reserved for the merchant platform (developer accounts, KYB, operators, API keys, team).
SELECT 1;
