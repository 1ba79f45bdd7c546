-- journey.customer_journey: where each customer stands, from signup to repeat purchase.
-- Reads (all cross-domain, each granted in the producer's contract):
--   customer_360 (customer.customer_360)  only its non-personal columns: the grant is pii: false
--   order_metrics (orders.order_metrics), fulfillment (orders.fulfillment),
--   product_performance (product.product_performance)
WITH bought AS (
    SELECT customer_id,
           MIN(order_date)                AS first_order_date,
           MAX(order_date)                AS last_order_date,
           SUM(order_count)               AS order_count,
           SUM(units_sold)                AS units_bought,
           ROUND(SUM(gross_revenue), 2)   AS lifetime_revenue,
           MAX(last_order_ts)             AS last_order_ts
    FROM order_metrics
    GROUP BY customer_id
),
as_of AS (
    SELECT MAX(last_order_ts) AS ts FROM order_metrics
),
favourite AS (
    SELECT customer_id, category
    FROM (SELECT customer_id, category,
                 ROW_NUMBER() OVER (PARTITION BY customer_id
                                    ORDER BY SUM(gross_revenue) DESC, category) AS pick
          FROM order_metrics
          GROUP BY customer_id, category)
    WHERE pick = 1
),
delivery AS (
    SELECT customer_id,
           SUM(fulfillment_status = 'delivered')   AS deliveries,
           ROUND(AVG(hours_to_deliver), 1)         AS avg_hours_to_deliver,
           COALESCE(SUM(is_late), 0)               AS late_deliveries
    FROM fulfillment
    GROUP BY customer_id
),
bestseller_buyers AS (
    SELECT DISTINCT m.customer_id
    FROM order_metrics AS m
    JOIN product_performance AS p ON p.product_id = m.product_id
    WHERE p.revenue_rank <= 10 AND m.units_sold > 0
)
SELECT
    c.customer_id,
    c.country,
    c.birth_decade,
    c.signup_ts,
    b.first_order_date,
    b.last_order_date,
    COALESCE(b.order_count, 0)                  AS order_count,
    COALESCE(b.units_bought, 0)                 AS units_bought,
    COALESCE(b.lifetime_revenue, 0)             AS lifetime_revenue,
    f.category                                  AS favourite_category,
    COALESCE(d.deliveries, 0)                   AS deliveries,
    d.avg_hours_to_deliver,
    COALESCE(d.late_deliveries, 0)              AS late_deliveries,
    bb.customer_id IS NOT NULL                  AS bought_bestseller,
    CASE WHEN b.customer_id IS NULL                                  THEN 'prospect'
         WHEN JULIANDAY(as_of.ts) - JULIANDAY(b.last_order_ts) > 365 THEN 'lapsed'
         WHEN b.order_count = 1                                      THEN 'first_purchase'
         ELSE 'repeat' END                      AS journey_stage,
    COALESCE(b.last_order_ts, c.signup_ts)      AS last_activity_ts
FROM customer_360 AS c
CROSS JOIN as_of
LEFT JOIN bought            AS b  ON b.customer_id  = c.customer_id
LEFT JOIN favourite         AS f  ON f.customer_id  = c.customer_id
LEFT JOIN delivery          AS d  ON d.customer_id  = c.customer_id
LEFT JOIN bestseller_buyers AS bb ON bb.customer_id = c.customer_id
