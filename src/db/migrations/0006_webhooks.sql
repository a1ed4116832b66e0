-- Reserved for webhook endpoints and deliveries.
SELECT 1;
