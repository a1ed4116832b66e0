-- Counting a ledger batch's wallet spends against their daily and monthly limits in one round trip, in order, with
-- the same rules as one statement per spend (src/wallets/limits/spend.ts consumeSpend): a spend is counted only
-- when the wallet is active (if asked) and both periods stay within their limits; otherwise it is refused with the
-- reason, and what it counted of the day is taken back so the spends after it are judged without it. The caller
-- aborts the submissions of refused spends (docs/adr/0012-one-connection-per-request.md). PL/pgSQL: PostgreSQL and
-- YugabyteDB run it as is; CockroachDB from 24.1.
CREATE FUNCTION coffer_consume_spends(
  p_users         text[],
  p_currencies    text[],
  p_days          text[],
  p_months        text[],
  p_amounts       numeric[],
  p_day_limits    numeric[],
  p_month_limits  numeric[],
  p_require_active boolean[]
) RETURNS TABLE (spend_index integer, refusal text)
LANGUAGE plpgsql AS $$
DECLARE
  i integer;
  counted integer;
BEGIN
  FOR i IN 1 .. coalesce(array_length(p_users, 1), 0) LOOP
    IF p_require_active[i]
       AND NOT EXISTS (SELECT 1 FROM wallet_users u WHERE u.id = p_users[i] AND u.frozen_at IS NULL) THEN
      spend_index := i; refusal := 'frozen'; RETURN NEXT; CONTINUE;
    END IF;
    INSERT INTO wallet_spend_counters AS c (wallet_user_id, currency, period, spent)
      VALUES (p_users[i], p_currencies[i], p_days[i], p_amounts[i])
      ON CONFLICT (wallet_user_id, currency, period) DO UPDATE SET spent = c.spent + EXCLUDED.spent
      WHERE c.spent + EXCLUDED.spent <= p_day_limits[i];
    GET DIAGNOSTICS counted = ROW_COUNT;
    IF counted = 0 THEN
      spend_index := i; refusal := 'day'; RETURN NEXT; CONTINUE;
    END IF;
    INSERT INTO wallet_spend_counters AS c (wallet_user_id, currency, period, spent)
      VALUES (p_users[i], p_currencies[i], p_months[i], p_amounts[i])
      ON CONFLICT (wallet_user_id, currency, period) DO UPDATE SET spent = c.spent + EXCLUDED.spent
      WHERE c.spent + EXCLUDED.spent <= p_month_limits[i];
    GET DIAGNOSTICS counted = ROW_COUNT;
    IF counted = 0 THEN
      UPDATE wallet_spend_counters SET spent = spent - p_amounts[i]
       WHERE wallet_user_id = p_users[i] AND currency = p_currencies[i] AND period = p_days[i];
      spend_index := i; refusal := 'month'; RETURN NEXT; CONTINUE;
    END IF;
  END LOOP;
END
$$;
