/* The transactions table (crm/clean_output.h). */
#include "crm/clean_output.h"

#include <stdlib.h>

struct crm_clean_output {
    crm_csv_writer *w;
    const char *const *names;
    size_t ncolumns;
    unsigned char *is_schema_column;   /* per input column: written in the schema already */
    int keep_extra, with_costs;
};

crm_clean_output *crm_clean_output_new(crm_csv_writer *w, const crm_cleaner *cleaner,
                                       const char *const *names, size_t ncolumns, int keep_extra)
{
    crm_clean_output *o = calloc(1, sizeof *o);
    if (!o || !(o->is_schema_column = calloc(ncolumns ? ncolumns : 1, 1))) {
        free(o);
        return NULL;
    }
    o->w = w;
    o->names = names;
    o->ncolumns = ncolumns;
    o->keep_extra = keep_extra;
    o->with_costs = crm_cleaner_has_costs(cleaner);
    const crm_clean_columns *k = crm_cleaner_columns(cleaner);
    const long mapped[7] = {k->customer, k->invoice, k->date, k->product, k->quantity, k->price, k->amount};
    for (int i = 0; i < 7; i++)
        if (mapped[i] >= 0 && (size_t)mapped[i] < ncolumns)
            o->is_schema_column[mapped[i]] = 1;
    return o;
}

void crm_clean_output_free(crm_clean_output *o)
{
    if (!o)
        return;
    free(o->is_schema_column);
    free(o);
}

static size_t schema_width(const crm_clean_output *o)
{
    return o->with_costs ? 9u : 7u;
}

crm_status crm_clean_output_write_header(crm_clean_output *o)
{
    static const char *const schema[] = {"customer_id", "invoice_id", "date", "product_id", "quantity",
                                         "unit_price", "amount", "cost", "profit"};
    crm_status st = CRM_OK;
    for (size_t i = 0; i < schema_width(o) && st == CRM_OK; i++)
        st = crm_csv_write_field(o->w, schema[i], (size_t)-1);
    for (size_t i = 0; o->keep_extra && i < o->ncolumns && st == CRM_OK; i++)
        if (!o->is_schema_column[i])
            st = crm_csv_write_field(o->w, o->names[i], (size_t)-1);
    return st == CRM_OK ? crm_csv_end_row(o->w) : st;
}

crm_status crm_clean_output_write_row(crm_clean_output *o, const crm_clean_row *row)
{
    const char *fields[9] = {row->customer_id, row->invoice_id, row->date, row->product_id,
                             row->quantity, row->unit_price, row->amount, row->cost, row->profit};
    const size_t lens[9] = {row->customer_id_len, row->invoice_id_len, row->date_len,
                            row->product_id_len, row->quantity_len, row->unit_price_len,
                            row->amount_len, row->cost_len, row->profit_len};
    crm_status st = CRM_OK;
    for (size_t i = 0; i < schema_width(o) && st == CRM_OK; i++)
        st = crm_csv_write_field(o->w, fields[i], lens[i]);
    for (size_t i = 0; o->keep_extra && i < o->ncolumns && st == CRM_OK; i++)
        if (!o->is_schema_column[i])
            st = crm_csv_write_field(o->w, row->source->fields[i], row->source->lengths[i]);
    return st == CRM_OK ? crm_csv_end_row(o->w) : st;
}
