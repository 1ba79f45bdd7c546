-- customer.customer_360: one cleaned row per customer account.
-- Reads: customers (customer.customers_raw).
-- Personal columns pass through unmasked here; masking (anonymizationStrategy) is applied
-- by Steward on publish, after the contract's checks.
SELECT
    customer_id,
    TRIM(first_name) || ' ' || TRIM(last_name)                 AS full_name,
    LOWER(TRIM(email))                                         AS email,
    phone,
    birth_date,
    CASE WHEN birth_date IS NULL THEN NULL
         ELSE SUBSTR(birth_date, 1, 3) || '0s' END             AS birth_decade,
    UPPER(country)                                             AS country,
    COALESCE(email LIKE '%_@_%._%' AND email NOT LIKE '%@%@%', 0) AS is_contactable,
    signup_ts
FROM customers
WHERE customer_id IS NOT NULL
