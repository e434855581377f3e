"""pandas' side of bench/rfm.sh: the same cleaning rules as crm-clean's
defaults and the same R, F, M and quintile scores as bench/rfm_duckdb.mjs
(breakpoints numpy.quantile 'linear' = type 7; score = 1 + breakpoints below
the value, recency reversed).  Monetary is summed in cents as integers, so it
is exact like crm-rfm's.
Usage: python3 rfm_pandas.py INPUT.csv OUTPUT.csv"""
import sys

import numpy as np
import pandas as pd

src, dst = sys.argv[1], sys.argv[2]
df = pd.read_csv(src, dtype={'InvoiceNo': str, 'StockCode': str, 'Description': str,
                             'CustomerID': str, 'Country': str}, keep_default_na=False,
                 na_values={'CustomerID': ['']})
df = df[df['CustomerID'].notna() & ~df['InvoiceNo'].str.startswith('C')
        & (df['Quantity'] > 0) & (df['UnitPrice'] > 0)].drop_duplicates()
df['day'] = pd.to_datetime(df['InvoiceDate'].str[:10])
# Prices have at most 3 decimals here: amounts in thousandths are exact integers.
df['milli'] = df['Quantity'] * (df['UnitPrice'] * 1000).round().astype('int64')
as_of = df['day'].max() + pd.Timedelta(days=1)
g = df.groupby(df['CustomerID'].str.replace(r'\.0$', '', regex=True))
t = pd.DataFrame({'recency_days': (as_of - g['day'].max()).dt.days,
                  'frequency': g['InvoiceNo'].nunique(),
                  'milli': g['milli'].sum()})
t['monetary'] = t['milli'] / 1000


def score(v):
    breaks = np.quantile(v.to_numpy(dtype=float), [0.2, 0.4, 0.6, 0.8])
    return 1 + np.searchsorted(breaks, v.to_numpy(dtype=float), side='left')


t['r_score'] = 6 - score(t['recency_days'])
t['f_score'] = score(t['frequency'])
t['m_score'] = score(t['monetary'])
t.index.name = 'customer_id'
t.sort_index()[['recency_days', 'frequency', 'monetary', 'r_score', 'f_score', 'm_score']].to_csv(dst)
