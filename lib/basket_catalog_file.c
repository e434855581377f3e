#include "crm/basket_catalog_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/number.h"

/* Growable text buffer for the reason field. */
typedef struct {
    char *text;
    size_t cap;
} text_buffer;

/* Room for `need` bytes of text (crm_array_reserve grows it the shared way). */
static crm_status reserve(text_buffer *b, size_t need, crm_error *err)
{
    if (!crm_array_reserve(&b->text, &b->cap, need, 1))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    return CRM_OK;
}

/* The catalog: product_id, category, price, and the other columns, kept to
 * pass through beside each offer. */
struct crm_basket_catalog_file {
    char *input;
    crm_upsell_catalog *products;
    size_t nextra;
    char **extra_names;         /* the other columns' header names */
    long *extra_cols;
    char *bytes;                /* the other fields, product by product */
    size_t used, bytes_cap;
    size_t *extra_start;        /* per product and other column: offset in bytes; one more at the end */
    size_t starts_cap;
};

void crm_basket_catalog_file_free(crm_basket_catalog_file *cat)
{
    if (!cat)
        return;
    crm_upsell_catalog_free(cat->products);
    for (size_t k = 0; k < cat->nextra; k++)
        free(cat->extra_names[k]);
    free(cat->extra_names);
    free(cat->extra_cols);
    free(cat->bytes);
    free(cat->extra_start);
    free(cat->input);
    free(cat);
}

const crm_upsell_catalog *crm_basket_catalog_file_products(const crm_basket_catalog_file *cat)
{
    return cat->products;
}

const char *crm_basket_catalog_file_name(const crm_basket_catalog_file *cat)
{
    return cat->input;
}

/* One catalog row; CRM_EDATA (with file:line) for a row that cannot be used. */
static crm_status catalog_row(crm_basket_catalog_file *cat, const crm_csv_reader *r, const crm_csv_record *rec,
                              const long col[3], crm_error *err)
{
    const char *name = crm_csv_input_name(r);
    unsigned long long line = (unsigned long long)rec->line;
    char q[128];
    crm_status st = crm_csv_check_record(r, rec, crm_csv_header(r)->nfields, crm_csv_header(r)->nfields, err);
    if (st != CRM_OK)
        return st;
    static const char *const what[2] = {"product", "category"};
    for (int k = 0; k < 2; k++)
        if (rec->lengths[col[k]] == 0)
            return crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': empty %s (a catalog row must name a "
                                 "product and its category)", name, line, crm_csv_column_name(r, (size_t)col[k]),
                                 what[k]);
    crm_decimal price;
    if (crm_parse_decimal(rec->fields[col[2]], rec->lengths[col[2]], NULL, &price) != CRM_OK ||
        crm_decimal_cmp(price, crm_decimal_from_int(0)) < 0)
        return crm_error_set(err, CRM_EDATA, "%s:%llu: column '%s': cannot read '%s' as a price (a number >= 0)",
                             name, line, crm_csv_column_name(r, (size_t)col[2]),
                             crm_error_quote(q, sizeof q, rec->fields[col[2]], rec->lengths[col[2]]));
    if ((st = crm_upsell_catalog_add(cat->products, rec->fields[col[0]], rec->lengths[col[0]], rec->fields[col[1]],
                                     rec->lengths[col[1]], price, err)) != CRM_OK) {
        if (st == CRM_EDATA)
            crm_error_prefix(err, "%s:%llu: column '%s': ", name, line, crm_csv_column_name(r, (size_t)col[0]));
        return st;
    }
    size_t row = crm_upsell_catalog_count(cat->products) - 1;
    for (size_t k = 0; k < cat->nextra; k++) {
        size_t len = rec->lengths[cat->extra_cols[k]];
        if (!crm_array_reserve(&cat->bytes, &cat->bytes_cap, cat->used + len + 1, 1) ||
            !crm_array_reserve(&cat->extra_start, &cat->starts_cap, row * cat->nextra + k + 2, sizeof *cat->extra_start))
            return crm_basket_no_memory(err);
        cat->extra_start[row * cat->nextra + k] = cat->used;
        memcpy(cat->bytes + cat->used, rec->fields[cat->extra_cols[k]], len);
        cat->used += len;
        cat->extra_start[row * cat->nextra + k + 1] = cat->used;
    }
    return CRM_OK;
}

crm_status crm_basket_catalog_file_read(const char *path, const crm_csv_options *opts,
                                       crm_basket_bad_row bad_row, void *ctx, crm_basket_catalog_file **out,
                                       crm_error *err)
{
    crm_csv_reader *r;
    *out = NULL;
    crm_status st = crm_csv_open(&r, path, opts, err);
    if (st != CRM_OK)
        return st;
    crm_basket_catalog_file *cat = calloc(1, sizeof *cat);
    if (!cat || !(cat->input = strdup(path ? path : "-"))) {
        crm_csv_close(r);
        free(cat);
        return crm_basket_no_memory(err);
    }
    const crm_csv_record *h = crm_csv_header(r), *rec;
    static const char *const names[3] = {"product_id", "category", "price"};
    long col[3];
    if (!h)
        st = crm_error_set(err, CRM_EUSAGE, "--catalog: the catalog needs a header (product_id, category, price)");
    for (int k = 0; k < 3 && st == CRM_OK; k++)
        st = (col[k] = crm_csv_column(r, names[k], err)) < 0 ? err->status : CRM_OK;
    if (st == CRM_OK && (st = crm_upsell_catalog_new(&cat->products, err)) == CRM_OK) {
        cat->extra_names = calloc(h->nfields, sizeof *cat->extra_names);
        cat->extra_cols = calloc(h->nfields, sizeof *cat->extra_cols);
        if (!cat->extra_names || !cat->extra_cols)
            st = crm_basket_no_memory(err);
        for (size_t j = 0; j < h->nfields && st == CRM_OK; j++) {
            if ((long)j == col[0] || (long)j == col[1] || (long)j == col[2])
                continue;
            if (!(cat->extra_names[cat->nextra] = strdup(h->fields[j])))
                st = crm_basket_no_memory(err);
            cat->extra_cols[cat->nextra++] = (long)j;
        }
    }
    while (st == CRM_OK && (st = crm_csv_next(r, &rec, err)) == CRM_OK && rec)
        if ((st = catalog_row(cat, r, rec, col, err)) == CRM_EDATA)
            st = bad_row ? bad_row(ctx, err) : CRM_EDATA;
    crm_csv_close(r);
    if (st != CRM_OK) {
        crm_basket_catalog_file_free(cat);
        return st;
    }
    *out = cat;
    return CRM_OK;
}

/* "dearer than P (2.50), the dearest bought in CAT; 3 of 5 buyers of CAT
 * bought it" */
static crm_status write_reason(crm_csv_writer *w, const crm_upsell_catalog *c, const crm_upsell *u, text_buffer *b,
                               crm_error *err)
{
    size_t pl, cl;
    const char *above = crm_upsell_catalog_product(c, u->above, &pl);
    const char *cat = crm_upsell_catalog_category(c, u->above, &cl);
    char price[CRM_NUMBER_TEXT_MAX];
    crm_decimal_format(crm_upsell_catalog_price(c, u->above), price);
    size_t need = pl + 2 * cl + strlen(price) + 128;
    crm_status st = reserve(b, need, err);
    if (st != CRM_OK)
        return st;
    int n = snprintf(b->text, need, "dearer than %.*s (%s), the dearest bought in %.*s; %llu of %llu buyers of %.*s "
                     "bought it", (int)pl, above, price, (int)cl, cat, (unsigned long long)u->buyers,
                     (unsigned long long)u->category_buyers, (int)cl, cat);
    return crm_csv_write_field(w, b->text, (size_t)n);
}

static crm_status write_offer(crm_csv_writer *w, const crm_basket_catalog_file *cat, const crm_basket_db *customers,
                              const crm_upsell *u, text_buffer *b, crm_error *err)
{
    const crm_upsell_catalog *c = cat->products;
    size_t kl, pl, cl;
    const char *key = crm_basket_db_basket_key(customers, u->customer, &kl);
    const char *product = crm_upsell_catalog_product(c, u->product, &pl);
    const char *category = crm_upsell_catalog_category(c, u->product, &cl);
    char price[CRM_NUMBER_TEXT_MAX];
    size_t prl = crm_decimal_format(crm_upsell_catalog_price(c, u->product), price);
    crm_status st = crm_csv_write_field(w, key, kl);
    if (st == CRM_OK) st = crm_csv_write_field(w, product, pl);
    if (st == CRM_OK) st = crm_csv_write_field(w, category, cl);
    if (st == CRM_OK) st = crm_csv_write_field(w, price, prl);
    if (st == CRM_OK) st = crm_csv_write_fixed(w, u->score, 4);   /* a share people read */
    if (st == CRM_OK) st = write_reason(w, c, u, b, err);
    for (size_t k = 0; k < cat->nextra && st == CRM_OK; k++) {
        size_t at = cat->extra_start[u->product * cat->nextra + k];
        st = crm_csv_write_field(w, cat->bytes + at, cat->extra_start[u->product * cat->nextra + k + 1] - at);
    }
    if (st == CRM_OK)
        st = crm_csv_end_row(w);
    return st;
}

crm_status crm_basket_write_upsell(crm_csv_writer *w, const crm_basket_catalog_file *cat,
                                  const crm_basket_db *customers, const crm_upsell *offers, size_t n,
                                  crm_error *err)
{
    static const char *const header[] = {"customer_id", "product_id", "category", "price", "score", "reason"};
    crm_status st = CRM_OK;
    for (size_t k = 0; k < 6 + cat->nextra && st == CRM_OK; k++)
        st = crm_csv_write_field(w, k < 6 ? header[k] : cat->extra_names[k - 6], (size_t)-1);
    if (st == CRM_OK)
        st = crm_csv_end_row(w);
    text_buffer b = {NULL, 0};
    for (size_t i = 0; i < n && st == CRM_OK; i++)
        st = write_offer(w, cat, customers, &offers[i], &b, err);
    free(b.text);
    return st;
}
