/* Market basket analysis split across processes: the partial files of SON
 * (Savasere, Omiecinski and Navathe 1995), crm-basket --partial / --merge.
 *
 * Pass 1 mines every piece of the input for its local frequent itemsets;
 * the union of them all (the candidates) contains every itemset frequent
 * in the whole input.  Pass 2 counts exactly those candidates in every
 * piece; the merge adds the counts up.  crm/basket_son.h computes the
 * steps; this module is their files.
 *
 * A partial file is CSV with the header record,key,value,count and one
 * row per fact:
 *   phase,,1|2,               which pass wrote it
 *   support,,S,               the share of the baskets the pieces were mined at
 *   max_len,,L,               the longest itemsets mined (0: no limit)
 *   separator,,C,             the item separator inside {a,b}
 *   empty,,count|skip|error,  the empty-basket policy
 *   pieces,,,N                pieces of input the file stands for
 *   baskets,,,N               baskets counted (edges not included)
 *   slack,,,N                 pass 1: the sum over pieces of (local minimum
 *                             count - 1), see crm/basket_son.h
 *   empty_baskets / empty_items / duplicate_items / excluded_items,,,N
 *                             the basket database's statistics
 *   itemset,,{a,b},N          an itemset and its count (pass 1: the local
 *                             frequent ones; pass 2: every candidate found)
 *   edge,KEY,{a,b,a},         a basket that may go on in another piece:
 *                             its key and raw items (input order, repeats)
 *   basket,KEY,HASH,          pass 2: a basket counted here, its key and the
 *                             64-bit FNV-1a hash of the key (16 hex digits);
 *                             merged files keep the hash only (KEY empty)
 *   candidates,DIGEST,,N      pass 2: the candidates counted (their number
 *                             and the sum of the FNV-1a hashes of their texts)
 *   covered_pieces / covered_baskets / covered_edge_items,,,N
 *                             pass 2: what the pass-1 files held
 * Every file is additive: reading several files (or their concatenation,
 * where a repeated header row is skipped) sums the counts, joins edges of
 * equal key, and requires the settings, candidates and covered_* rows to
 * agree.  Reading refuses a basket key found twice (the rows of one basket
 * were not contiguous; see crm-basket(1)).
 * Formats module: reads and writes CSV through crm/csv.h; never prints or
 * exits; errors through crm_error, naming file, line, column and value. */
#ifndef CRM_BASKET_PARTIAL_H
#define CRM_BASKET_PARTIAL_H

#include <stddef.h>
#include <stdint.h>

#include "crm/basket.h"
#include "crm/csv.h"
#include "crm/error.h"

typedef struct {
    int phase;                      /* 1 or 2 */
    double support;                 /* 0 < support <= 1 */
    size_t max_len;                 /* 0: no limit */
    char separator;
    crm_basket_empty_policy empty;
} crm_basket_partial_settings;

typedef struct {
    uint64_t digest, count;                     /* of the candidate texts */
    uint64_t pieces, baskets, edge_items;       /* what the pass-1 files held */
} crm_basket_partial_coverage;

typedef struct crm_basket_partial crm_basket_partial;

crm_status crm_basket_partial_new(crm_basket_partial **out, crm_error *err);
void crm_basket_partial_free(crm_basket_partial *p);

/* Reads one partial file (NULL or "-": standard input) and adds it.  The
 * CSV options say how to open it (gzip is recognised; delimiter, header and
 * encoding are the file's own and set here). */
crm_status crm_basket_partial_read(crm_basket_partial *p, const char *path, const crm_csv_options *opts,
                                   crm_error *err);

/* ---- building (what a piece adds) ---- */
/* Sets the settings, or checks them against those known (CRM_EDATA). */
crm_status crm_basket_partial_set_settings(crm_basket_partial *p, const crm_basket_partial_settings *s,
                                           crm_error *err);
crm_status crm_basket_partial_set_coverage(crm_basket_partial *p, const crm_basket_partial_coverage *c,
                                           crm_error *err);
/* Adds pieces and baskets counted with their statistics. */
void crm_basket_partial_add_baskets(crm_basket_partial *p, uint64_t pieces, uint64_t baskets,
                                    const crm_basket_db_stats *stats);
/* Adds count to an itemset given as its text: the item names in name
 * (byte) order joined by the separator, without braces. */
crm_status crm_basket_partial_add_itemset(crm_basket_partial *p, const char *text, size_t len, uint64_t count,
                                          crm_error *err);
/* Adds items to the edge basket of key (created when new, even with no
 * items). */
crm_status crm_basket_partial_add_edge(crm_basket_partial *p, const char *key, size_t key_len,
                                       const char *const *items, const size_t *lens, size_t n, crm_error *err);
/* Adds to the slack (pass 1). */
void crm_basket_partial_add_slack(crm_basket_partial *p, uint64_t slack);
uint64_t crm_basket_partial_slack(const crm_basket_partial *p);
/* Adds a counted basket's key (key NULL: its hash only).  CRM_EDATA when
 * the key was added before, or is an edge's. */
crm_status crm_basket_partial_add_key(crm_basket_partial *p, const char *key, size_t len, uint64_t hash,
                                      crm_error *err);

/* ---- reading back ---- */
/* NULL until settings are known. */
const crm_basket_partial_settings *crm_basket_partial_settings_get(const crm_basket_partial *p);
/* NULL unless pass-2 rows were read or set. */
const crm_basket_partial_coverage *crm_basket_partial_coverage_get(const crm_basket_partial *p);
uint64_t crm_basket_partial_pieces(const crm_basket_partial *p);
uint64_t crm_basket_partial_baskets(const crm_basket_partial *p);
const crm_basket_db_stats *crm_basket_partial_stats(const crm_basket_partial *p);
size_t crm_basket_partial_itemset_count(const crm_basket_partial *p);
/* Itemset i (in the order first added): its text (as added) and count. */
const char *crm_basket_partial_itemset(const crm_basket_partial *p, size_t i, size_t *len, uint64_t *count);
size_t crm_basket_partial_edge_count(const crm_basket_partial *p);
/* Edge i: its key; item j of it by crm_basket_partial_edge_item. */
const char *crm_basket_partial_edge(const crm_basket_partial *p, size_t i, size_t *key_len, size_t *nitems);
const char *crm_basket_partial_edge_item(const crm_basket_partial *p, size_t i, size_t j, size_t *len);
/* Raw items of all edges together. */
uint64_t crm_basket_partial_edge_items(const crm_basket_partial *p);
/* CRM_EDATA when an edge's key is also the key of a counted basket. */
crm_status crm_basket_partial_check_edges(const crm_basket_partial *p, crm_error *err);

/* Writes p as a partial file of its phase. */
crm_status crm_basket_partial_write(const crm_basket_partial *p, crm_csv_writer *w, crm_error *err);

/* The key hash of basket rows: 64-bit FNV-1a (crm/shard.h). */
uint64_t crm_basket_partial_key_hash(const char *key, size_t len);

#endif
