#include "crm/rfm_breaks_file.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "crm/date.h"
#include "crm/number.h"

static const char FORMAT[] = "crm-rfm breakpoints 1";
static const char DIMENSIONS[] = "rfm";

/* ---- writing ---- */

static crm_status write_key(crm_csv_writer *w, const char *key, const char *value)
{
    crm_status st = crm_csv_write_field(w, key, (size_t)-1);
    if (st == CRM_OK)
        st = crm_csv_write_field(w, value, (size_t)-1);
    return st == CRM_OK ? crm_csv_end_row(w) : st;
}

static crm_status write_day(crm_csv_writer *w, const char *key, int32_t day)
{
    char buf[CRM_DATE_ISO_MAX];
    crm_datetime_format((crm_datetime){day, CRM_NO_TIME}, buf);
    return write_key(w, key, buf);
}

static crm_status write_count(crm_csv_writer *w, const char *key, uint64_t n)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRIu64, n);
    return write_key(w, key, buf);
}

static crm_status write_dimension(crm_csv_writer *w, const crm_rfm_breakpoints *b, int d)
{
    char key[16] = {DIMENSIONS[d], '\0'};
    crm_status st = write_key(w, key, b->from_quantiles[d] ? "quantiles" : "fixed");
    for (int j = 1; b->has_breaks[d] && j < b->bins && st == CRM_OK; j++) {
        snprintf(key, sizeof key, "%c.%d", DIMENSIONS[d], j);
        st = crm_csv_write_field(w, key, (size_t)-1);
        if (st == CRM_OK)
            st = crm_csv_write_double(w, b->breaks[d][j - 1]);
        if (st == CRM_OK)
            st = crm_csv_end_row(w);
    }
    return st;
}

crm_status crm_rfm_breakpoints_write(crm_csv_writer *w, const crm_rfm_breakpoints *b, crm_error *err)
{
    (void)err;
    crm_status st = write_key(w, "key", "value");
    if (st == CRM_OK) st = write_key(w, "format", FORMAT);
    if (st == CRM_OK) st = write_count(w, "bins", (uint64_t)b->bins);
    if (st == CRM_OK) st = write_key(w, "monetary", b->monetary == CRM_RFM_SCORE_PROFIT ? "profit" : "amount");
    if (st == CRM_OK) st = write_day(w, "as_of", b->as_of);
    if (st == CRM_OK && b->has_calibration_end) {
        st = write_day(w, "calibration_end", b->calibration_end);
        if (st == CRM_OK) st = write_day(w, "holdout_end", b->holdout_end);
    }
    if (st == CRM_OK) st = write_count(w, "customers", b->customers);
    for (int d = 0; d < CRM_RFM_DIMENSIONS && st == CRM_OK; d++)
        st = write_dimension(w, b, d);
    return st;
}

/* ---- reading ---- */

typedef struct {
    const crm_csv_reader *r;
    crm_rfm_breakpoints *b;
    int has_format, has_bins, has_monetary, has_as_of, has_holdout_end, has_customers;
    int has_dimension[CRM_RFM_DIMENSIONS];
    int nbreaks[CRM_RFM_DIMENSIONS];
} file_run;

static crm_status bad(const file_run *f, const crm_csv_record *rec, const char *want, crm_error *err)
{
    char qk[64], qv[128];
    return crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": key '%s': cannot read '%s' as %s", crm_csv_input_name(f->r),
                         rec->line, crm_error_quote(qk, sizeof qk, rec->fields[0], rec->lengths[0]),
                         crm_error_quote(qv, sizeof qv, rec->fields[1], rec->lengths[1]), want);
}

static crm_status read_day(const file_run *f, const crm_csv_record *rec, int32_t *day, crm_error *err)
{
    crm_date_format iso;
    crm_datetime dt;
    crm_date_format_set(&iso, CRM_DATE_ISO);
    if (crm_date_parse(&iso, rec->fields[1], rec->lengths[1], &dt) != CRM_OK || dt.seconds != CRM_NO_TIME)
        return bad(f, rec, "a date (YYYY-MM-DD)", err);
    *day = dt.days;
    return CRM_OK;
}

static int is(const crm_csv_record *rec, const char *key)
{
    return rec->lengths[0] == strlen(key) && memcmp(rec->fields[0], key, rec->lengths[0]) == 0;
}

static int value_is(const crm_csv_record *rec, const char *value)
{
    return rec->lengths[1] == strlen(value) && memcmp(rec->fields[1], value, rec->lengths[1]) == 0;
}

/* r.J: the J-th breakpoint of a dimension, after the dimension's row, in
 * order, not below the one before. */
static crm_status read_breakpoint(file_run *f, const crm_csv_record *rec, int d, crm_error *err)
{
    crm_rfm_breakpoints *b = f->b;
    int64_t j;
    double v;
    if (!f->has_bins || !f->has_dimension[d])
        return crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": key '%s' comes before the keys 'bins' and '%c'",
                             crm_csv_input_name(f->r), rec->line, rec->fields[0], DIMENSIONS[d]);
    if (crm_parse_int64(rec->fields[0] + 2, rec->lengths[0] - 2, &j) == CRM_OK && j >= b->bins &&
        j == f->nbreaks[d] + 1)
        return crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": key '%s': more breakpoints than %d bins take (%c.1 to %c.%d)",
                             crm_csv_input_name(f->r), rec->line, rec->fields[0], b->bins, DIMENSIONS[d],
                             DIMENSIONS[d], b->bins - 1);
    if (crm_parse_int64(rec->fields[0] + 2, rec->lengths[0] - 2, &j) != CRM_OK || j != f->nbreaks[d] + 1 ||
        j >= b->bins)
        return crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": key '%s': expected %c.%d (bins %d: %c.1 to %c.%d, in order)",
                             crm_csv_input_name(f->r), rec->line, rec->fields[0], DIMENSIONS[d], f->nbreaks[d] + 1,
                             b->bins, DIMENSIONS[d], DIMENSIONS[d], b->bins - 1);
    if (crm_parse_double(rec->fields[1], rec->lengths[1], NULL, &v) != CRM_OK || v != v || v - v != 0)
        return bad(f, rec, "a finite number", err);
    if (j > 1 && v < b->breaks[d][j - 2]) {
        char q[64];
        return crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": key '%s': %s is below %c.%" PRId64
                             " (breakpoints go in increasing order, ties allowed)", crm_csv_input_name(f->r),
                             rec->line, rec->fields[0], crm_error_quote(q, sizeof q, rec->fields[1], rec->lengths[1]),
                             DIMENSIONS[d], j - 1);
    }
    b->breaks[d][j - 1] = v;
    f->nbreaks[d]++;
    b->has_breaks[d] = 1;
    return CRM_OK;
}

static crm_status read_row(file_run *f, const crm_csv_record *rec, crm_error *err)
{
    crm_rfm_breakpoints *b = f->b;
    int64_t n;
    if (!f->has_format) {
        if (!is(rec, "format") || !value_is(rec, FORMAT))
            return crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": not a crm-rfm breakpoints file (its first row is "
                                 "format,%s)", crm_csv_input_name(f->r), rec->line, FORMAT);
        f->has_format = 1;
        return CRM_OK;
    }
    const char *dim = rec->lengths[0] >= 1 ? strchr(DIMENSIONS, rec->fields[0][0]) : NULL;
    if (dim && *dim && rec->lengths[0] == 1) {
        int d = (int)(dim - DIMENSIONS);
        if (f->has_dimension[d] || !(value_is(rec, "quantiles") || value_is(rec, "fixed")))
            return f->has_dimension[d] ? crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": key '%c' comes twice",
                                                       crm_csv_input_name(f->r), rec->line, DIMENSIONS[d])
                                       : bad(f, rec, "quantiles or fixed", err);
        f->has_dimension[d] = 1;
        b->from_quantiles[d] = value_is(rec, "quantiles");
        return CRM_OK;
    }
    if (dim && *dim && rec->lengths[0] > 2 && rec->fields[0][1] == '.')
        return read_breakpoint(f, rec, (int)(dim - DIMENSIONS), err);
    int *seen = is(rec, "bins") ? &f->has_bins : is(rec, "monetary") ? &f->has_monetary
              : is(rec, "as_of") ? &f->has_as_of : is(rec, "calibration_end") ? &b->has_calibration_end
              : is(rec, "holdout_end") ? &f->has_holdout_end : is(rec, "customers") ? &f->has_customers : NULL;
    if (!seen && rec->lengths[0] > 2 && rec->fields[0][1] == '.') {
        char q[64];
        return crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": key '%s': no dimension '%c' (r, f or m)",
                             crm_csv_input_name(f->r), rec->line,
                             crm_error_quote(q, sizeof q, rec->fields[0], rec->lengths[0]), rec->fields[0][0]);
    }
    if (!seen) {
        char q[64];
        return crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": unknown key '%s' (crm-rfm(1), BREAKPOINTS FILE)",
                             crm_csv_input_name(f->r), rec->line,
                             crm_error_quote(q, sizeof q, rec->fields[0], rec->lengths[0]));
    }
    if (*seen)
        return crm_error_set(err, CRM_EDATA, "%s:%" PRIu64 ": key '%s' comes twice", crm_csv_input_name(f->r),
                             rec->line, rec->fields[0]);
    *seen = 1;
    if (seen == &f->has_bins) {
        if (crm_parse_int64(rec->fields[1], rec->lengths[1], &n) != CRM_OK || n < CRM_RFM_MIN_BINS ||
            n > CRM_RFM_MAX_SCORE_BINS)
            return bad(f, rec, "a number of bins (2 to 100)", err);
        b->bins = (int)n;
    } else if (seen == &f->has_monetary) {
        if (!value_is(rec, "amount") && !value_is(rec, "profit"))
            return bad(f, rec, "amount or profit", err);
        b->monetary = value_is(rec, "profit") ? CRM_RFM_SCORE_PROFIT : CRM_RFM_SCORE_AMOUNT;
    } else if (seen == &f->has_customers) {
        if (crm_parse_int64(rec->fields[1], rec->lengths[1], &n) != CRM_OK || n < 0)
            return bad(f, rec, "a count", err);
        b->customers = (uint64_t)n;
    } else {
        return read_day(f, rec, seen == &f->has_as_of ? &b->as_of : seen == &f->has_holdout_end ? &b->holdout_end
                                                      : &b->calibration_end, err);
    }
    return CRM_OK;
}

/* What a complete file has, once every row is read. */
static crm_status check_complete(const file_run *f, crm_error *err)
{
    const crm_rfm_breakpoints *b = f->b;
    const char *name = crm_csv_input_name(f->r);
    static const char *const keys[] = {"format", "bins", "monetary", "as_of", "customers"};
    const int have[] = {f->has_format, f->has_bins, f->has_monetary, f->has_as_of, f->has_customers};
    for (size_t k = 0; k < sizeof have / sizeof have[0]; k++)
        if (!have[k])
            return crm_error_set(err, CRM_EDATA, "%s: no key '%s': not a complete crm-rfm breakpoints file", name,
                                 keys[k]);
    if (b->has_calibration_end != f->has_holdout_end)
        return crm_error_set(err, CRM_EDATA, "%s: calibration_end and holdout_end go together", name);
    if (b->has_calibration_end && b->as_of != b->calibration_end + 1)
        return crm_error_set(err, CRM_EDATA, "%s: as_of must be the day after calibration_end", name);
    for (int d = 0; d < CRM_RFM_DIMENSIONS; d++) {
        if (!f->has_dimension[d])
            return crm_error_set(err, CRM_EDATA, "%s: no key '%c': not a complete crm-rfm breakpoints file", name,
                                 DIMENSIONS[d]);
        if (f->nbreaks[d] == b->bins - 1 || (f->nbreaks[d] == 0 && b->from_quantiles[d] && b->customers == 0))
            continue;
        return crm_error_set(err, CRM_EDATA, "%s: %d %c breakpoints for %d bins (want %c.1 to %c.%d)", name,
                             f->nbreaks[d], DIMENSIONS[d], b->bins, DIMENSIONS[d], DIMENSIONS[d], b->bins - 1);
    }
    return CRM_OK;
}

crm_status crm_rfm_breakpoints_read(crm_csv_reader *r, crm_rfm_breakpoints *b, crm_error *err)
{
    memset(b, 0, sizeof *b);
    file_run f = {.r = r, .b = b};
    const crm_csv_record *h = crm_csv_header(r), *rec;
    if (!h || h->nfields != 2 || strcmp(h->fields[0], "key") != 0 || strcmp(h->fields[1], "value") != 0)
        return crm_error_set(err, CRM_EDATA, "%s:1: not a crm-rfm breakpoints file (header key,value)",
                             crm_csv_input_name(r));
    crm_status st;
    while ((st = crm_csv_next(r, &rec, err)) == CRM_OK && rec) {
        if (rec->defect != CRM_CSV_RECORD_OK)
            return crm_csv_defect_error(r, rec, err);
        if ((st = crm_csv_check_width(r, rec, 2, err)) != CRM_OK)
            return st;
        if ((st = read_row(&f, rec, err)) != CRM_OK)
            return st;
    }
    return st == CRM_OK ? check_complete(&f, err) : st;
}
