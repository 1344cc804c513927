"""The yardstick of the benchmark: what an analyst would write in an afternoon.

DuckDB SQL computing skusunset's `expiring` and `users` tables over the benchmark's files
(the built-in catalog's three retirements, written out as SQL), sorted like skusunset's CSVs.

    python3 examples/bench/duckdb_baseline.py BENCH_DIR OUT_DIR SKUS_CSV

Needs `pip install duckdb`. Reads `subscriptions.csv` (PowerShell dialect, `#TYPE` line),
`licenses-long.csv` and `licenses-wide.csv` from BENCH_DIR.
"""

import sys

import duckdb

bench, out, skus = sys.argv[1], sys.argv[2], sys.argv[3]
db = duckdb.connect()
db.execute("SET threads TO 2")
db.execute(f"""
CREATE TEMP TABLE retirement AS SELECT * FROM (VALUES
  ('kaizala-pro', 'kaizala pro'), ('kaizala-pro', 'microsoft kaizala pro'),
  ('kaizala-pro', 'kaizala pro standalone'), ('kaizala-pro', 'kaizala pro (standalone)'),
  ('kaizala-pro', 'kaizala_standalone'),
  ('office365-e4', 'office 365 e4'), ('office365-e4', 'office 365 enterprise e4'),
  ('office365-e4', 'enterprisewithscal'), ('office365-e4', '1392051d-0cb9-4b7a-88d5-621fee5e8711'),
  ('skype-business-online-p1', 'skype for business online (plan 1)'),
  ('skype-business-online-p1', 'skype for business online plan 1'),
  ('skype-business-online-p1', 'mcoimp'),
  ('skype-business-online-p1', 'b8b749f8-a4ef-4887-9539-c95b1eaa5db7')
) AS t(retirement_id, alias);

CREATE TEMP TABLE recommended AS SELECT * FROM (VALUES
  ('kaizala-pro', 'education', 'M365EDU_A1'), ('kaizala-pro', 'business', 'O365_BUSINESS_ESSENTIALS'),
  ('kaizala-pro', 'enterprise', 'STANDARDPACK'),
  ('office365-e4', 'education', 'ENTERPRISEPREMIUM'), ('office365-e4', 'business', 'ENTERPRISEPREMIUM'),
  ('office365-e4', 'enterprise', 'ENTERPRISEPREMIUM'),
  ('skype-business-online-p1', 'education', 'STANDARDWOFFPACK_FACULTY'),
  ('skype-business-online-p1', 'business', 'DESKLESSPACK'),
  ('skype-business-online-p1', 'enterprise', 'DESKLESSPACK')
) AS t(retirement_id, segment, recommended_sku);

CREATE TEMP TABLE covers AS SELECT * FROM (VALUES
  ('kaizala-pro', 'KAIZALA_STANDALONE'), ('kaizala-pro', 'KAIZALA_O365_P1'),
  ('kaizala-pro', 'KAIZALA_O365_P2'), ('kaizala-pro', 'KAIZALA_O365_P3'),
  ('skype-business-online-p1', 'MCOIMP'), ('skype-business-online-p1', 'MCOSTANDARD')
) AS t(retirement_id, plan);

CREATE TEMP TABLE covers_sku AS SELECT * FROM (VALUES
  ('office365-e4', 'ENTERPRISEPREMIUM'), ('office365-e4', 'SPE_E5')
) AS t(retirement_id, sku);

CREATE TEMP TABLE sku_plans AS
SELECT DISTINCT trim(Product_Display_Name) AS product, trim(String_Id) AS sku,
       lower(trim(GUID)) AS guid, trim(Service_Plan_Name) AS plan
FROM read_csv('{skus}', header = true, all_varchar = true);

CREATE TEMP TABLE sku_names AS
SELECT DISTINCT lower(product) AS name, sku FROM sku_plans
UNION SELECT DISTINCT lower(sku), sku FROM sku_plans
UNION SELECT DISTINCT guid, sku FROM sku_plans;

CREATE TEMP TABLE subs AS
SELECT CustomerId AS customer_id, CustomerName AS customer_name,
       lower(CustomerDomain) AS customer_domain, SubscriptionId AS subscription_id,
       OfferName AS offer_name, replace(Quantity, ',', '')::BIGINT AS quantity,
       lower(coalesce(Status, 'active')) AS status,
       CASE lower(AutoRenewEnabled) WHEN 'true' THEN true WHEN 'false' THEN false END AS auto_renew,
       CASE WHEN CommitmentEndDate LIKE '9999%' THEN NULL
            WHEN CommitmentEndDate LIKE '____-__-__%' THEN CommitmentEndDate[1:10]::DATE
            ELSE strptime(CommitmentEndDate, '%m/%d/%Y %I:%M:%S %p')::DATE END AS end_date
FROM read_csv('{bench}/subscriptions.csv', skip = 1, header = true, all_varchar = true, quote = '"');

COPY (
  WITH retiring AS (
    SELECT s.*, r.retirement_id,
      CASE WHEN status = 'suspended' THEN 'suspended'
           WHEN status IN ('expired', 'disabled', 'deleted') THEN 'ended'
           WHEN auto_renew = false THEN 'expiring'
           WHEN auto_renew = true THEN 'auto-renew-on'
           ELSE 'auto-renew-unknown' END AS state,
      end_date - DATE '2026-11-21' AS days_left
    FROM subs s
    JOIN (SELECT DISTINCT ON (lower(o.offer_name)) lower(o.offer_name) AS offer, r.retirement_id
          FROM (SELECT DISTINCT offer_name FROM subs) o
          JOIN retirement r ON lower(o.offer_name) = r.alias
                            OR (r.retirement_id = 'kaizala-pro' AND lower(o.offer_name) LIKE '%kaizala pro%')
          ORDER BY 1, 2) r
      ON lower(s.offer_name) = r.offer
  )
  SELECT customer_id, customer_name, subscription_id, offer_name, retirement_id, quantity,
         status, auto_renew, end_date, days_left,
         CASE WHEN state NOT IN ('expiring', 'auto-renew-on', 'auto-renew-unknown')
                   OR days_left IS NULL THEN 'none'
              WHEN days_left < 0 THEN 'overdue' WHEN days_left <= 30 THEN 'due-30'
              WHEN days_left <= 90 THEN 'due-90' ELSE 'later' END AS urgency,
         state
  FROM retiring
  ORDER BY lower(customer_name), customer_name, customer_id, subscription_id
) TO '{out}/expiring.csv' (HEADER);

CREATE TEMP TABLE customers AS
SELECT DISTINCT customer_id, customer_name, customer_domain FROM subs;

CREATE TEMP TABLE lics AS
SELECT l.CustomerTenantId AS customer_id, l.UserPrincipalName AS upn, l.DisplayName AS display_name,
       trim(l.SkuPartNumber) AS license, false AS blocked
FROM read_csv('{bench}/licenses-long.csv', header = true, all_varchar = true) l
UNION ALL
SELECT c.customer_id, w."User principal name", w."Display name", trim(unnest(string_split(w.Licenses, '+'))),
       lower(w."Block credential") = 'true'
FROM read_csv('{bench}/licenses-wide.csv', header = true, all_varchar = true) w
JOIN customers c ON c.customer_domain = lower(split_part(w."User principal name", '@', 2));

CREATE TEMP TABLE resolved AS
WITH distinct_licenses AS (SELECT DISTINCT license FROM lics)
SELECT d.license, n.sku,
       coalesce(r1.retirement_id, r2.retirement_id, r3.retirement_id) AS retirement_id
FROM distinct_licenses d
LEFT JOIN sku_names n ON n.name = lower(d.license)
LEFT JOIN (SELECT DISTINCT alias, retirement_id FROM retirement) r1 ON r1.alias = lower(d.license)
LEFT JOIN (SELECT DISTINCT alias, retirement_id FROM retirement) r2 ON r2.alias = lower(n.sku)
LEFT JOIN (SELECT DISTINCT lower(product) AS product, sku FROM sku_plans) p ON p.sku = n.sku
LEFT JOIN (SELECT DISTINCT alias, retirement_id FROM retirement) r3 ON r3.alias = p.product;

COPY (
  WITH held AS (
    SELECT l.*, r.sku, r.retirement_id FROM lics l JOIN resolved r USING (license)
  ),
  segments AS (
    SELECT customer_id,
      CASE WHEN bool_or(sku LIKE '%EDU%' OR sku LIKE '%FACULTY%' OR sku LIKE '%STUDENT%') THEN 'education'
           WHEN count(DISTINCT upn) <= 300 THEN 'business' ELSE 'enterprise' END AS segment
    FROM held GROUP BY customer_id
  ),
  retiring AS (
    SELECT customer_id, upn, retirement_id, min(display_name) AS display_name,
           min(license) AS retiring_license, bool_or(blocked) AS blocked
    FROM held WHERE retirement_id IS NOT NULL GROUP BY ALL
  ),
  covered AS (
    SELECT DISTINCT h.customer_id, h.upn, c.retirement_id
    FROM held h JOIN sku_plans p ON p.sku = h.sku JOIN covers c ON c.plan = p.plan
    WHERE h.retirement_id IS DISTINCT FROM c.retirement_id
    UNION
    SELECT DISTINCT h.customer_id, h.upn, c.retirement_id
    FROM held h JOIN covers_sku c ON c.sku = h.sku
  )
  SELECT r.customer_id, n.customer_name, r.upn AS user_principal_name, r.display_name,
         r.retiring_license, r.retirement_id,
         CASE WHEN r.blocked THEN 'review-blocked' WHEN c.upn IS NOT NULL THEN 'remove-only'
              ELSE 'reassign' END AS action,
         CASE WHEN NOT r.blocked AND c.upn IS NULL THEN m.recommended_sku END AS recommended_sku
  FROM retiring r
  JOIN segments s USING (customer_id)
  JOIN (SELECT DISTINCT customer_id, customer_name FROM customers) n USING (customer_id)
  LEFT JOIN covered c ON c.customer_id = r.customer_id AND c.upn = r.upn
                     AND c.retirement_id = r.retirement_id
  LEFT JOIN recommended m ON m.retirement_id = r.retirement_id AND m.segment = s.segment
  ORDER BY lower(n.customer_name), n.customer_name, r.customer_id, r.upn, r.retirement_id
) TO '{out}/users.csv' (HEADER);
""")
