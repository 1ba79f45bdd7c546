-- orders.fulfillment: one row per order with its parcels and delivery times.
-- Reads: orders (orders.orders_raw), shipments (orders.shipments_raw).
WITH parcels AS (
    SELECT order_id,
           COUNT(*)                                      AS shipment_count,
           MIN(carrier)                                  AS carrier,
           MIN(shipped_ts)                               AS shipped_ts,
           -- delivered only when every parcel is
           CASE WHEN COUNT(delivered_ts) = COUNT(*) THEN MAX(delivered_ts) END AS delivered_ts
    FROM shipments
    GROUP BY order_id
)
SELECT
    o.order_id,
    o.customer_id,
    o.order_ts,
    COALESCE(p.shipment_count, 0)                                      AS shipment_count,
    p.carrier,
    p.shipped_ts,
    p.delivered_ts,
    ROUND((JULIANDAY(p.shipped_ts) - JULIANDAY(o.order_ts)) * 24, 1)   AS hours_to_ship,
    ROUND((JULIANDAY(p.delivered_ts) - JULIANDAY(o.order_ts)) * 24, 1) AS hours_to_deliver,
    CASE WHEN o.status = 'cancelled'      THEN 'cancelled'
         WHEN p.delivered_ts IS NOT NULL  THEN 'delivered'
         WHEN p.order_id IS NOT NULL      THEN 'in_transit'
         ELSE 'pending' END                                            AS fulfillment_status,
    CASE WHEN p.delivered_ts IS NULL THEN NULL
         ELSE JULIANDAY(p.delivered_ts) - JULIANDAY(o.order_ts) > 5 END AS is_late
FROM orders AS o
LEFT JOIN parcels AS p ON p.order_id = o.order_id
WHERE o.order_id IS NOT NULL
