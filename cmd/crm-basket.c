/* crm-basket: transactions in; frequent itemsets, association rules or
 * cross-sell recommendations out (market basket analysis, the CTP and PTP
 * views of crm(7)).  The computing is in lib/basket*.c; this file reads the
 * input formats, resolves the options and writes the CSV. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/array.h"
#include "crm/basket.h"
#include "crm/basket_itemsets.h"
#include "crm/basket_recommend.h"
#include "crm/basket_upsell.h"
#include "crm/basket_rules.h"
#include "crm/basket_partial.h"
#include "crm/basket_son.h"
#include "crm/basket_tables.h"
#include "crm/basket_rules_file.h"
#include "crm/basket_catalog_file.h"
#include "crm/basket_input.h"
#include "crm/cli.h"
#include "crm/csv.h"
#include "crm/number.h"
#include "crm/report.h"
#include "crm/strtab.h"
#include "crm/units.h"

static const char usage[] =
    "Usage: crm-basket [OPTIONS] [FILE...]\n"
    "Reads transactions (CSV, gzip or plain; standard input when no FILE) and writes\n"
    "association rules (the default), frequent itemsets (--itemsets) or cross-sell\n"
    "recommendations (--recommend).  Items inside a field are written {a,b}.\n"
    "\n"
    "Input:\n"
    "      --format F            long (default): one row per line item, with a header;\n"
    "                            basket: one basket per line, items separated by -d;\n"
    "                            fimi: one basket per line, item ids separated by spaces\n"
    "      --by invoice|customer long input: a basket is an invoice (default) or all a\n"
    "                            customer ever bought\n"
    "      --basket COL --item COL --customer COL\n"
    "                            long input columns (default: invoice_id or customer_id,\n"
    "                            product_id, customer_id; name or 1-based index)\n"
    "      --empty count|skip|error  baskets without items: count them in n (default),\n"
    "                            leave them out, or stop\n"
    "      --item-separator C    joins items in one output field (default ','); an item\n"
    "                            containing it is an error\n"
    "      --exclude ITEMS|@FILE leave these items out of mining and recommendations\n"
    "                            (joined by the item separator; @FILE: one a line; repeatable)\n"
    "      --label COL           long input: write each item's most frequent COL value\n"
    "                            (e.g. Description) in label columns beside the items\n"
    "Itemsets (FP-growth):\n"
    "      --min-support S       fraction (0.001) or percentage (0.1%) of the baskets;\n"
    "                            frequent means count >= ceil(S x baskets) (default 10%)\n"
    "      --min-count N         or an absolute number of baskets\n"
    "      --min-len N --max-len N  items in an itemset, or in a rule (default 1, no limit)\n"
    "      --itemsets            write itemsets: items,size,count,support\n"
    "      --closed, --maximal   write only closed or maximal itemsets (imply --itemsets)\n"
    "Rules (antecedent,consequent,count,support,confidence,lift,leverage,conviction):\n"
    "      --min-confidence C    default 80% (as arules)\n"
    "      --min-lift L          default 0 (no filter)\n"
    "      --max-consequent N    items in the consequent (default 1 as arules; 0: any)\n"
    "      --antecedent ITEMS    only rules whose antecedent items are all in ITEMS\n"
    "      --consequent ITEMS    only rules whose consequent items are all in ITEMS\n"
    "                            (ITEMS joined by the item separator)\n"
    "      --sort lift|confidence|support  rule order (default lift)\n"
    "Limits (a run that reaches one stops with exit 1; 0: no limit):\n"
    "      --max-itemsets N      frequent itemsets mined (default 5000000)\n"
    "      --max-rules N         rules that pass the filters (default 5000000)\n"
    "      --max-memory SIZE     FP-trees, itemsets and rules together (k, M, G;\n"
    "                            default 4G)\n"
    "Recommendations (customer_id,product_id,score,rule; long input):\n"
    "      --recommend           per customer, the products rules predict from what the\n"
    "                            customer bought and that the customer has not bought\n"
    "      --score confidence|lift  rank by (default confidence)\n"
    "      --top N               at most N products per customer (default 0: all)\n"
    "      --rules FILE          recommend from the rules CSV an earlier run wrote instead\n"
    "                            of mining (no mining options; --min-confidence and\n"
    "                            --min-lift filter the saved rules, default no filter)\n"
    "Up-sell (customer_id,product_id,category,price,score,reason; long input):\n"
    "      --upsell --catalog FILE  per customer, the catalog's dearer products of the\n"
    "                            categories the customer buys (dearer than the dearest one\n"
    "                            bought there, not bought yet), by popularity among the\n"
    "                            category's buyers; FILE: product_id,category,price and\n"
    "                            other columns (passed through); --top N per customer\n"
    "Split runs (SON, exact; see SPLIT RUNS in crm-basket(1)):\n"
    "      --partial             pass 1: this piece's local frequent itemsets and edge baskets\n"
    "      --partial --candidates FILE  pass 2: count the candidates of the pass-1 FILEs\n"
    "                            (repeatable, one per piece) in this piece\n"
    "      --merge FILE...       itemsets or rules from the pass-2 files of all pieces;\n"
    "                            with --partial: their sum, a pass-2 file again\n"
    "Output:\n"
    "  -q, --quiet               do not print the summary on stderr\n"
    "      --skip-bad            skip unreadable rows, count them and report the first\n"
    "Common:\n"
    "  -o, --output FILE  -z, --gzip  -d, --delimiter C  -t, --tab  --encoding NAME\n"
    "  --no-header  --max-field-size N  --threads N  --progress  --report FILE\n"
    "  --escape-formulas  --shard I/N  --help  --version\n";

enum {
    OPT_FORMAT = 256, OPT_BY, OPT_BASKET, OPT_ITEM, OPT_CUSTOMER, OPT_EMPTY, OPT_ITEM_SEPARATOR,
    OPT_MIN_SUPPORT, OPT_MIN_COUNT, OPT_MIN_LEN, OPT_MAX_LEN, OPT_ITEMSETS, OPT_CLOSED,
    OPT_MAXIMAL, OPT_MIN_CONFIDENCE, OPT_MIN_LIFT, OPT_MAX_CONSEQUENT, OPT_ANTECEDENT,
    OPT_CONSEQUENT, OPT_SORT, OPT_RECOMMEND, OPT_SCORE, OPT_TOP, OPT_RULES, OPT_EXCLUDE, OPT_LABEL, OPT_SKIP_BAD,
    OPT_MAX_ITEMSETS, OPT_MAX_RULES, OPT_MAX_MEMORY, OPT_UPSELL, OPT_CATALOG, OPT_PARTIAL, OPT_CANDIDATES, OPT_MERGE, OPT_QUIET = 'q'
};

static const struct option basket_options[] = {
    {"format", required_argument, NULL, OPT_FORMAT},
    {"by", required_argument, NULL, OPT_BY},
    {"basket", required_argument, NULL, OPT_BASKET},
    {"item", required_argument, NULL, OPT_ITEM},
    {"customer", required_argument, NULL, OPT_CUSTOMER},
    {"empty", required_argument, NULL, OPT_EMPTY},
    {"item-separator", required_argument, NULL, OPT_ITEM_SEPARATOR},
    {"min-support", required_argument, NULL, OPT_MIN_SUPPORT},
    {"min-count", required_argument, NULL, OPT_MIN_COUNT},
    {"min-len", required_argument, NULL, OPT_MIN_LEN},
    {"max-len", required_argument, NULL, OPT_MAX_LEN},
    {"itemsets", no_argument, NULL, OPT_ITEMSETS},
    {"closed", no_argument, NULL, OPT_CLOSED},
    {"maximal", no_argument, NULL, OPT_MAXIMAL},
    {"min-confidence", required_argument, NULL, OPT_MIN_CONFIDENCE},
    {"min-lift", required_argument, NULL, OPT_MIN_LIFT},
    {"max-consequent", required_argument, NULL, OPT_MAX_CONSEQUENT},
    {"antecedent", required_argument, NULL, OPT_ANTECEDENT},
    {"consequent", required_argument, NULL, OPT_CONSEQUENT},
    {"sort", required_argument, NULL, OPT_SORT},
    {"recommend", no_argument, NULL, OPT_RECOMMEND},
    {"score", required_argument, NULL, OPT_SCORE},
    {"top", required_argument, NULL, OPT_TOP},
    {"rules", required_argument, NULL, OPT_RULES},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"label", required_argument, NULL, OPT_LABEL},
    {"max-itemsets", required_argument, NULL, OPT_MAX_ITEMSETS},
    {"max-rules", required_argument, NULL, OPT_MAX_RULES},
    {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"skip-bad", no_argument, NULL, OPT_SKIP_BAD},
    {"upsell", no_argument, NULL, OPT_UPSELL},
    {"catalog", required_argument, NULL, OPT_CATALOG},
    {"partial", no_argument, NULL, OPT_PARTIAL},
    {"candidates", required_argument, NULL, OPT_CANDIDATES},
    {"merge", no_argument, NULL, OPT_MERGE},
    {NULL, 0, NULL, 0},
};

typedef enum { FORMAT_LONG = 0, FORMAT_BASKET, FORMAT_FIMI } input_format;
enum { MAX_EXCLUDE = 64 };
typedef enum { WRITE_RULES = 0, WRITE_ITEMSETS, WRITE_RECOMMENDATIONS } output_kind;

typedef struct {
    input_format format;
    int by_customer;
    const char *basket_column, *item_column, *customer_column;
    crm_basket_empty_policy empty;
    char separator;
    double min_support;             /* 0: not given */
    uint64_t min_count;             /* 0: not given */
    size_t min_len, max_len;
    output_kind kind;
    crm_basket_target target;
    int kind_given;                 /* --itemsets / --closed / --maximal / --recommend seen */
    double min_confidence, min_lift;
    size_t max_consequent;
    const char *antecedent, *consequent;
    crm_basket_rule_order order;
    crm_basket_score score;
    size_t top;
    int by_given, recommend_tuned;  /* --by; --score or --top seen */
    const char *rules_file;         /* --rules: recommend from saved rules */
    const char *mining_option;      /* the first option that only applies to mining */
    int min_confidence_given;
    int quiet;
    const char *exclude[MAX_EXCLUDE];  /* --exclude arguments, read once the separator is known */
    size_t nexclude;
    const char *label_column;       /* --label */
    int skip_bad;
    crm_basket_limits limits;       /* --max-itemsets, --max-rules, --max-memory */
    int upsell;                     /* --upsell */
    const char *catalog;            /* --catalog FILE */
    int partial, merge;             /* --partial, --merge */
    const char **candidates;        /* --candidates FILE..., pass 2 */
    size_t ncandidates;
    int separator_given;
    /* split runs: the first option given that reads transactions, that
     * shapes the final output, or that sets how pieces are mined */
    const char *input_option, *final_option, *pass1_option;
} basket_options_t;

/* ---- option values ---- */

/* A count: digits only, at least `least`. */
static crm_status parse_count(const char *option, const char *arg, uint64_t least, uint64_t *out,
                              crm_error *err)
{
    int64_t v;
    char shown[128];
    if (crm_parse_int64(arg, strlen(arg), &v) != CRM_OK || v < (int64_t)least ||
        strspn(arg, "0123456789") != strlen(arg))
        return crm_error_set(err, CRM_EUSAGE, "%s wants a whole number of at least %llu, got '%s'",
                             option, (unsigned long long)least,
                             crm_error_quote(shown, sizeof shown, arg, strlen(arg)));
    *out = (uint64_t)v;
    return CRM_OK;
}

static crm_status parse_size_option(const char *option, const char *arg, uint64_t least,
                                    size_t *out, crm_error *err)
{
    uint64_t v;
    crm_status st = parse_count(option, arg, least, &v, err);
    if (st == CRM_OK)
        *out = v > SIZE_MAX ? SIZE_MAX : (size_t)v;
    return st;
}

/* A support is a share of the baskets above 0: "0.001" or "0.1%".  A bare
 * number above 1 is refused rather than read as a count: "5" is more likely
 * a forgotten '%' than 5 baskets, which --min-count says unambiguously. */
static crm_status parse_support(const char *arg, double *out, crm_error *err)
{
    char shown[128];
    crm_error_quote(shown, sizeof shown, arg, strlen(arg));
    double v;
    if (strchr(arg, '%') == NULL && crm_parse_double(arg, strlen(arg), NULL, &v) == CRM_OK && v > 1)
        return crm_error_set(err, CRM_EUSAGE,
                             "--min-support '%s' is above 1: write a fraction (0.001) or a "
                             "percentage (0.1%%) of the baskets, or --min-count for a number of "
                             "baskets", shown);
    if (crm_parse_fraction(arg, &v, err) != CRM_OK) {
        crm_error_prefix(err, "--min-support: ");
        return CRM_EUSAGE;
    }
    if (!(v > 0))
        return crm_error_set(err, CRM_EUSAGE,
                             "--min-support must be above 0, got '%s'; every itemset would be "
                             "frequent", shown);
    *out = v;
    return CRM_OK;
}

static crm_status parse_separator(const char *arg, char *out, crm_error *err)
{
    char shown[64];
    if (strlen(arg) != 1 || arg[0] == '\n' || arg[0] == '\r' || arg[0] == '{' || arg[0] == '}')
        return crm_error_set(err, CRM_EUSAGE,
                             "--item-separator wants one character other than a line break or a "
                             "brace, got '%s'", crm_error_quote(shown, sizeof shown, arg, strlen(arg)));
    *out = arg[0];
    return CRM_OK;
}

static crm_status set_kind(basket_options_t *o, output_kind kind, const char *option,
                           crm_error *err)
{
    if (o->kind_given && o->kind != kind)
        return crm_error_set(err, CRM_EUSAGE, "%s cannot be combined with %s", option,
                             o->kind == WRITE_RECOMMENDATIONS ? "--recommend" : "--itemsets");
    o->kind = kind;
    o->kind_given = 1;
    return CRM_OK;
}

/* Options that choose how rules are mined: with --rules the rules file was
 * mined already, so they would silently do nothing. */
static const char *mining_option_name(int id)
{
    for (const struct option *opt = basket_options; opt->name; opt++) {
        if (opt->val != id)
            continue;
        switch (id) {
        case OPT_BY: case OPT_BASKET: case OPT_MIN_SUPPORT: case OPT_MIN_COUNT:
        case OPT_MIN_LEN: case OPT_MAX_LEN: case OPT_MAX_CONSEQUENT: case OPT_ANTECEDENT:
        case OPT_CONSEQUENT: case OPT_MAX_ITEMSETS: case OPT_MAX_RULES: case OPT_MAX_MEMORY:
            return opt->name;
        default:
            return NULL;
        }
    }
    return NULL;
}

static const char *option_name(int id)
{
    for (const struct option *opt = basket_options; opt->name; opt++) {
        if (opt->val == id)
            return opt->name;
    }
    return NULL;
}

/* Which step of a split run an option belongs to (see check_split). */
static void note_split_option(basket_options_t *o, int id)
{
    switch (id) {
    case OPT_FORMAT: case OPT_BY: case OPT_BASKET: case OPT_ITEM: case OPT_CUSTOMER: case OPT_EMPTY:
    case OPT_EXCLUDE: case OPT_SKIP_BAD:
        if (!o->input_option)
            o->input_option = option_name(id);
        break;
    case OPT_MIN_COUNT: case OPT_MIN_LEN: case OPT_MIN_CONFIDENCE: case OPT_MIN_LIFT: case OPT_MAX_CONSEQUENT:
    case OPT_ANTECEDENT: case OPT_CONSEQUENT: case OPT_SORT: case OPT_MAX_RULES:
        if (!o->final_option)
            o->final_option = option_name(id);
        break;
    case OPT_MIN_SUPPORT: case OPT_MAX_LEN: case OPT_ITEMSETS: case OPT_CLOSED: case OPT_MAXIMAL:
        if (!o->pass1_option)
            o->pass1_option = option_name(id);
        break;
    default:
        break;
    }
}

static crm_status handle_option(int id, const char *arg, void *ctx, crm_error *err)
{
    static const char *const formats[] = {"long", "basket", "fimi", NULL};
    static const char *const bys[] = {"invoice", "customer", NULL};
    static const char *const empties[] = {"count", "skip", "error", NULL};
    static const char *const orders[] = {"lift", "confidence", "support", NULL};
    static const char *const scores[] = {"confidence", "lift", NULL};
    basket_options_t *o = ctx;
    int choice = 0;
    crm_status st = CRM_OK;
    if (!o->mining_option)
        o->mining_option = mining_option_name(id);
    note_split_option(o, id);
    switch (id) {
    case OPT_FORMAT:
        if ((st = crm_cli_parse_choice("--format", arg, formats, &choice, err)) == CRM_OK)
            o->format = (input_format)choice;
        return st;
    case OPT_BY:
        o->by_given = 1;
        if ((st = crm_cli_parse_choice("--by", arg, bys, &choice, err)) == CRM_OK)
            o->by_customer = choice;
        return st;
    case OPT_BASKET:
        o->basket_column = arg;
        return CRM_OK;
    case OPT_ITEM:
        o->item_column = arg;
        return CRM_OK;
    case OPT_CUSTOMER:
        o->customer_column = arg;
        return CRM_OK;
    case OPT_EMPTY:
        if ((st = crm_cli_parse_choice("--empty", arg, empties, &choice, err)) == CRM_OK)
            o->empty = (crm_basket_empty_policy)choice;
        return st;
    case OPT_ITEM_SEPARATOR:
        o->separator_given = 1;
        return parse_separator(arg, &o->separator, err);
    case OPT_PARTIAL:
        o->partial = 1;
        return CRM_OK;
    case OPT_MERGE:
        o->merge = 1;
        return CRM_OK;
    case OPT_CANDIDATES: {
        const char **grown = realloc(o->candidates, (o->ncandidates + 1) * sizeof *grown);
        if (!grown)
            return crm_error_set(err, CRM_ENOMEM, "out of memory");
        o->candidates = grown;
        o->candidates[o->ncandidates++] = arg;
        return CRM_OK;
    }
    case OPT_MIN_SUPPORT:
        o->min_count = 0;
        return parse_support(arg, &o->min_support, err);
    case OPT_MIN_COUNT:
        o->min_support = 0;
        return parse_count("--min-count", arg, 1, &o->min_count, err);
    case OPT_MIN_LEN:
        return parse_size_option("--min-len", arg, 1, &o->min_len, err);
    case OPT_MAX_LEN:
        return parse_size_option("--max-len", arg, 1, &o->max_len, err);
    case OPT_ITEMSETS:
        return set_kind(o, WRITE_ITEMSETS, "--itemsets", err);
    case OPT_CLOSED: case OPT_MAXIMAL:
        if (o->target != CRM_BASKET_FREQUENT &&
            o->target != (id == OPT_CLOSED ? CRM_BASKET_CLOSED : CRM_BASKET_MAXIMAL))
            return crm_error_set(err, CRM_EUSAGE, "--closed and --maximal exclude each other");
        o->target = id == OPT_CLOSED ? CRM_BASKET_CLOSED : CRM_BASKET_MAXIMAL;
        return set_kind(o, WRITE_ITEMSETS, id == OPT_CLOSED ? "--closed" : "--maximal", err);
    case OPT_MIN_CONFIDENCE:
        o->min_confidence_given = 1;
        if (crm_parse_fraction(arg, &o->min_confidence, err) != CRM_OK) {
            crm_error_prefix(err, "--min-confidence: ");
            return CRM_EUSAGE;
        }
        return CRM_OK;
    case OPT_MIN_LIFT: {
        char shown[128];
        if (crm_parse_double(arg, strlen(arg), NULL, &o->min_lift) != CRM_OK || !(o->min_lift >= 0))
            return crm_error_set(err, CRM_EUSAGE, "--min-lift wants a number of at least 0, got '%s'",
                                 crm_error_quote(shown, sizeof shown, arg, strlen(arg)));
        return CRM_OK;
    }
    case OPT_MAX_CONSEQUENT:
        return parse_size_option("--max-consequent", arg, 0, &o->max_consequent, err);
    case OPT_ANTECEDENT:
        o->antecedent = arg;
        return CRM_OK;
    case OPT_CONSEQUENT:
        o->consequent = arg;
        return CRM_OK;
    case OPT_SORT:
        if ((st = crm_cli_parse_choice("--sort", arg, orders, &choice, err)) == CRM_OK)
            o->order = (crm_basket_rule_order)choice;
        return st;
    case OPT_RECOMMEND:
        return set_kind(o, WRITE_RECOMMENDATIONS, "--recommend", err);
    case OPT_SCORE:
        o->recommend_tuned = 1;
        if ((st = crm_cli_parse_choice("--score", arg, scores, &choice, err)) == CRM_OK)
            o->score = (crm_basket_score)choice;
        return st;
    case OPT_TOP:
        o->recommend_tuned = 1;
        return parse_size_option("--top", arg, 0, &o->top, err);
    case OPT_RULES:
        o->rules_file = arg;
        return CRM_OK;
    case OPT_UPSELL:
        o->upsell = 1;
        return CRM_OK;
    case OPT_CATALOG:
        o->catalog = arg;
        return CRM_OK;
    case OPT_EXCLUDE:
        if (o->nexclude == MAX_EXCLUDE)
            return crm_error_set(err, CRM_EUSAGE, "at most %d --exclude options (put the items in a file: --exclude @FILE)",
                                 MAX_EXCLUDE);
        o->exclude[o->nexclude++] = arg;
        return CRM_OK;
    case OPT_LABEL:
        o->label_column = arg;
        return CRM_OK;
    case OPT_MAX_ITEMSETS:
        return parse_count("--max-itemsets", arg, 0, &o->limits.max_itemsets, err);
    case OPT_MAX_RULES:
        return parse_count("--max-rules", arg, 0, &o->limits.max_rules, err);
    case OPT_MAX_MEMORY:
        if (crm_cli_parse_size(arg, &o->limits.memory.max_bytes, err) != CRM_OK) {
            crm_error_prefix(err, "--max-memory: ");
            return CRM_EUSAGE;
        }
        return CRM_OK;
    case OPT_QUIET:
        o->quiet = 1;
        return CRM_OK;
    case OPT_SKIP_BAD:
        o->skip_bad = 1;
        return CRM_OK;
    default:
        return crm_error_set(err, CRM_EUSAGE, "unhandled option");
    }
}

/* The steps of a split run (SON) and the options each takes: pass 1 reads
 * transactions and mines them (--min-support, --max-len and the itemset
 * kind set what is mined), pass 2 reads transactions and counts, the merge
 * reads partial files and writes the result; a merge that writes a partial
 * only adds up. */
static crm_status check_split(const basket_options_t *o, const crm_common_options *common, crm_error *err)
{
    if (o->ncandidates && !o->partial)
        return crm_error_set(err, CRM_EUSAGE, "--candidates goes with --partial (pass 2 of a split run)");
    if (!o->partial && !o->merge)
        return CRM_OK;
    if (o->kind == WRITE_RECOMMENDATIONS || o->rules_file || o->upsell || o->catalog || o->label_column ||
        o->recommend_tuned)
        return crm_error_set(err, CRM_EUSAGE, "--partial and --merge split the mining of itemsets and rules; "
                             "--recommend, --rules, --upsell, --label, --score and --top are not for split runs");
    if (o->merge && o->ncandidates)
        return crm_error_set(err, CRM_EUSAGE, "--candidates counts in a piece of transactions (--partial), "
                             "not in a --merge");
    if (o->merge && (o->input_option || common->shard.count))
        return crm_error_set(err, CRM_EUSAGE, "--%s applies to reading transactions; --merge reads partial files",
                             o->input_option ? o->input_option : "shard");
    if (o->partial && o->final_option)
        return crm_error_set(err, CRM_EUSAGE, "--%s applies to the --merge that ends a split run, not to "
                             "--partial%s", o->final_option,
                             strcmp(o->final_option, "min-count") == 0
                                 ? " (pieces are mined at a share of their baskets: --min-support)" : "");
    if ((o->ncandidates || (o->merge && o->partial)) && o->pass1_option)
        return crm_error_set(err, CRM_EUSAGE, "--%s applies to pass 1 (--partial) and the final --merge; "
                             "%s", o->pass1_option,
                             o->ncandidates ? "pass 2 counts the candidates as they are"
                                            : "--merge --partial only adds partials up");
    if (o->partial && common->escape_formulas)
        return crm_error_set(err, CRM_EUSAGE, "--escape-formulas with --partial: a partial file is read back "
                             "as data (give it to the final --merge)");
    return CRM_OK;
}

/* Options that only make sense together. */
static crm_status check_options(const basket_options_t *o, const crm_common_options *common, crm_error *err)
{
    crm_status st = check_split(o, common, err);
    if (st != CRM_OK)
        return st;
    if (common->shard.count && !o->partial && !o->rules_file)
        return crm_error_set(err, CRM_EUSAGE, "--shard: rules mined on a shard are that shard's, not one "
                             "process's; mine shards with --partial and --merge (SON), or recommend to a shard's "
                             "customers from saved rules (--recommend --rules)");
    if (common->shard.count && o->format != FORMAT_LONG)
        return crm_error_set(err, CRM_EUSAGE, "--shard keeps the rows of some customers: it needs --format long "
                             "input with a customer column");
    if (o->kind == WRITE_RECOMMENDATIONS && o->format != FORMAT_LONG)
        return crm_error_set(err, CRM_EUSAGE,
                             "--recommend needs long transactions with a customer column "
                             "(--format long)");
    if (o->format != FORMAT_LONG &&
        (o->by_given || o->basket_column || o->item_column || o->customer_column))
        return crm_error_set(err, CRM_EUSAGE,
                             "--by, --basket, --item and --customer apply to --format long input");
    if (o->upsell || o->catalog) {
        if (!o->upsell || !o->catalog)
            return crm_error_set(err, CRM_EUSAGE, "--upsell and --catalog FILE go together");
        if (o->kind_given || o->rules_file || o->mining_option || o->format != FORMAT_LONG || o->by_given ||
            o->basket_column || o->label_column || o->score != CRM_BASKET_SCORE_CONFIDENCE)
            return crm_error_set(err, CRM_EUSAGE, "--upsell reads long transactions by customer and takes no "
                                 "mining, --recommend, --by, --basket, --label or --score options");
        return CRM_OK;
    }
    if (o->recommend_tuned && o->kind != WRITE_RECOMMENDATIONS)
        return crm_error_set(err, CRM_EUSAGE, "--score and --top apply to --recommend");
    if (o->rules_file && o->kind != WRITE_RECOMMENDATIONS)
        return crm_error_set(err, CRM_EUSAGE,
                             "--rules applies to --recommend (recommendations from saved rules)");
    if (o->rules_file && o->mining_option)
        return crm_error_set(err, CRM_EUSAGE,
                             "--%s applies to mining rules, but with --rules they are read from "
                             "'%s' (filter them with --min-confidence or --min-lift)",
                             o->mining_option, o->rules_file);
    if (o->label_column && o->format != FORMAT_LONG)
        return crm_error_set(err, CRM_EUSAGE, "--label names a column of --format long input");
    if (o->min_len && o->max_len && o->min_len > o->max_len)
        return crm_error_set(err, CRM_EUSAGE, "--min-len %zu is above --max-len %zu", o->min_len,
                             o->max_len);
    return CRM_OK;
}

/* ---- reading ---- */

typedef struct {
    basket_options_t *o;
    const crm_common_options *common;
    crm_strtab *items;              /* shared by mined and customers (recommend) */
    crm_basket_db *mined;           /* the baskets mined */
    crm_basket_db *customers;       /* recommend: one basket per customer (may be mined) */
    crm_progress progress;
    uint64_t rows, bytes_before;
    crm_basket_saved_rules *saved;  /* --rules: the rules file, read first */
    crm_strtab *exclude;            /* --exclude, or NULL */
    crm_bad_rows bad;               /* --skip-bad */
    crm_basket_catalog_file *catalog;  /* --upsell: the catalog, read first */
    crm_basket_partial *merged;     /* --merge: the partial files read */
    crm_basket_db *edges;           /* --merge: their joined edge baskets */
} basket_run;

static crm_status read_catalog(basket_run *run, crm_error *err);

static crm_status skip_bad_row(void *ctx, crm_error *err)
{
    return crm_cli_bad_row(ctx, err);
}

static void show_progress(void *ctx, uint64_t rows, uint64_t bytes)
{
    basket_run *run = ctx;
    run->rows = rows;
    crm_progress_update(&run->progress, rows, run->bytes_before + bytes);
}

static crm_status new_db(basket_run *run, crm_basket_db **db, crm_error *err)
{
    crm_basket_db_options opts;
    crm_basket_db_options_init(&opts);
    opts.items = run->items;
    opts.item_separator = run->o->separator;
    opts.empty = run->o->empty;
    opts.exclude = run->exclude;
    return crm_basket_db_new(db, &opts, err);
}

/* What the options say about reading the transactions. */
static void input_options(const basket_run *run, crm_basket_input_options *in)
{
    const basket_options_t *o = run->o;
    const char *customer = o->customer_column ? o->customer_column : "customer_id";
    memset(in, 0, sizeof *in);
    in->format = (crm_basket_input_format)o->format;
    in->basket_column = o->basket_column ? o->basket_column : o->by_customer ? customer : "invoice_id";
    in->basket_what = o->basket_column ? "basket" : o->by_customer ? "customer" : "invoice";
    in->item_column = o->item_column ? o->item_column : "product_id";
    in->customer_column = run->customers && run->customers != run->mined ? customer : NULL;
    in->label_column = o->label_column;
    in->shard = &run->common->shard;
    in->shard_column = customer;
    in->edges = o->partial;
    in->catalog = run->catalog ? crm_basket_catalog_file_products(run->catalog) : NULL;
    in->catalog_name = run->catalog ? crm_basket_catalog_file_name(run->catalog) : NULL;
    in->exclude = run->exclude;
    in->separator = o->separator;
    in->bad_row = skip_bad_row;
    in->bad_row_ctx = (void *)&run->bad;
    in->progress = show_progress;
    in->progress_ctx = (void *)run;
}

/* Everything read before the transactions (exclusions, saved rules, the
 * catalog: a broken file stops the run before a long read), then them. */
static crm_status read_inputs(basket_run *run, crm_error *err)
{
    const crm_common_options *common = run->common;
    crm_status st = CRM_OK;
    if (run->o->kind == WRITE_RECOMMENDATIONS && !(run->items = crm_strtab_new(1024)))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    if (run->o->nexclude && !(run->exclude = crm_strtab_new(64)))
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    for (size_t i = 0; i < run->o->nexclude && st == CRM_OK; i++)
        st = crm_basket_exclude_add(run->exclude, run->o->exclude[i], run->o->separator, err);
    crm_csv_options opts;
    crm_cli_csv_options(common, &opts);
    /* the rules' items enter the item table first */
    if (st == CRM_OK && run->o->rules_file)
        st = crm_basket_saved_rules_read(run->o->rules_file, &opts, run->o->separator, run->items, run->exclude,
                                         &run->saved, err);
    if (st == CRM_OK && run->o->upsell)
        st = read_catalog(run, err);
    if (st == CRM_OK)
        st = new_db(run, &run->mined, err);
    if (st == CRM_OK && run->o->kind == WRITE_RECOMMENDATIONS) {
        if (run->o->by_customer && !run->o->basket_column)
            run->customers = run->mined;
        else
            st = new_db(run, &run->customers, err);
    }
    crm_basket_input_options io;
    input_options(run, &io);
    crm_basket_input_csv_options(io.format, &opts);
    crm_basket_input *in = NULL;
    if (st == CRM_OK)
        st = crm_basket_input_new(&io, run->mined, run->customers, &in, err);
    size_t ninputs = common->ninputs ? common->ninputs : 1;
    for (size_t i = 0; i < ninputs && st == CRM_OK; i++) {
        crm_csv_reader *r;
        if ((st = crm_csv_open(&r, common->ninputs ? common->inputs[i] : NULL, &opts, err)) != CRM_OK)
            break;
        st = crm_basket_input_read(in, r, err);
        run->bytes_before += crm_csv_raw_bytes(r);
        crm_csv_close(r);
    }
    if (in)
        run->rows = crm_basket_input_rows(in);
    if (st == CRM_OK)
        st = crm_basket_input_finish(in, err);
    crm_basket_input_free(in);
    return st;
}

/* ---- writing ---- */

static crm_status write_fail(crm_csv_writer *w, crm_status st, crm_error *err)
{
    if (st == CRM_EPIPE)
        return crm_error_set(err, CRM_EPIPE, "closed pipe");
    return crm_cli_write_failed(w, st, err);   /* names the file and the cause */
}

/* After a library writer: a failure of the output is named by file and cause. */
static crm_status wrote(crm_csv_writer *w, crm_status st, crm_error *err)
{
    return st == CRM_OK || st == CRM_ENOMEM ? st : write_fail(w, st, err);
}

/* ---- the run ---- */

/* --antecedent/--consequent: item names joined by the separator.  A name no
 * basket has cannot be in a rule; it is reported, not an error, so that a
 * nightly job survives a product that left the range. */
static crm_status item_list(const basket_run *run, const char *option, const char *arg,
                            uint32_t **ids, size_t *n, crm_error *err)
{
    size_t cap = 1;
    for (const char *p = arg; *p; p++)
        cap += *p == run->o->separator;
    *ids = malloc(cap * sizeof **ids);
    *n = 0;
    if (!*ids)
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    const char *p = arg;
    for (;;) {
        const char *end = strchr(p, run->o->separator);
        size_t len = end ? (size_t)(end - p) : strlen(p);
        uint32_t id;
        if (len > 0 && crm_basket_db_find_item(run->mined, p, len, &id) &&
            crm_basket_db_item_count(run->mined, id) > 0)
            (*ids)[(*n)++] = id;
        else if (len > 0 && !run->o->quiet) {
            char shown[256], message[400];
            snprintf(message, sizeof message, "%s: no basket has the item '%s'", option,
                     crm_error_quote(shown, sizeof shown, p, len));
            crm_cli_error("crm-basket", message);
        }
        if (!end)
            break;
        p = end + 1;
    }
    return CRM_OK;
}

typedef struct {
    uint64_t min_count;
    size_t written;
    size_t customers_served;
    size_t rules_used;              /* --rules: saved rules left after the filters */
    uint64_t candidates;            /* pass 2: candidates counted */
} run_result;

static crm_status recommend_and_write(const basket_run *run, const crm_basket_rules *rules,
                                      crm_csv_writer *w, run_result *res, crm_error *err)
{
    crm_basket_recommend_options rec;
    crm_basket_recommend_options_init(&rec);
    rec.top_n = run->o->top;
    rec.score = run->o->score;
    crm_basket_recommendations *recs = NULL;
    crm_status st = crm_basket_recommend(run->customers, rules, &rec, &recs, err);
    if (st != CRM_OK)
        return st;
    st = wrote(w, crm_basket_write_recommendations(w, recs, rules, run->customers, run->o->separator,
                                                   run->o->label_column ? run->mined : NULL, err), err);
    res->written = crm_basket_recommendations_count(recs);
    for (size_t i = 0; i < res->written; i++) {
        if (i == 0 || crm_basket_recommendations_get(recs, i)->customer !=
                          crm_basket_recommendations_get(recs, i - 1)->customer)
            res->customers_served++;
    }
    crm_basket_recommendations_free(recs);
    return st;
}

static crm_status recommend_from_saved(basket_run *run, crm_csv_writer *w, run_result *res,
                                       crm_error *err)
{
    crm_basket_rules *rules;
    crm_basket_rule_options ro;
    crm_basket_rule_options_init(&ro);
    ro.min_confidence = run->o->min_confidence_given ? run->o->min_confidence : 0;
    ro.min_lift = run->o->min_lift;
    ro.order = run->o->order;
    crm_status st = crm_basket_saved_rules_build(run->saved, run->customers, &ro, &rules, err);
    if (st != CRM_OK)
        return st;
    res->rules_used = crm_basket_rules_count(rules);
    st = recommend_and_write(run, rules, w, res, err);
    crm_basket_rules_free(rules);
    return st;
}

static crm_status mine_and_write(basket_run *run, crm_csv_writer *w, run_result *res,
                                 crm_error *err)
{
    const basket_options_t *o = run->o;
    if (o->rules_file)
        return recommend_from_saved(run, w, res, err);
    uint64_t n = crm_basket_db_count(run->mined);
    crm_status st = CRM_OK;
    res->min_count = o->min_count;
    if (!o->min_count && (st = crm_basket_min_count(o->min_support ? o->min_support : 0.1, n,
                                                    &res->min_count, err)) != CRM_OK)
        return st;

    crm_basket_mine_options mo;
    crm_basket_mine_options_init(&mo);
    mo.limits = &run->o->limits;
    mo.min_count = res->min_count;
    mo.min_len = o->min_len ? o->min_len : 1;
    mo.max_len = o->max_len;
    if (o->kind == WRITE_ITEMSETS)
        mo.target = o->target;
    else
        mo.min_len = 1;   /* rules need every frequent set; their length is filtered below */
    crm_basket_itemsets *sets = NULL;
    crm_basket_rules *rules = NULL;
    uint32_t *ante = NULL, *cons = NULL;
    st = run->merged ? crm_basket_son_itemsets(run->merged, run->mined, run->edges, &mo, &sets, err)
                     : crm_basket_mine(run->mined, &mo, &sets, err);
    if (st != CRM_OK)
        return st;
    if (o->kind == WRITE_ITEMSETS) {
        st = wrote(w, crm_basket_write_itemsets(w, sets, o->separator, o->label_column ? run->mined : NULL, err), err);
        res->written = crm_basket_itemsets_count(sets);
        crm_basket_itemsets_free(sets);
        return st;
    }

    crm_basket_rule_options ro;
    crm_basket_rule_options_init(&ro);
    ro.min_confidence = o->min_confidence;
    ro.min_lift = o->min_lift;
    ro.max_consequent = o->max_consequent;
    ro.min_len = o->min_len ? o->min_len : 1;
    ro.max_len = o->max_len;
    ro.order = o->order;
    ro.limits = &run->o->limits;
    if (o->antecedent && (st = item_list(run, "--antecedent", o->antecedent, &ante,
                                         &ro.n_antecedent_items, err)) == CRM_OK)
        ro.antecedent_items = ante;
    if (st == CRM_OK && o->consequent &&
        (st = item_list(run, "--consequent", o->consequent, &cons, &ro.n_consequent_items,
                        err)) == CRM_OK)
        ro.consequent_items = cons;
    if (st == CRM_OK)
        st = crm_basket_rules_generate(sets, &ro, &rules, err);
    if (st == CRM_OK && o->kind == WRITE_RULES) {
        st = wrote(w, crm_basket_write_rules(w, rules, run->mined, o->separator, o->label_column ? run->mined : NULL, err),
                   err);
        res->written = crm_basket_rules_count(rules);
    }
    if (st == CRM_OK && o->kind == WRITE_RECOMMENDATIONS)
        st = recommend_and_write(run, rules, w, res, err);
    crm_basket_rules_free(rules);
    crm_basket_itemsets_free(sets);
    free(ante);
    free(cons);
    return st;
}

/* ---- split runs (SON: --partial, --candidates, --merge) ---- */

/* Partial files, added up; their item separator is the run's. */
static crm_status read_partials(basket_run *run, crm_basket_partial *p, const char *const *paths, size_t n,
                                crm_error *err)
{
    crm_csv_options opts;
    crm_cli_csv_options(run->common, &opts);
    crm_status st = CRM_OK;
    for (size_t i = 0; i < (n ? n : 1) && st == CRM_OK; i++)
        st = crm_basket_partial_read(p, n ? paths[i] : NULL, &opts, err);
    const crm_basket_partial_settings *s = crm_basket_partial_settings_get(p);
    if (st == CRM_OK && run->o->separator_given && s->separator != run->o->separator)
        return crm_error_set(err, CRM_EUSAGE, "--item-separator '%c' differs from the partials' '%c'",
                             run->o->separator, s->separator);
    if (st == CRM_OK)
        run->o->separator = s->separator;
    return st;
}

static crm_status read_merge_inputs(basket_run *run, crm_error *err)
{
    crm_status st = crm_basket_partial_new(&run->merged, err);
    if (st == CRM_OK)
        st = read_partials(run, run->merged, run->common->inputs, run->common->ninputs, err);
    if (st == CRM_OK && !run->o->partial)
        st = crm_basket_son_tally(run->merged, &run->mined, &run->edges, err);
    return st;
}

static crm_status split_and_write(basket_run *run, crm_csv_writer *w, run_result *res, crm_error *err)
{
    const basket_options_t *o = run->o;
    crm_basket_partial *out = run->merged, *pass1 = NULL;
    crm_status st = CRM_OK;
    if (!o->merge && (st = crm_basket_partial_new(&out, err)) != CRM_OK)
        return st;
    if (!o->merge && !o->ncandidates) {
        crm_basket_mine_options mo;
        crm_basket_mine_options_init(&mo);
        mo.max_len = o->max_len;
        mo.target = o->target;
        crm_basket_partial_settings s = {1, o->min_support ? o->min_support : 0.1, crm_basket_mine_len(&mo),
                                         o->separator, o->empty};
        st = crm_basket_son_pass1(run->mined, &s, &run->o->limits, out, &res->min_count, err);
    } else if (!o->merge) {
        if ((st = crm_basket_partial_new(&pass1, err)) == CRM_OK)
            st = read_partials(run, pass1, o->candidates, o->ncandidates, err);
        if (st == CRM_OK)
            st = crm_basket_son_pass2(pass1, run->mined, &run->o->limits, out, err);
        if (st == CRM_OK)
            res->candidates = crm_basket_partial_coverage_get(out)->count;
    }
    if (st == CRM_OK && (st = crm_basket_partial_write(out, w, err)) != CRM_OK && st != CRM_ENOMEM)
        st = write_fail(w, st, err);
    res->written = crm_basket_partial_itemset_count(out);
    crm_basket_partial_free(pass1);
    if (out != run->merged)
        crm_basket_partial_free(out);
    return st;
}

static void print_split_summary(const basket_run *run, const run_result *res)
{
    const basket_options_t *o = run->o;
    if (o->merge) {
        fprintf(stderr, "crm-basket: added up %llu pieces: %llu baskets, %zu edge baskets, %llu itemsets\n",
                (unsigned long long)crm_basket_partial_pieces(run->merged),
                (unsigned long long)crm_basket_partial_baskets(run->merged),
                crm_basket_partial_edge_count(run->merged), (unsigned long long)res->written);
        return;
    }
    const crm_basket_db_stats *k = crm_basket_db_stats_get(run->mined);
    size_t edges = crm_basket_db_aside_count(run->mined);
    if (o->ncandidates)
        fprintf(stderr, "crm-basket: pass 2: %llu baskets, %zu edge baskets set aside, %llu candidates: "
                "%llu itemsets counted\n", (unsigned long long)k->baskets, edges,
                (unsigned long long)res->candidates, (unsigned long long)res->written);
    else
        fprintf(stderr, "crm-basket: pass 1: %llu baskets, %zu edge baskets set aside, local minimum count "
                "%llu: %llu itemsets\n", (unsigned long long)k->baskets, edges,
                (unsigned long long)res->min_count, (unsigned long long)res->written);
}

/* A limit of the library stopped the run: say which option raises it. */
static void name_limit(const crm_basket_limits *limits, crm_error *err)
{
    static const char *const advice[] = {
        [CRM_BASKET_TOO_MANY_ITEMSETS] = "raise --max-itemsets or the minimum support "
                                         "(--min-support, --min-count), or set --max-len",
        [CRM_BASKET_TOO_MANY_RULES] = "raise --max-rules, or --min-confidence, --min-lift or "
                                      "the minimum support",
        [CRM_BASKET_OVER_MEMORY] = "raise --max-memory or the minimum support (--min-support, "
                                   "--min-count)",
    };
    if (limits->reached == CRM_BASKET_WITHIN_LIMITS)
        return;
    size_t len = strlen(err->message);
    snprintf(err->message + len, sizeof err->message - len, "; %s", advice[limits->reached]);
}

/* ---- up-sell (--upsell --catalog FILE) ---- */

/* Read before the transactions, so that a product bought and missing from
 * the catalog can be named with its file and line. */
static crm_status read_catalog(basket_run *run, crm_error *err)
{
    crm_csv_options opts;
    crm_cli_csv_options(run->common, &opts);
    return crm_basket_catalog_file_read(run->o->catalog, &opts, skip_bad_row, &run->bad, &run->catalog, err);
}

static crm_status upsell_and_write(basket_run *run, crm_csv_writer *w, run_result *res, crm_error *err)
{
    crm_upsell *offers = NULL;
    size_t n = 0;
    crm_status st = crm_basket_upsell(run->mined, crm_basket_catalog_file_products(run->catalog), run->o->top,
                                      &offers, &n, err);
    if (st == CRM_OK)
        st = wrote(w, crm_basket_write_upsell(w, run->catalog, run->mined, offers, n, err), err);
    for (size_t i = 0; i < n && st == CRM_OK; i++) {
        if (i == 0 || offers[i].customer != offers[i - 1].customer)
            res->customers_served++;
    }
    res->written = n;
    free(offers);
    return st;
}

static const char *kind_name(output_kind kind)
{
    return kind == WRITE_ITEMSETS ? "itemsets" : kind == WRITE_RULES ? "rules" : "recommendations";
}

static void print_summary(const basket_run *run, const run_result *res)
{
    const crm_basket_db_stats *k = crm_basket_db_stats_get(run->mined);
    if (run->catalog)
        fprintf(stderr, "crm-basket: %llu customers, %llu items bought", (unsigned long long)k->baskets,
                (unsigned long long)k->items);
    else if (run->o->rules_file)
        fprintf(stderr, "crm-basket: %llu customers, %llu items, %zu of %zu rules from %s: %llu %s",
                (unsigned long long)k->baskets, (unsigned long long)k->items, res->rules_used,
                crm_basket_saved_rules_count(run->saved), crm_basket_saved_rules_input(run->saved),
                (unsigned long long)res->written,
                kind_name(run->o->kind));
    else
        fprintf(stderr, "crm-basket: %llu baskets, %llu items, minimum count %llu: %llu %s",
            (unsigned long long)k->baskets, (unsigned long long)k->items,
            (unsigned long long)res->min_count, (unsigned long long)res->written,
            kind_name(run->o->kind));
    if (run->o->kind == WRITE_RECOMMENDATIONS)
        fprintf(stderr, " for %llu customers", (unsigned long long)res->customers_served);
    fputc('\n', stderr);
    if (run->catalog)
        fprintf(stderr, "crm-basket: up-sell from %zu catalog products: %llu offers for %llu customers\n",
                crm_upsell_catalog_count(crm_basket_catalog_file_products(run->catalog)), (unsigned long long)res->written,
                (unsigned long long)res->customers_served);
    if (k->empty_baskets)
        fprintf(stderr, "crm-basket: empty baskets %s: %llu\n",
                run->o->empty == CRM_BASKET_EMPTY_SKIP ? "left out" : "counted in the baskets",
                (unsigned long long)k->empty_baskets);
    if (k->empty_items)
        fprintf(stderr, "crm-basket: empty items skipped: %llu\n", (unsigned long long)k->empty_items);
    if (k->duplicate_items)
        fprintf(stderr, "crm-basket: repeated items within a basket, counted once: %llu\n",
                (unsigned long long)k->duplicate_items);
    if (k->excluded_items)
        fprintf(stderr, "crm-basket: excluded items left out: %llu\n", (unsigned long long)k->excluded_items);
    if (run->saved && crm_basket_saved_rules_excluded(run->saved))
        fprintf(stderr, "crm-basket: saved rules with excluded items left out: %llu\n",
                (unsigned long long)crm_basket_saved_rules_excluded(run->saved));
}

static void fill_report(crm_report *rep, const basket_run *run, const run_result *res)
{
    crm_report_set(rep, "rows_in", run->rows);
    crm_report_set(rep, "rows_skipped", run->bad.skipped);
    if (!run->mined || !crm_basket_db_stats_get(run->mined)->baskets)
        return;
    const crm_basket_db_stats *k = crm_basket_db_stats_get(run->mined);
    crm_report_set(rep, "baskets", k->baskets);
    crm_report_set(rep, "items", k->items);
    crm_report_set(rep, "empty_baskets", k->empty_baskets);
    crm_report_set(rep, "empty_items", k->empty_items);
    crm_report_set(rep, "duplicate_items", k->duplicate_items);
    if (run->exclude) {
        crm_report_set(rep, "excluded_items", k->excluded_items);
        if (run->o->rules_file)
            crm_report_set(rep, "excluded_rules", run->saved ? crm_basket_saved_rules_excluded(run->saved) : 0);
    }
    if (run->o->rules_file)
        crm_report_set(rep, "rules", res->rules_used);
    else
        crm_report_set(rep, "min_count", res->min_count);
    crm_report_set(rep, "rows_out", res->written);
    crm_report_set_text(rep, "output", run->catalog ? "upsell" : kind_name(run->o->kind));
}

int main(int argc, char **argv)
{
    crm_cli_init_process();
    basket_options_t o = {0};
    o.separator = ',';
    o.max_consequent = 1;
    o.min_confidence = 0.8;
    crm_basket_limits_init(&o.limits);
    crm_common_options common;
    crm_cli_spec spec = {"crm-basket", usage, basket_options, "q", handle_option, &o, 0, 1, 0};
    int exit_code;
    if (!crm_cli_start(&spec, argc, argv, &common, &exit_code)) {
        free(o.candidates);
        return exit_code;
    }
    crm_error err;
    crm_error_clear(&err);
    crm_status st = check_options(&o, &common, &err);
    int stdin_read = common.ninputs == 0;
    for (size_t i = 0; i < common.ninputs; i++)
        stdin_read |= strcmp(common.inputs[i], "-") == 0;
    if (st == CRM_OK && o.rules_file && strcmp(o.rules_file, "-") == 0 && stdin_read)
        st = crm_error_set(&err, CRM_EUSAGE, "--rules - and the transactions cannot both "
                           "come from standard input");
    for (size_t i = 0; i < o.ncandidates && st == CRM_OK; i++) {
        if (strcmp(o.candidates[i], "-") == 0 && stdin_read)
            st = crm_error_set(&err, CRM_EUSAGE, "--candidates - and the transactions cannot both "
                               "come from standard input");
    }
    crm_output_set *outputs = NULL;
    /* every file named before anything is read: an output must not replace an input */
    if (st == CRM_OK && (st = crm_cli_start_outputs(&common, &outputs, &err)) == CRM_OK)
        st = crm_output_set_add_input(outputs, "--rules", o.rules_file, &err);
    if (st == CRM_OK)
        st = crm_output_set_add_input(outputs, "--catalog", o.catalog, &err);
    for (size_t i = 0; i < o.ncandidates && st == CRM_OK; i++)
        st = crm_output_set_add_input(outputs, "--candidates", o.candidates[i], &err);
    if (st != CRM_OK) {
        crm_output_set_free(outputs);
        free(o.candidates);
        return crm_cli_fail("crm-basket", &err);
    }

    basket_run run = {.o = &o, .common = &common};
    run.bad.skip = o.skip_bad;
    if (o.rules_file || o.upsell)
        o.by_customer = 1;   /* no mining: the one database is the customers' */
    run_result res = {0};
    crm_report *report = crm_report_new("crm-basket");
    crm_progress_start(&run.progress, "crm-basket", common.progress);
    crm_csv_writer *w = NULL;
    st = crm_cli_open_output(outputs, common.output, common.gzip, &w, &err);
    if (st == CRM_OK)
        crm_csv_writer_escape_formulas(w, common.escape_formulas);
    if (st == CRM_OK)
        st = o.merge ? read_merge_inputs(&run, &err) : read_inputs(&run, &err);
    crm_progress_finish(&run.progress, run.rows, run.bytes_before);
    if (st == CRM_OK) {
        st = o.upsell    ? upsell_and_write(&run, w, &res, &err)
             : o.partial ? split_and_write(&run, w, &res, &err)
                         : mine_and_write(&run, w, &res, &err);
        if (st != CRM_OK)
            name_limit(&o.limits, &err);
    }
    if (st == CRM_OK) {
        st = crm_csv_writer_close(w, &err);
        w = NULL;
    }
    if (w)
        crm_csv_writer_abort(w);   /* a failed run leaves an earlier output file in place */
    if (report)
        fill_report(report, &run, &res);
    st = crm_cli_end_run("crm-basket", outputs, report, common.report, st, &err);
    if (st == CRM_OK && !o.quiet) {
        crm_cli_note_skipped("crm-basket", &run.bad);
        if (o.partial)
            print_split_summary(&run, &res);
        else
            print_summary(&run, &res);
    }
    crm_report_free(report);
    if (run.customers != run.mined)
        crm_basket_db_free(run.customers);
    crm_basket_db_free(run.mined);
    crm_strtab_free(run.items);
    crm_strtab_free(run.exclude);
    crm_basket_saved_rules_free(run.saved);
    crm_basket_catalog_file_free(run.catalog);
    crm_basket_partial_free(run.merged);
    crm_basket_db_free(run.edges);
    free(o.candidates);
    if (st != CRM_OK)
        return crm_cli_fail("crm-basket", &err);
    return 0;
}
