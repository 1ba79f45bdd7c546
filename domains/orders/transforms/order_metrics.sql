-- orders.order_metrics: orders per day, customer and product, with the product category.
-- Reads: orders (orders.orders_raw), catalog (product.catalog, cross-domain).
SELECT
    DATE(o.order_ts)                                                   AS order_date,
    o.customer_id,
    o.product_id,
    COALESCE(MAX(c.category), 'unknown')                               AS category,
    COUNT(*)                                                           AS order_count,
    SUM(CASE WHEN o.status IN ('paid', 'shipped', 'delivered')
             THEN o.quantity ELSE 0 END)                               AS units_sold,
    ROUND(SUM(CASE WHEN o.status IN ('paid', 'shipped', 'delivered')
                   THEN COALESCE(o.amount, 0) ELSE 0 END), 2)          AS gross_revenue,
    SUM(o.status = 'cancelled')                                        AS cancelled_count,
    SUM(o.status = 'returned')                                         AS returned_count,
    MIN(o.order_ts)                                                    AS first_order_ts,
    MAX(o.order_ts)                                                    AS last_order_ts
FROM orders AS o
LEFT JOIN catalog AS c ON c.product_id = o.product_id
WHERE o.order_id IS NOT NULL
  AND o.status IN ('placed', 'paid', 'shipped', 'delivered', 'cancelled', 'returned')
GROUP BY DATE(o.order_ts), o.customer_id, o.product_id
