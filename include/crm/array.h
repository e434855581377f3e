/* Growing arrays: the one place that doubles a buffer's capacity, so that
 * every module grows its arrays the same way (amortised O(1) appends, size
 * overflow checked).  Knows nothing of CRM. */
#ifndef CRM_ARRAY_H
#define CRM_ARRAY_H

#include <stddef.h>

/* Makes room for at least `need` elements of elem_size bytes in the array
 * whose pointer is at items_ptr (pass &array), doubling the capacity from
 * at least 16.  Returns 1 on success; 0 when out of memory or the size
 * overflows, leaving the array and *cap unchanged. */
int crm_array_reserve(void *items_ptr, size_t *cap, size_t need, size_t elem_size);

#endif
