-- customer.customer_segments: lifecycle segment of every customer.
-- Reads: customer_360 (customer.customer_360). Uses no personal column.
-- Tenure is measured against the newest signup, so the result depends on the data only.
WITH as_of AS (
    SELECT MAX(signup_ts) AS ts FROM customer_360
),
tenure AS (
    SELECT c.customer_id, c.country, c.birth_decade, c.is_contactable, c.signup_ts,
           CAST(JULIANDAY(as_of.ts) - JULIANDAY(c.signup_ts) AS INTEGER) AS tenure_days
    FROM customer_360 AS c CROSS JOIN as_of
)
SELECT
    customer_id,
    CASE WHEN tenure_days < 180     THEN 'newcomer'
         WHEN tenure_days < 3 * 365 THEN 'regular'
         ELSE 'veteran' END AS segment,
    country,
    birth_decade,
    tenure_days,
    is_contactable,
    signup_ts
FROM tenure
