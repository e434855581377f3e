# Transactions for measuring crm-rfm's memory per customer (crm-rfm(1),
# PERFORMANCE): n customers with d purchase days each, one invoice of two
# lines per day (Online Retail has about 4.3 invoices and 3.7 purchase days
# per customer), in crm-clean's columns.
#   awk -v n=1000000 -v d=4 -f bench/rfm_customers.awk > customers.csv
#   /usr/bin/time -v crm-rfm --threads 1 customers.csv -o /dev/null
# Peak RSS at two sizes, differenced and divided by the customers added, is
# the memory per customer without the program's fixed part.
BEGIN {
  print "customer_id,invoice_id,date,product_id,quantity,unit_price,amount"
  inv = 500000
  for (c = 0; c < n; c++) for (k = 0; k < d; k++) {
    day = 1 + (c * 7 + k * 37) % 28; mon = 1 + (c + k * 5) % 12
    inv++
    printf "%d,%d,2011-%02d-%02d,P%d,1,%d.%02d,%d.%02d\n", 100000 + c * 13, inv, mon, day, k, 1 + c % 50, c % 100, 1 + c % 50, c % 100
    printf "%d,%d,2011-%02d-%02d,Q%d,2,1.25,2.50\n", 100000 + c * 13, inv, mon, day, k
  }
}
