-- product.product_performance: sales performance of every product that sold.
-- Reads: catalog (product.catalog), order_metrics (orders.order_metrics, cross-domain).
SELECT
    c.product_id,
    c.product_name,
    c.category,
    c.price_band,
    SUM(m.order_count)                                                 AS order_count,
    SUM(m.units_sold)                                                  AS units_sold,
    ROUND(SUM(m.gross_revenue), 2)                                     AS gross_revenue,
    COUNT(DISTINCT m.customer_id)                                      AS customer_count,
    ROUND(1.0 * SUM(m.cancelled_count) / SUM(m.order_count), 4)        AS cancellation_rate,
    MIN(m.order_date)                                                  AS first_sold_date,
    MAX(m.order_date)                                                  AS last_sold_date,
    RANK() OVER (ORDER BY SUM(m.gross_revenue) DESC)                   AS revenue_rank
FROM catalog AS c
JOIN order_metrics AS m ON m.product_id = c.product_id
GROUP BY c.product_id, c.product_name, c.category, c.price_band
