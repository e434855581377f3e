#include "crm/sort.h"

#include <stdlib.h>
#include <string.h>

int crm_sort_stable(void *base, size_t n, size_t size, crm_sort_compare cmp, const void *ctx)
{
    if (n < 2)
        return 0;
    unsigned char *tmp = malloc(n * size);
    if (!tmp)
        return -1;
    /* Bottom-up merge sort: runs of width 1, 2, 4, ... merged from src into
     * dst, taking the right element only when it is strictly smaller. */
    unsigned char *src = base, *dst = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                if (cmp(ctx, src + j * size, src + i * size) < 0)
                    memcpy(dst + k++ * size, src + j++ * size, size);
                else
                    memcpy(dst + k++ * size, src + i++ * size, size);
            }
            memcpy(dst + k * size, src + i * size, (mid - i) * size);
            k += mid - i;
            memcpy(dst + k * size, src + j * size, (hi - j) * size);
        }
        unsigned char *t = src;
        src = dst;
        dst = t;
    }
    if (src != (unsigned char *)base)
        memcpy(base, src, n * size);
    free(tmp);
    return 0;
}

static int compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

void crm_sort_u32(uint32_t *v, size_t n)
{
    /* Most lists (a basket, an itemset) are short: insertion sort beats
     * qsort's calls through a function pointer there. */
    if (n >= 24) {
        qsort(v, n, sizeof *v, compare_u32);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        uint32_t x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

size_t crm_sort_unique_u32(uint32_t *v, size_t n)
{
    crm_sort_u32(v, n);
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        if (u == 0 || v[u - 1] != v[i])
            v[u++] = v[i];
    }
    return u;
}

int crm_compare_u32_lists(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    size_t n = na < nb ? na : nb;
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    }
    return (na > nb) - (na < nb);
}

int crm_compare_double_desc(double a, double b)
{
    return (a < b) - (a > b);
}

int crm_compare_u64_desc(uint64_t a, uint64_t b)
{
    return (a < b) - (a > b);
}
