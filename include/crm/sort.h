/* Sorting helpers shared by the modules that need a stable order or sorted
 * id lists: a stable merge sort with a context (C11 qsort has none and is
 * not stable), sorting and de-duplicating 32-bit ids, and the comparisons
 * that several orders are built from.  Knows nothing of CRM. */
#ifndef CRM_SORT_H
#define CRM_SORT_H

#include <stddef.h>
#include <stdint.h>

/* Negative when a goes before b, positive when after, 0 when equal; a and b
 * point at elements of the array being sorted. */
typedef int (*crm_sort_compare)(const void *ctx, const void *a, const void *b);

/* Sorts n elements of size bytes at base, stably (equal elements keep their
 * order).  Returns 0, or -1 when out of memory (the array is unchanged). */
int crm_sort_stable(void *base, size_t n, size_t size, crm_sort_compare cmp, const void *ctx);

/* Sorts ids ascending. */
void crm_sort_u32(uint32_t *v, size_t n);

/* Sorts ids ascending and drops repeats; returns the new length. */
size_t crm_sort_unique_u32(uint32_t *v, size_t n);

/* Compares two id lists element by element; a proper prefix goes first. */
int crm_compare_u32_lists(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);

/* -1, 0 or 1 for a descending order: the larger value first. */
int crm_compare_double_desc(double a, double b);
int crm_compare_u64_desc(uint64_t a, uint64_t b);

#endif
