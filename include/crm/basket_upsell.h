/* Up-sell: the second move of customer development beside cross-sell
 * (crm/basket_recommend.h).  To a customer who buys in a category, offer
 * the products of that category that cost more than the dearest one the
 * customer bought there, and that the customer has not bought.
 *
 * A catalog gives each product its category and price.  For customer c and
 * a category K that c bought in, with p_max the highest catalog price among
 * c's products in K, the candidates are the products of K with price >
 * p_max that c has not bought.  Each is scored by its popularity among K's
 * buyers:
 *
 *   score = buyers(product) / buyers(K)
 *
 * buyers(product) the customers who bought the product, buyers(K) those who
 * bought anything in K (0 for a product nobody bought yet).  Order per
 * customer: score descending, then price ascending (the smaller step up
 * first), then product id in byte order; at most top_n per customer (0:
 * all).  Customers come in basket order (first appearance).  Products a
 * customer bought that the catalog does not know take no part (the caller
 * decides whether that is an error).
 *
 * Pure computation: no files, printing or exit. */
#ifndef CRM_BASKET_UPSELL_H
#define CRM_BASKET_UPSELL_H

#include <stddef.h>
#include <stdint.h>

#include "crm/basket.h"
#include "crm/error.h"
#include "crm/number.h"

typedef struct crm_upsell_catalog crm_upsell_catalog;

crm_status crm_upsell_catalog_new(crm_upsell_catalog **out, crm_error *err);
void crm_upsell_catalog_free(crm_upsell_catalog *c);
/* Adds a product (non-empty id and category).  CRM_EDATA when the product
 * is there already ("product 'X' appears twice"); CRM_ENOMEM. */
crm_status crm_upsell_catalog_add(crm_upsell_catalog *c, const char *product, size_t product_len,
                                  const char *category, size_t category_len, crm_decimal price, crm_error *err);
size_t crm_upsell_catalog_count(const crm_upsell_catalog *c);
/* 1 and *index (order of adding) when the catalog has the product. */
int crm_upsell_catalog_find(const crm_upsell_catalog *c, const char *product, size_t len, uint32_t *index);
const char *crm_upsell_catalog_product(const crm_upsell_catalog *c, uint32_t index, size_t *len);
const char *crm_upsell_catalog_category(const crm_upsell_catalog *c, uint32_t index, size_t *len);
crm_decimal crm_upsell_catalog_price(const crm_upsell_catalog *c, uint32_t index);

typedef struct {
    size_t customer;            /* basket index in the customers database */
    uint32_t product;           /* catalog index of the offer */
    uint32_t above;             /* catalog index of the dearest product bought in the category */
    uint64_t buyers;            /* customers who bought the offer */
    uint64_t category_buyers;   /* customers who bought in its category */
    double score;               /* buyers / category_buyers */
} crm_upsell;

/* The offers for every customer of customers (one basket per customer).
 * *out (free() it) receives *n offers in the order above. */
crm_status crm_basket_upsell(const crm_basket_db *customers, const crm_upsell_catalog *c, size_t top_n,
                             crm_upsell **out, size_t *n, crm_error *err);

#endif
