/* The cohort method's files: see include/crm/ltv_cohort_file.h. */
#include "crm/ltv_cohort_file.h"

#include <math.h>
#include <stdio.h>

#include "crm/date.h"

typedef struct {
    long customer, date, amount, invoice, cost;
    size_t ncolumns;
    crm_date_format iso;
} transaction_columns;

static crm_status resolve(const crm_csv_reader *r, const char *const *columns, transaction_columns *c,
                          crm_error *err)
{
    const crm_ltv_column slots[] = {CRM_LTV_COL_CUSTOMER, CRM_LTV_COL_DATE, CRM_LTV_COL_AMOUNT, CRM_LTV_COL_INVOICE,
                                    CRM_LTV_COL_COST};
    long *out[] = {&c->customer, &c->date, &c->amount, &c->invoice, &c->cost};
    for (size_t i = 0; i < 5; i++) {
        crm_status st = crm_customers_table_column(r, columns[slots[i]], crm_ltv_column_default(slots[i]),
                                                   crm_ltv_column_option(slots[i]), i < 3, out[i], err);
        if (st != CRM_OK)
            return st;
    }
    /* Without an invoice column the orders are the distinct purchase days. */
    if (c->invoice < 0)
        c->invoice = c->date;
    crm_date_format_set(&c->iso, CRM_DATE_ISO);
    return CRM_OK;
}

/* One row: CRM_EDATA for a row that cannot be read; *added_failed when the
 * cohort refused it (not a bad row: the run stops). */
static crm_status read_row(const crm_csv_reader *r, const crm_csv_record *rec, const transaction_columns *c,
                           crm_cohort *cohort, int *cohort_failed, crm_error *err)
{
    if (rec->defect)
        return crm_csv_defect_error(r, rec, err);
    crm_status st;
    if ((st = crm_csv_check_width(r, rec, c->ncolumns, err)) != CRM_OK)
        return st;
    crm_datetime dt;
    double value, line_cost = NAN;
    if (crm_date_parse(&c->iso, rec->fields[c->date], rec->lengths[c->date], &dt) != CRM_OK) {
        char q[128];
        return crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': cannot read '%s' as a date (YYYY-MM-DD)",
                             crm_csv_input_name(r), (unsigned long long)rec->line,
                             crm_csv_column_name(r, (size_t)c->date),
                             crm_error_quote(q, sizeof q, rec->fields[c->date], rec->lengths[c->date]));
    }
    if ((st = crm_customers_table_cell(r, rec, c->amount, &value, err)) != CRM_OK ||
        (c->cost >= 0 && rec->lengths[c->cost] > 0 &&
         (st = crm_customers_table_cell(r, rec, c->cost, &line_cost, err)) != CRM_OK))
        return st;
    if ((st = crm_cohort_add(cohort, rec->fields[c->customer], rec->lengths[c->customer], dt.days,
                             rec->fields[c->invoice], rec->lengths[c->invoice], value, line_cost, err)) != CRM_OK) {
        crm_error_prefix(err, "%s:%llu: ", crm_csv_input_name(r), (unsigned long long)rec->line);
        *cohort_failed = 1;
    }
    return st;
}

crm_status crm_ltv_cohort_file_read(crm_csv_reader *r, const char *const *columns, crm_cohort *cohort,
                                    const crm_customers_table_hooks *hooks, uint64_t *rows, crm_error *err)
{
    transaction_columns c;
    crm_status st = resolve(r, columns, &c, err);
    if (st != CRM_OK)
        return st;
    const crm_csv_record *h = crm_csv_header(r), *rec;
    c.ncolumns = h ? h->nfields : 0;
    while ((st = crm_csv_next(r, &rec, err)) == CRM_OK && rec) {
        if (c.ncolumns == 0)
            c.ncolumns = rec->nfields;
        int cohort_failed = 0;
        st = read_row(r, rec, &c, cohort, &cohort_failed, err);
        if (cohort_failed)
            break;
        if (st == CRM_EDATA && hooks && hooks->bad_row)
            st = hooks->bad_row(hooks->ctx, err);
        if (st != CRM_OK)
            break;
        ++*rows;
        if (hooks && hooks->progress)
            hooks->progress(hooks->ctx, *rows, crm_csv_raw_bytes(r));
    }
    return st;
}

static crm_status write_number_or_empty(crm_csv_writer *w, double v, int decimals)
{
    return isfinite(v) ? crm_csv_write_fixed(w, v, decimals) : crm_csv_write_field(w, "", 0);
}

crm_status crm_ltv_cohort_file_write(crm_csv_writer *w, const crm_cohort_row *rows, size_t n, crm_cohort_period by)
{
    static const char *const header[] = {
        "cohort", "period", "customers", "retention_rate", "retention_from_start", "orders_per_customer",
        "avg_order_value",
        "revenue", "cost_rate", "direct_cost", "acquisition_cost", "marketing_cost", "gross_profit",
        "discount_factor", "npv_profit", "cumulative_npv", "ltv_per_customer"};
    crm_status st = crm_csv_write_row(w, header, NULL, sizeof header / sizeof *header);
    for (size_t i = 0; i < n && st == CRM_OK; i++) {
        const crm_cohort_row *c = &rows[i];
        char label[16];
        if (by == CRM_COHORT_BY_YEAR)
            snprintf(label, sizeof label, "%d", (int)c->cohort);
        else
            snprintf(label, sizeof label, "%d-%02d", (int)(c->cohort / 100), (int)(c->cohort % 100));
        /* ratios with 4 decimals, money with 2, the discount factor with 6 */
        const struct { double v; int decimals; } cells[] = {
            {c->retention_rate, 4}, {c->retention_from_start, 4}, {c->orders_per_customer, 4},
            {c->avg_order_value, 2}, {c->revenue, 2}, {c->cost_rate, 4}, {c->direct_cost, 2},
            {c->acquisition_cost, 2}, {c->marketing_cost, 2}, {c->gross_profit, 2}, {c->discount_factor, 6},
            {c->npv_profit, 2}, {c->cumulative_npv, 2}, {c->ltv_per_customer, 2}};
        st = crm_csv_write_field(w, label, (size_t)-1);
        if (st == CRM_OK) st = crm_csv_write_int(w, c->period);
        if (st == CRM_OK) st = crm_csv_write_int(w, (int64_t)c->customers);
        for (size_t k = 0; k < sizeof cells / sizeof *cells && st == CRM_OK; k++)
            st = write_number_or_empty(w, cells[k].v, cells[k].decimals);
        if (st == CRM_OK) st = crm_csv_end_row(w);
    }
    return st;
}
