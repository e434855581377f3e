/* crm-report: the pipeline's tables in, one self-contained HTML page out. */
#include <stdio.h>
#include <string.h>

#include "crm/cli.h"
#include "crm/customers_table.h"
#include "crm/output.h"
#include "crm/report.h"
#include "crm/report_page.h"

static const char usage[] =
    "Usage: crm-report --customers FILE [OPTIONS] -o report.html\n"
    "Draws the customers table (crm-rfm, crm-ltv, crm-segment output) and the other\n"
    "tables of the pipeline into one self-contained HTML page: inline SVG charts and\n"
    "CSS, no script, nothing fetched. Each section is drawn when its columns are there.\n"
    "\n"
    "      --customers FILE    the customers table (required; '-' for standard input)\n"
    "      --transactions FILE clean transactions: cross-sell coverage of the top rules\n"
    "      --rules FILE        crm-basket rules: the top rules by lift\n"
    "      --cohort FILE       crm-ltv --method cohort table: retention and cumulative LTV\n"
    "      --validation FILE   crm-ltv --validate table: actual vs predicted per model\n"
    "      --title TEXT        the page's title (default \"Customer report\")\n"
    "      --as-of YYYY-MM-DD  the date shown under the title (none by default, so the\n"
    "                          same inputs give the same bytes)\n"
    "  -q, --quiet             no summary on stderr\n"
    "Common:\n"
    "  -o, --output FILE  -z, --gzip  -d, --delimiter C  -t, --tab  --encoding NAME\n"
    "  --max-field-size N  --threads N  --progress  --no-progress  --report FILE  --help  --version\n";

enum { OPT_CUSTOMERS = 256, OPT_TRANSACTIONS, OPT_RULES, OPT_COHORT, OPT_VALIDATION, OPT_TITLE, OPT_AS_OF,
       OPT_QUIET = 'q' };

static const struct option report_options[] = {
    {"customers", required_argument, NULL, OPT_CUSTOMERS},
    {"transactions", required_argument, NULL, OPT_TRANSACTIONS},
    {"rules", required_argument, NULL, OPT_RULES},
    {"cohort", required_argument, NULL, OPT_COHORT},
    {"validation", required_argument, NULL, OPT_VALIDATION},
    {"title", required_argument, NULL, OPT_TITLE},
    {"as-of", required_argument, NULL, OPT_AS_OF},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {NULL, 0, NULL, 0},
};

typedef struct {
    const char *paths[CRM_PAGE_NTABLES];
    const char *transactions;
    const char *title;
    const char *as_of;
    int quiet;
} report_options_t;

static crm_status handle_option(int id, const char *arg, void *ctx, crm_error *err)
{
    report_options_t *o = ctx;
    int32_t day;
    switch (id) {
    case OPT_CUSTOMERS: o->paths[CRM_PAGE_CUSTOMERS] = arg; break;
    case OPT_RULES: o->paths[CRM_PAGE_RULES] = arg; break;
    case OPT_COHORT: o->paths[CRM_PAGE_COHORT] = arg; break;
    case OPT_VALIDATION: o->paths[CRM_PAGE_VALIDATION] = arg; break;
    case OPT_TRANSACTIONS: o->transactions = arg; break;
    case OPT_TITLE: o->title = arg; break;
    case OPT_AS_OF:
        if (crm_cli_parse_day("--as-of", arg, &day, err) != CRM_OK) return CRM_EUSAGE;
        o->as_of = arg;
        break;
    case OPT_QUIET: o->quiet = 1; break;
    default: return crm_error_set(err, CRM_EUSAGE, "unknown option");
    }
    return CRM_OK;
}

static crm_status check_options(const report_options_t *o, const crm_common_options *common, crm_error *err)
{
    if (o->paths[CRM_PAGE_CUSTOMERS] == NULL)
        return crm_error_set(err, CRM_EUSAGE, "--customers FILE is required");
    if (common->ninputs > 0)
        return crm_error_set(err, CRM_EUSAGE, "unexpected operand '%s': name the tables with --customers, --rules, ...",
                             common->inputs[0]);
    if (o->transactions != NULL && o->paths[CRM_PAGE_RULES] == NULL)
        return crm_error_set(err, CRM_EUSAGE, "--transactions needs --rules: it measures the rules' cross-sell coverage");
    size_t stdin_users = o->transactions != NULL && strcmp(o->transactions, "-") == 0;
    for (int t = 0; t < CRM_PAGE_NTABLES; t++)
        stdin_users += o->paths[t] != NULL && strcmp(o->paths[t], "-") == 0;
    if (stdin_users > 1) return crm_error_set(err, CRM_EUSAGE, "only one table can be read from standard input");
    return CRM_OK;
}

static crm_status read_table(const crm_common_options *common, const char *path, crm_report_page_table which,
                             crm_customers_table **out, crm_error *err)
{
    crm_csv_reader *r;
    crm_status st = crm_cli_open_input(common, path, &r, err);
    if (st != CRM_OK) return st;
    crm_report_page_columns cols;
    crm_report_page_columns_of(which, &cols);
    st = crm_customers_table_read(out, r, cols.specs, cols.nspecs, cols.keep_other, cols.ignore, err);
    crm_csv_close(r);
    return st;
}

int main(int argc, char **argv)
{
    crm_cli_init_process();
    report_options_t o = {0};
    crm_common_options common;
    crm_cli_spec spec = {"crm-report", usage, report_options, "q", handle_option, &o, 0, 0, 1};
    int exit_code;
    if (!crm_cli_start(&spec, argc, argv, &common, &exit_code)) return exit_code;
    crm_error err;
    crm_error_clear(&err);
    if (check_options(&o, &common, &err) != CRM_OK) {
        crm_cli_error("crm-report", err.message);
        fprintf(stderr, "Try 'crm-report --help' for more information.\n");
        return 2;
    }
    /* every file named before anything is read: an output must not replace an input */
    static const char *const table_options[CRM_PAGE_NTABLES] = {
        [CRM_PAGE_CUSTOMERS] = "--customers", [CRM_PAGE_RULES] = "--rules", [CRM_PAGE_COHORT] = "--cohort",
        [CRM_PAGE_VALIDATION] = "--validation"};
    crm_output_set *outputs = crm_output_set_new();
    crm_status st = outputs ? CRM_OK : crm_error_set(&err, CRM_ENOMEM, "out of memory");
    for (int t = 0; t < CRM_PAGE_NTABLES && st == CRM_OK; t++)
        st = crm_output_set_add_input(outputs, table_options[t], o.paths[t], &err);
    if (st == CRM_OK)
        st = crm_output_set_add_input(outputs, "--transactions", o.transactions, &err);
    if (st == CRM_OK)
        st = crm_output_set_add_output(outputs, common.output ? "-o" : "standard output",
                                       common.output ? common.output : "-", &err);
    if (st == CRM_OK)
        st = crm_output_set_add_output(outputs, "--report", common.report, &err);
    if (st != CRM_OK) {
        crm_output_set_free(outputs);
        return crm_cli_fail("crm-report", &err);
    }
    crm_report *report = crm_report_new("crm-report");
    crm_customers_table *tables[CRM_PAGE_NTABLES] = {NULL};
    crm_report_page_cross_sell *cross_sell = NULL;
    crm_output *out = NULL;
    for (int t = 0; t < CRM_PAGE_NTABLES && st == CRM_OK; t++)
        if (o.paths[t] != NULL) st = read_table(&common, o.paths[t], (crm_report_page_table)t, &tables[t], &err);
    if (st == CRM_OK && o.transactions != NULL) {
        crm_csv_reader *r;
        st = crm_cli_open_input(&common, o.transactions, &r, &err);
        if (st == CRM_OK) {
            st = crm_report_page_cross_sell_read(&cross_sell, tables[CRM_PAGE_RULES], r, &err);
            crm_csv_close(r);
        }
    }
    if (st == CRM_OK) st = crm_output_set_open(outputs, &out, common.output, common.gzip, &err);
    if (st == CRM_OK) {
        crm_report_page_input in = {o.title, o.as_of, {NULL}, cross_sell};
        for (int t = 0; t < CRM_PAGE_NTABLES; t++) in.tables[t] = tables[t];
        st = crm_report_page_write(&in, out, &err);
        if (st == CRM_OK) {
            st = crm_output_commit(out, &err);
            out = NULL;
        }
    }
    if (out != NULL) crm_output_abort(out);
    size_t customers = tables[CRM_PAGE_CUSTOMERS] ? crm_customers_table_rows(tables[CRM_PAGE_CUSTOMERS]) : 0;
    crm_report_set(report, "customers", customers);
    st = crm_cli_end_run("crm-report", outputs, report, common.report, st, &err);
    if (st == CRM_OK && !o.quiet)
        fprintf(stderr, "crm-report: %zu customers drawn into %s\n", customers,
                common.output != NULL ? common.output : "<stdout>");
    crm_report_free(report);
    crm_report_page_cross_sell_free(cross_sell);
    for (int t = 0; t < CRM_PAGE_NTABLES; t++) crm_customers_table_free(tables[t]);
    if (st != CRM_OK) return crm_cli_fail("crm-report", &err);
    return 0;
}
