/* The --partial file of crm-ltv: see include/crm/ltv_partial_file.h. */
#include "crm/ltv_partial_file.h"

#include <stdlib.h>
#include <string.h>

static const char *const partial_header[] = {"record", "customer_id", "x", "t_x", "T", "monetary_value",
                                             "customers"};
enum { PARTIAL_RECORD, PARTIAL_ID, PARTIAL_X, PARTIAL_T_X, PARTIAL_T, PARTIAL_MV, PARTIAL_CUSTOMERS, PARTIAL_WIDTH };

typedef struct {
    crm_ltv_customer *purchase, *spend;
    const char **ids, **spend_ids;
    size_t *id_lens, *spend_id_lens, np, ns;
} partial_rows;

static void free_rows(partial_rows *p)
{
    free(p->purchase);
    free(p->ids);
    free(p->id_lens);
    free(p->spend);
    free(p->spend_ids);
    free(p->spend_id_lens);
}

static crm_status get_rows(crm_ltv_partial *p, partial_rows *rows, crm_error *err)
{
    memset(rows, 0, sizeof *rows);
    return crm_ltv_partial_rows(p, &rows->purchase, &rows->np, &rows->ids, &rows->id_lens, &rows->spend, &rows->ns,
                                &rows->spend_ids, &rows->spend_id_lens, err);
}

static crm_status write_rows(crm_csv_writer *w, const partial_rows *p, int has_spend)
{
    crm_status ws = crm_csv_write_row(w, partial_header, NULL, PARTIAL_WIDTH);
    if (ws == CRM_OK && has_spend) {
        static const char *const marker[] = {"monetary_value", "", "", "", "", "", ""};
        ws = crm_csv_write_row(w, marker, NULL, PARTIAL_WIDTH);
    }
    /* the writer's status is sticky: the row's last call reports any failure */
    for (size_t i = 0; i < p->np && ws == CRM_OK; i++) {
        crm_csv_write_field(w, "purchase", (size_t)-1);
        crm_csv_write_field(w, p->ids[i], p->id_lens[i]);
        crm_csv_write_double(w, p->purchase[i].x);
        crm_csv_write_double(w, p->purchase[i].t_x);
        crm_csv_write_double(w, p->purchase[i].T);
        crm_csv_write_field(w, "", 0);
        crm_csv_write_double(w, p->purchase[i].weight);
        ws = crm_csv_end_row(w);
    }
    for (size_t i = 0; i < p->ns && ws == CRM_OK; i++) {
        crm_csv_write_field(w, "spend", (size_t)-1);
        crm_csv_write_field(w, p->spend_ids[i], p->spend_id_lens[i]);
        crm_csv_write_double(w, p->spend[i].x);
        crm_csv_write_field(w, "", 0);
        crm_csv_write_field(w, "", 0);
        crm_csv_write_double(w, p->spend[i].monetary_value);
        crm_csv_write_field(w, "1", 1);
        ws = crm_csv_end_row(w);
    }
    return ws;
}

crm_status crm_ltv_partial_file_write(crm_csv_writer *w, crm_ltv_partial *p, int has_spend, uint64_t *rows,
                                      crm_error *err)
{
    partial_rows pr;
    crm_status st = get_rows(p, &pr, err);
    if (st == CRM_OK) {
        st = write_rows(w, &pr, has_spend);
        *rows = pr.np + pr.ns;
    }
    free_rows(&pr);
    return st;
}

int crm_ltv_partial_file_is_header(const crm_csv_record *rec)
{
    if (rec->nfields != PARTIAL_WIDTH)
        return 0;
    for (size_t j = 0; j < PARTIAL_WIDTH; j++)
        if (rec->lengths[j] != strlen(partial_header[j]) || memcmp(rec->fields[j], partial_header[j], rec->lengths[j]))
            return 0;
    return 1;
}

static crm_status partial_row(crm_ltv_partial *p, const crm_csv_reader *r, const crm_csv_record *rec, int *has_spend,
                              crm_error *err)
{
    crm_status st;
    if (rec->defect)
        return crm_csv_defect_error(r, rec, err);
    if ((st = crm_csv_check_width(r, rec, PARTIAL_WIDTH, err)) != CRM_OK)
        return st;
    if (crm_ltv_partial_file_is_header(rec))
        return CRM_OK;   /* concatenated partials repeat the header */
    const char *kind = rec->fields[PARTIAL_RECORD];
    size_t kind_len = rec->lengths[PARTIAL_RECORD];
    double v[PARTIAL_WIDTH] = {0};
    if (kind_len == 14 && memcmp(kind, "monetary_value", 14) == 0) {
        *has_spend = 1;
        return CRM_OK;
    }
    int purchase = kind_len == 8 && memcmp(kind, "purchase", 8) == 0;
    int spend = kind_len == 5 && memcmp(kind, "spend", 5) == 0;
    if (!purchase && !spend) {
        char q[64];
        return crm_error_set(err, CRM_EDATA, "%s:%llu: column 'record': expected purchase, spend or monetary_value, "
                             "got '%s'", crm_csv_input_name(r), (unsigned long long)rec->line,
                             crm_error_quote(q, sizeof q, kind, kind_len));
    }
    static const int purchase_cols[] = {PARTIAL_X, PARTIAL_T_X, PARTIAL_T, PARTIAL_CUSTOMERS};
    static const int spend_cols[] = {PARTIAL_X, PARTIAL_MV};
    const int *cols = purchase ? purchase_cols : spend_cols;
    size_t ncols = purchase ? 4 : 2;
    for (size_t k = 0; k < ncols; k++)
        if ((st = crm_customers_table_cell(r, rec, cols[k], &v[cols[k]], err)) != CRM_OK)
            return st;
    const char *id = rec->fields[PARTIAL_ID];
    size_t len = rec->lengths[PARTIAL_ID];
    if (purchase)
        st = crm_ltv_partial_add_purchase(p, id, len, v[PARTIAL_X], v[PARTIAL_T_X], v[PARTIAL_T], v[PARTIAL_CUSTOMERS],
                                          err);
    else
        st = crm_ltv_partial_add_spend(p, id, len, v[PARTIAL_X], v[PARTIAL_MV], err);
    if (st != CRM_OK)
        crm_error_prefix(err, "%s:%llu: ", crm_csv_input_name(r), (unsigned long long)rec->line);
    return st;
}

crm_status crm_ltv_partial_file_read(crm_csv_reader *r, crm_ltv_partial *p, int *has_spend, uint64_t *rows,
                                     crm_error *err)
{
    const crm_csv_record *h = crm_csv_header(r), *rec;
    if (!h || !crm_ltv_partial_file_is_header(h))
        return crm_error_set(err, CRM_EDATA, "%s: not a crm-ltv --partial file: its header is not %s,%s,%s,%s,%s,%s,%s",
                             crm_csv_input_name(r), partial_header[0], partial_header[1], partial_header[2],
                             partial_header[3], partial_header[4], partial_header[5], partial_header[6]);
    crm_status st;
    while ((st = crm_csv_next(r, &rec, err)) == CRM_OK && rec) {
        st = partial_row(p, r, rec, has_spend, err);
        ++*rows;
        if (st != CRM_OK)
            break;
    }
    return st;
}

crm_status crm_ltv_partial_file_customers(crm_ltv_partial *p, int has_spend, const char *input_name,
                                          crm_ltv_customers *t, crm_error *err)
{
    const char **ids, **spend_ids;
    size_t *id_lens, *spend_id_lens;
    if (!(t->input_name = malloc(strlen(input_name) + 1)))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    memcpy(t->input_name, input_name, strlen(input_name) + 1);
    crm_status st = crm_ltv_partial_rows(p, &t->c, &t->n, &ids, &id_lens, &t->spend_c, &t->spend_n, &spend_ids,
                                         &spend_id_lens, err);
    if (st != CRM_OK)
        return st;
    free(ids);
    free(id_lens);
    free(spend_ids);
    free(spend_id_lens);
    for (int c = 0; c < CRM_LTV_NCOLUMNS; c++)
        t->col[c] = -1;
    t->col[CRM_LTV_COL_MONETARY_VALUE] = has_spend ? 0 : -1;
    for (size_t i = 0; i < t->n; i++)
        if (t->c[i].x == 0)
            t->one_time += t->c[i].weight;
    return CRM_OK;
}
