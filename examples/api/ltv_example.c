/* libcrm from C: RFM from transactions, an LTV model fitted, saved, loaded
 * back and used to score a customer.  Build: cc ltv_example.c $(pkg-config
 * --cflags --libs libcrm); run: ./a.out cdnow_customers_summary_with_transactions.csv model.csv */
#include <crm/date.h>
#include <crm/ltv.h>
#include <crm/ltv_customers_file.h>
#include <crm/ltv_model_file.h>
#include <crm/rfm.h>
#include <crm/version.h>
#include <stdio.h>
#include <string.h>

static int32_t day(const char *iso)
{
    crm_date_format f;
    crm_datetime dt = {0};
    crm_date_format_set(&f, CRM_DATE_ISO);
    crm_date_parse(&f, iso, strlen(iso), &dt);
    return dt.days;
}

static int fail(const crm_error *err)
{
    fprintf(stderr, "ltv_example: %s\n", err->message);
    return 1;
}

int main(int argc, char **argv)
{
    crm_error err;
    if (argc != 3) return 2;
    /* 1. RFM: CDNOW's customer 1 bought on these days; the table is for 1997-10-01. */
    static const char *const days[] = {"1997-01-01", "1997-01-18", "1997-08-02"};
    static const char *const amounts[] = {"29.33", "29.73", "14.96"};
    crm_rfm_config cfg = {0, 0};
    crm_rfm *rfm;
    crm_rfm_result res;
    crm_rfm_options ro;
    if (crm_rfm_new(&rfm, &cfg, &err) != CRM_OK) return fail(&err);
    for (int i = 0; i < 3; i++) {
        crm_rfm_line line = {.customer = "1", .customer_len = 1, .day = day(days[i])};
        crm_parse_decimal(amounts[i], strlen(amounts[i]), NULL, &line.amount);
        if (crm_rfm_add(rfm, &line, &err) != CRM_OK) return fail(&err);
    }
    crm_rfm_options_init(&ro);
    ro.as_of = day("1997-10-01");
    if (crm_rfm_finish(rfm, &ro, &res, &err) != CRM_OK) return fail(&err);
    const crm_rfm_customer *c1 = &res.customers[0];

    /* 2. BG/NBD and Gamma-Gamma fitted on the CDNOW summary (in weeks), saved. */
    crm_csv_options co;
    crm_csv_reader *r;
    crm_ltv_customers t = {0};
    crm_ltv_customers_spec spec = {.required = 7u, .summary = 1, .model = CRM_LTV_BGNBD};
    spec.columns[CRM_LTV_COL_MONETARY_VALUE] = "zbar";
    crm_ltv_fit_diagnosis dg;
    crm_ltv_spend_result spend;
    crm_ltv_model_file saved, loaded;
    crm_csv_options_init(&co);
    if (crm_csv_open(&r, argv[1], &co, &err) != CRM_OK || crm_ltv_customers_read(r, &spec, NULL, &t, &err) != CRM_OK ||
        crm_ltv_fit_diagnosed(CRM_LTV_BGNBD, t.c, t.n, NULL, &dg, &err) != CRM_OK ||
        crm_ltv_spend_fit(t.c, t.n, NULL, &spend, &err) != CRM_OK)
        return fail(&err);
    crm_ltv_model_file_from_fit(&saved, CRM_LTV_BGNBD, CRM_UNIT_WEEK, &dg.fit);
    crm_ltv_model_file_set_spend(&saved, &spend.fit);
    if (crm_ltv_model_file_save(argv[2], &saved, &err) != CRM_OK) return fail(&err);

    /* 3. Loaded back; customer 1 scored over the next 39 weeks, undiscounted. */
    crm_ltv_customer one = {(double)c1->x, c1->t_x_days / 7.0, c1->T_days / 7.0, c1->monetary_value, 1};
    crm_ltv_clv_options clv;
    crm_ltv_prediction p;
    crm_ltv_clv_options_init(&clv);
    clv.horizon = 39;
    if (crm_ltv_model_file_load(argv[2], &loaded, &err) != CRM_OK ||
        crm_ltv_predict(loaded.model, loaded.params, loaded.spend_params, &clv, &one, 1, &p, &err) != CRM_OK)
        return fail(&err);
    printf("libcrm %s\n", crm_version());
    printf("customer 1: x %.0f, t_x %.2f, T %.2f weeks, monetary_value %.3f\n", one.x, one.t_x, one.T,
           one.monetary_value);
    printf("BG/NBD: r %.3f, alpha %.3f, a %.3f, b %.3f\n", loaded.params[0], loaded.params[1], loaded.params[2],
           loaded.params[3]);
    printf("p_alive %.4f, expected purchases %.4f, spend %.2f, value %.2f\n", p.p_alive, p.expected_purchases,
           p.expected_avg_value, p.clv);
    crm_ltv_customers_free(&t);
    crm_csv_close(r);
    crm_rfm_result_free(&res);
    crm_rfm_free(rfm);
    return 0;
}
