/* Fuzz target for lib/date.c: every fixed style, an explicit strptime
 * format, and the detector.  The input is read three ways:
 *   - whole, as one value in every fixed style;
 *   - split at the first newline into a strptime pattern and a value;
 *   - split at every newline into a column of values for the detector.
 * Whatever is accepted must be a real date that writes and reads back. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Not CHECK(): the replay build is a release build with NDEBUG. */
#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                             \
        }                                                                        \
    } while (0)

/* An accepted datetime is a valid calendar date within years 0..9999 and a
 * time of day or none; its ISO text reads back as the same value. */
static void check_accepted(crm_datetime dt)
{
    int y, m, d;
    crm_civil_from_days(dt.days, &y, &m, &d);
    CHECK(y >= 0 && y <= 9999);
    CHECK(crm_date_valid(y, m, d));
    CHECK(crm_days_from_civil(y, m, d) == dt.days);
    CHECK(dt.seconds == CRM_NO_TIME || (dt.seconds >= 0 && dt.seconds < 86400));
    char buf[CRM_DATE_ISO_MAX];
    size_t n = crm_datetime_format(dt, buf);
    CHECK(n == strlen(buf) && (n == 10 || n == 19));
    crm_date_format iso;
    crm_date_format_set(&iso, CRM_DATE_ISO);
    crm_datetime back;
    CHECK(crm_date_parse(&iso, buf, n, &back) == CRM_OK);
    CHECK(back.days == dt.days && back.seconds == dt.seconds);
    CHECK(crm_datetime_cmp(back, dt) == 0);
}

static void check_fixed_styles(const char *s, size_t len)
{
    for (int style = CRM_DATE_AUTO; style <= CRM_DATE_CJK; style++) {
        crm_date_format fmt;
        crm_date_format_set(&fmt, (crm_date_style)style);
        crm_datetime dt;
        if (crm_date_parse(&fmt, s, len, &dt) == CRM_OK) {
            CHECK(style != CRM_DATE_AUTO);
            check_accepted(dt);
        }
    }
}

static void check_strptime(const char *s, size_t len)
{
    const char *newline = memchr(s, '\n', len);
    if (!newline)
        return;
    size_t plen = (size_t)(newline - s);
    char pattern[128];
    if (plen >= sizeof pattern)
        return;
    memcpy(pattern, s, plen);
    pattern[plen] = '\0';
    crm_date_format fmt;
    crm_error err;
    if (crm_date_format_set_pattern(&fmt, pattern, &err) != CRM_OK) {
        CHECK(err.status == CRM_EUSAGE && err.message[0] != '\0');
        return;
    }
    crm_datetime dt;
    if (crm_date_parse(&fmt, newline + 1, len - plen - 1, &dt) == CRM_OK)
        check_accepted(dt);
}

static void check_detector(const char *s, size_t len, int prefer)
{
    crm_date_detector d;
    crm_date_detector_init(&d, prefer);
    const char *p = s, *end = s + len;
    while (p <= end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        int was_decided = crm_date_detector_decided(&d);
        unsigned before = d.candidates;
        crm_date_detector_add(&d, p, (size_t)(stop - p));
        /* candidates only shrink, never to nothing, and a decision stays */
        CHECK((d.candidates & ~before) == 0 && d.candidates != 0);
        CHECK(!was_decided || crm_date_detector_decided(&d));
        CHECK(d.values_unreadable <= d.values_seen);
        if (!nl)
            break;
        p = nl + 1;
    }
    crm_date_format fmt;
    crm_error err;
    crm_error_clear(&err);
    crm_status st = crm_date_detector_result(&d, &fmt, &err);
    if (crm_date_detector_decided(&d))
        CHECK(st == CRM_OK);
    if (st == CRM_OK) {
        CHECK(fmt.style >= CRM_DATE_ISO && fmt.style <= CRM_DATE_CJK);
        CHECK(prefer == 0 || fmt.style != (prefer == CRM_DATE_MDY ? CRM_DATE_DMY : CRM_DATE_MDY));
        /* the first readable value reads in the detected style */
        if (d.first_value[0] != '\0' && strlen(d.first_value) < 31) {
            crm_datetime dt;
            CHECK(crm_date_parse(&fmt, d.first_value, strlen(d.first_value), &dt) == CRM_OK);
        }
    } else {
        CHECK(st == CRM_EDATA && err.message[0] != '\0');
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    check_fixed_styles(s, size);
    check_strptime(s, size);
    check_detector(s, size, 0);
    check_detector(s, size, CRM_DATE_DMY);
    check_detector(s, size, CRM_DATE_MDY);
    /* the calendar conversions are inverse for every int32 day number */
    if (size >= 4) {
        int32_t day;
        memcpy(&day, data, sizeof day);
        int y, m, d;
        crm_civil_from_days(day, &y, &m, &d);
        CHECK(crm_date_valid(y, m, d));
        CHECK(crm_days_from_civil(y, m, d) == day);
    }
    return 0;
}
