/* The cost table (crm/clean_costs.h). */
#include "crm/clean_costs.h"

#include <stddef.h>

#include "crm/number.h"

crm_status crm_clean_costs_read(crm_csv_reader *r, crm_cleaner *cleaner, crm_error *err)
{
    crm_status st;
    long product, cost;
    if ((st = crm_csv_optional_column(r, "product_id", &product, err)) == CRM_OK && product < 0)
        st = crm_csv_optional_column(r, "stockcode", &product, err);
    if (st == CRM_OK && (st = crm_csv_optional_column(r, "unit_cost", &cost, err)) == CRM_OK && cost < 0)
        st = crm_csv_optional_column(r, "cost", &cost, err);
    if (st != CRM_OK)
        return st;
    if (product < 0)
        product = 0;
    if (cost < 0)
        cost = 1;
    const crm_csv_record *rec;
    while ((st = crm_csv_next(r, &rec, err)) == CRM_OK && rec) {
        crm_decimal unit_cost;
        /* the cost table is strict too: no broken quoting, no field beyond its header */
        if ((rec->defect == CRM_CSV_RECORD_BAD_QUOTE && (st = crm_csv_defect_error(r, rec, err))) ||
            (rec->nfields > crm_csv_header(r)->nfields &&
             (st = crm_csv_check_width(r, rec, crm_csv_header(r)->nfields, err))))
            break;
        if ((size_t)cost >= rec->nfields || (size_t)product >= rec->nfields) {
            st = crm_error_set(err, CRM_EDATA, "%s:%llu: expected at least 2 fields, found %zu",
                               crm_csv_input_name(r), (unsigned long long)rec->line, rec->nfields);
            break;
        }
        if (crm_parse_decimal(rec->fields[cost], rec->lengths[cost], NULL, &unit_cost) != CRM_OK) {
            char q[128];
            st = crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': cannot read '%s' as a number",
                               crm_csv_input_name(r), (unsigned long long)rec->line,
                               crm_csv_column_name(r, (size_t)cost),
                               crm_error_quote(q, sizeof q, rec->fields[cost], rec->lengths[cost]));
            break;
        }
        const char *p = rec->fields[product];
        size_t len = rec->lengths[product];
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if ((st = crm_cleaner_add_cost(cleaner, p, len, unit_cost, err)) != CRM_OK) {
            crm_error_prefix(err, "%s:%llu: ", crm_csv_input_name(r), (unsigned long long)rec->line);
            break;
        }
    }
    return st;
}

crm_status crm_clean_costs_load(const char *path, char delimiter, crm_cleaner *cleaner, crm_error *err)
{
    crm_csv_options opts;
    crm_csv_options_init(&opts);
    opts.delimiter = delimiter;
    crm_csv_reader *r;
    crm_status st = crm_csv_open(&r, path, &opts, err);
    if (st != CRM_OK)
        return st;
    st = crm_clean_costs_read(r, cleaner, err);
    crm_csv_close(r);
    return st;
}
