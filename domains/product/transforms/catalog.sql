-- product.catalog: the product catalog, deduplicated and cleaned.
-- Reads: products (product.products_raw).
-- The PIM may export a product twice: one row per product_id is kept.
SELECT
    product_id,
    MIN(TRIM(name))                                                   AS product_name,
    COALESCE(MIN(NULLIF(NULLIF(TRIM(category), ''), 'N/A')), 'uncategorized') AS category,
    MIN(price)                                                        AS list_price,
    CASE WHEN MIN(price) IS NULL THEN NULL
         WHEN MIN(price) < 20    THEN 'budget'
         WHEN MIN(price) < 100   THEN 'standard'
         ELSE 'premium' END                                           AS price_band,
    MIN(created_ts)                                                   AS created_ts
FROM products
WHERE product_id IS NOT NULL
GROUP BY product_id
