/* Fuzz target for lib/number.c.  The input is read whole as a number (with
 * and without decimal_comma), and split at the first '|' into two decimals
 * whose sum, difference, product and order are checked against 128-bit
 * arithmetic.  Round trips: a decimal or double that was read, written and
 * read again is the same value. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/number.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Not assert(): the replay build is a release build with NDEBUG. */
#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                             \
        }                                                                        \
    } while (0)

__extension__ typedef __int128 wide;

static wide pow10_wide(int k)
{
    wide p = 1;
    while (k-- > 0)
        p *= 10;
    return p;
}

/* The value of a decimal times 10^18, exactly. */
static wide at_scale_18(crm_decimal d)
{
    return (wide)d.units * pow10_wide(18 - d.scale);
}

static int fits_int64(wide v)
{
    return v >= INT64_MIN && v <= INT64_MAX;
}

static void check_decimal_round_trip(crm_decimal d)
{
    CHECK(d.scale >= 0 && d.scale <= CRM_DECIMAL_MAX_SCALE);
    char buf[CRM_NUMBER_TEXT_MAX];
    size_t n = crm_decimal_format(d, buf);
    CHECK(n == strlen(buf) && n < CRM_NUMBER_TEXT_MAX);
    crm_decimal back;
    CHECK(crm_parse_decimal(buf, n, NULL, &back) == CRM_OK);
    CHECK(back.units == d.units && back.scale == d.scale);
}

static void check_double_round_trip(double v)
{
    CHECK(isfinite(v));
    char buf[CRM_NUMBER_TEXT_MAX];
    size_t n = crm_double_format(v, buf);
    CHECK(n == strlen(buf) && n < CRM_NUMBER_TEXT_MAX);
    double back;
    CHECK(crm_parse_double(buf, n, NULL, &back) == CRM_OK);
    CHECK(back == v);
    for (int decimals = 0; decimals <= 4; decimals += 2) {
        n = crm_double_format_fixed(v, decimals, buf);
        CHECK(n == strlen(buf) && n < CRM_NUMBER_TEXT_MAX);
        CHECK(crm_parse_double(buf, n, NULL, &back) == CRM_OK);
        if (fabs(v) < 1e15)   /* fixed notation: within half a unit of the last place */
            CHECK(fabs(back - v) <= 0.5 * pow(10, -decimals) * (1 + 1e-9) + fabs(v) * 1e-15);
        CHECK(!(buf[0] == '-' && back == 0));   /* never "-0.00" */
    }
}

static void check_one(const char *s, size_t len, const crm_number_options *opts)
{
    crm_decimal d;
    double v;
    crm_status sd = crm_parse_decimal(s, len, opts, &d);
    crm_status sv = crm_parse_double(s, len, opts, &v);
    CHECK(sd == CRM_OK || sd == CRM_EDATA);
    CHECK(sv == CRM_OK || sv == CRM_EDATA);
    if (sd == CRM_OK) {
        /* one grammar: an exact reading implies a double reading, and both
         * are correctly rounded from the same exact value */
        CHECK(sv == CRM_OK);
        CHECK(v == crm_decimal_to_double(d));
        check_decimal_round_trip(d);
    }
    if (sv == CRM_OK)
        check_double_round_trip(v);
}

static void check_int64(const char *s, size_t len)
{
    int64_t i;
    if (crm_parse_int64(s, len, &i) != CRM_OK)
        return;
    crm_decimal d;
    if (i == INT64_MIN)
        return;   /* a valid int64, beyond the decimals' range */
    CHECK(crm_parse_decimal(s, len, NULL, &d) == CRM_OK);
    CHECK(d.scale == 0 && d.units == i);
}

/* A failed operation is one whose exact result has no representation at
 * all: with every needless trailing zero dropped it still needs more than
 * CRM_DECIMAL_MAX_SCALE decimals or more than 64 bits. */
static int representable(wide v, int scale)
{
    while (scale > 0 && v % 10 == 0) {
        v /= 10;
        scale--;
    }
    return scale <= CRM_DECIMAL_MAX_SCALE && fits_int64(v);
}

static void check_result(crm_status st, crm_decimal r, wide exact, int scale)
{
    if (st == CRM_OK) {
        CHECK(r.scale >= 0 && r.scale <= scale && r.scale <= CRM_DECIMAL_MAX_SCALE);
        CHECK((wide)r.units * pow10_wide(scale - r.scale) == exact);
    } else {
        CHECK(st == CRM_EDATA);
        CHECK(!representable(exact, scale));
    }
}

static void check_arithmetic(crm_decimal a, crm_decimal b)
{
    wide x = at_scale_18(a), y = at_scale_18(b);
    crm_decimal r = {0, 0};
    CHECK(crm_decimal_cmp(a, b) == (x > y) - (x < y));
    CHECK(crm_decimal_sign(a) == (x > 0) - (x < 0));
    int scale = a.scale > b.scale ? a.scale : b.scale;
    wide unit = pow10_wide(18 - scale);
    check_result(crm_decimal_add(a, b, &r), r, (x + y) / unit, scale);
    check_result(crm_decimal_sub(a, b, &r), r, (x - y) / unit, scale);
    check_result(crm_decimal_mul(a, b, &r), r, (wide)a.units * (wide)b.units, a.scale + b.scale);
    CHECK(isfinite(crm_decimal_to_double(a)));
    crm_decimal t = crm_decimal_trim(a, b.scale);
    CHECK(crm_decimal_cmp(t, a) == 0 && t.scale <= a.scale);
    CHECK(t.scale == a.scale || t.scale >= b.scale);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const crm_number_options comma = {1};
    const char *s = (const char *)data;
    check_one(s, size, NULL);
    check_one(s, size, &comma);
    check_int64(s, size);

    const char *bar = memchr(s, '|', size);
    if (bar) {
        size_t alen = (size_t)(bar - s);
        crm_decimal a, b;
        if (crm_parse_decimal(s, alen, NULL, &a) == CRM_OK
            && crm_parse_decimal(bar + 1, size - alen - 1, NULL, &b) == CRM_OK)
            check_arithmetic(a, b);
    }
    return 0;
}
