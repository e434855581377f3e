/* A program outside the tree, built only with what `pkg-config --cflags
 * --libs libcrm` says: two purchases of customer c1, 2011-01-01 for 10.00
 * and 2011-01-05 for 2.25, scored as of 2011-01-10.  By hand: frequency 2
 * (purchase days, no invoice column), monetary 10.00 + 2.25 = 12.25,
 * recency 10 - 5 = 5 days. */
#include <crm/date.h>
#include <crm/rfm.h>
#include <stdio.h>
#include <string.h>

static int day(const char *text, int32_t *out)
{
    crm_date_format iso;
    crm_datetime dt;
    crm_date_format_set(&iso, CRM_DATE_ISO);
    if (crm_date_parse(&iso, text, strlen(text), &dt) != CRM_OK)
        return 0;
    *out = dt.days;
    return 1;
}

int main(void)
{
    static const char *const days[2] = {"2011-01-01", "2011-01-05"};
    static const char *const amounts[2] = {"10.00", "2.25"};
    crm_rfm_config cfg = {0, 0};
    crm_rfm *rfm;
    crm_error err;
    if (crm_rfm_new(&rfm, &cfg, &err) != CRM_OK)
        return 1;
    for (int i = 0; i < 2; i++) {
        crm_rfm_line line = {.customer = "c1", .customer_len = 2};
        if (!day(days[i], &line.day) ||
            crm_parse_decimal(amounts[i], strlen(amounts[i]), NULL, &line.amount) != CRM_OK ||
            crm_rfm_add(rfm, &line, &err) != CRM_OK)
            return 1;
    }
    crm_rfm_options opts;
    crm_rfm_options_init(&opts);
    crm_rfm_result res;
    if (!day("2011-01-10", &opts.as_of) || crm_rfm_finish(rfm, &opts, &res, &err) != CRM_OK ||
        res.count != 1)
        return 1;
    char money[CRM_NUMBER_TEXT_MAX];
    size_t n = crm_decimal_format(res.customers[0].monetary, money);
    printf("%.*s frequency %llu monetary %.*s recency %lld\n", (int)res.customers[0].customer_len,
           res.customers[0].customer_id, (unsigned long long)res.customers[0].frequency, (int)n, money,
           (long long)res.customers[0].recency_days);
    crm_rfm_result_free(&res);
    crm_rfm_free(rfm);
    return 0;
}
