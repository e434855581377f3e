#include "crm/shard.h"

#include <string.h>

enum { FNV_SHARD_DIGITS_MAX = 7 };   /* CRM_SHARD_MAX has 7 digits */

uint64_t crm_shard_hash(const void *key, size_t len)
{
    const unsigned char *p = key;
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

uint32_t crm_shard_of(const void *key, size_t len, uint32_t count)
{
    return (uint32_t)(crm_shard_hash(key, len) % count) + 1;
}

int crm_shard_keeps(const crm_shard *shard, const void *key, size_t len)
{
    if (!shard || shard->count == 0)
        return 1;
    return crm_shard_of(key, len, shard->count) == shard->index;
}

/* Digits only (no sign, no spaces), at most FNV_SHARD_DIGITS_MAX of them;
 * *end is set past them.  0 when there are none or too many. */
static int read_count(const char *s, const char **end, uint32_t *out)
{
    uint32_t v = 0;
    size_t n = 0;
    while (s[n] >= '0' && s[n] <= '9') {
        if (n == FNV_SHARD_DIGITS_MAX)
            return 0;
        v = v * 10 + (uint32_t)(s[n] - '0');
        n++;
    }
    *end = s + n;
    *out = v;
    return n > 0;
}

crm_status crm_shard_parse(const char *arg, crm_shard *out, crm_error *err)
{
    const char *p = arg;
    uint32_t index, count;
    int ok = read_count(p, &p, &index) && *p == '/' && read_count(p + 1, &p, &count) && *p == '\0';
    ok = ok && index >= 1 && index <= count && count <= CRM_SHARD_MAX;
    if (!ok) {
        char shown[64];
        return crm_error_set(err, CRM_EUSAGE, "--shard wants I/N with 1 <= I <= N <= %d, got '%s'",
                             CRM_SHARD_MAX, crm_error_quote(shown, sizeof shown, arg, strlen(arg)));
    }
    out->index = index;
    out->count = count;
    return CRM_OK;
}
