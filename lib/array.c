#include "crm/array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int crm_array_reserve(void *items_ptr, size_t *cap, size_t need, size_t elem_size)
{
    if (need <= *cap)
        return 1;
    size_t n = *cap ? *cap : 16;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            return 0;
        n *= 2;
    }
    if (elem_size && n > SIZE_MAX / elem_size)
        return 0;
    /* The pointer is passed by address as void * so that callers need no
     * cast to void **; copy it in and out by bytes. */
    void *items;
    memcpy(&items, items_ptr, sizeof items);
    void *grown = realloc(items, n * elem_size);
    if (!grown)
        return 0;
    memcpy(items_ptr, &grown, sizeof grown);
    *cap = n;
    return 1;
}
