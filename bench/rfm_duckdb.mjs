// DuckDB's side of bench/rfm.sh: the same cleaning rules as crm-clean's
// defaults (customer present, invoice not a cancellation, quantity > 0,
// unit price > 0, exact duplicate rows once), then per customer recency_days
// (as of the day after the last purchase), frequency (distinct invoices),
// monetary (exact decimal sum of quantity x unit price) and quintile scores
// by value: breakpoints quantile_cont (type 7) at 0.2 .. 0.8, score =
// 1 + breakpoints below the value (recency reversed), as crm-rfm(1) defines.
// With a third argument `light`, the query most users write first: the same
// without the duplicate rule (no DISTINCT), so every repeated row counts.
// Usage: node rfm_duckdb.mjs INPUT.csv OUTPUT.csv [light]   (needs @duckdb/node-api)
import { DuckDBInstance } from '@duckdb/node-api';

const [input, output, mode] = process.argv.slice(2);
const distinct = mode === 'light' ? '' : 'DISTINCT';
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const q = (s) => s.replaceAll("'", "''");
await con.run(`
CREATE TEMP TABLE tx AS
SELECT ${distinct} * FROM read_csv('${q(input)}', header = true, quote = '"',
  columns = {'InvoiceNo': 'VARCHAR', 'StockCode': 'VARCHAR', 'Description': 'VARCHAR',
             'Quantity': 'BIGINT', 'InvoiceDate': 'TIMESTAMP', 'UnitPrice': 'DECIMAL(18,4)',
             'CustomerID': 'VARCHAR', 'Country': 'VARCHAR'})
WHERE CustomerID IS NOT NULL AND CustomerID <> '' AND NOT starts_with(InvoiceNo, 'C')
  AND Quantity > 0 AND UnitPrice > 0 AND StockCode IS NOT NULL;

CREATE TEMP TABLE c AS
WITH end_day AS (SELECT max(InvoiceDate)::DATE + 1 AS d FROM tx)
SELECT regexp_replace(CustomerID, '\\.0$', '') AS customer_id,
       date_diff('day', max(InvoiceDate)::DATE, (SELECT d FROM end_day)) AS recency_days,
       count(DISTINCT InvoiceNo) AS frequency,
       sum(Quantity * UnitPrice) AS monetary
FROM tx GROUP BY 1;

CREATE TEMP TABLE b AS
SELECT quantile_cont(recency_days, [0.2, 0.4, 0.6, 0.8]) AS r,
       quantile_cont(frequency, [0.2, 0.4, 0.6, 0.8]) AS f,
       quantile_cont(monetary::DOUBLE, [0.2, 0.4, 0.6, 0.8]) AS m FROM c;

COPY (
  SELECT customer_id, recency_days, frequency, monetary,
         5 - ((recency_days > r[1])::INT + (recency_days > r[2])::INT + (recency_days > r[3])::INT + (recency_days > r[4])::INT) AS r_score,
         1 + (frequency > f[1])::INT + (frequency > f[2])::INT + (frequency > f[3])::INT + (frequency > f[4])::INT AS f_score,
         1 + (monetary::DOUBLE > m[1])::INT + (monetary::DOUBLE > m[2])::INT + (monetary::DOUBLE > m[3])::INT + (monetary::DOUBLE > m[4])::INT AS m_score
  FROM c, b ORDER BY customer_id
) TO '${q(output)}' (HEADER, DELIMITER ',');
`);
