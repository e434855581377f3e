#include "crm/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void crm_error_clear(crm_error *err)
{
    if (err) {
        err->status = CRM_OK;
        err->message[0] = '\0';
    }
}

crm_status crm_error_set(crm_error *err, crm_status status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
        err->status = status;
    }
    return status;
}

void crm_error_prefix(crm_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[CRM_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    size_t plen = (size_t)n < sizeof prefix ? (size_t)n : sizeof prefix - 1;
    size_t mlen = strlen(err->message);
    if (plen + mlen >= sizeof err->message)
        mlen = sizeof err->message - plen - 1;
    memmove(err->message + plen, err->message, mlen);
    memcpy(err->message, prefix, plen);
    err->message[plen + mlen] = '\0';
}

int crm_status_exit_code(crm_status status)
{
    switch (status) {
    case CRM_OK:
    case CRM_EPIPE:
        return 0;
    case CRM_EUSAGE:
        return 2;
    default:
        return 1;
    }
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when the bytes there
 * are not one (so that messages show them as \xNN instead). */
static size_t utf8_sequence(const unsigned char *s, size_t left)
{
    size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
    if (s[0] < 0xc2 || s[0] > 0xf4 || n > left)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) || (s[0] == 0xf0 && s[1] < 0x90) ||
        (s[0] == 0xf4 && s[1] > 0x8f))
        return 0; /* overlong, surrogate or above U+10FFFF */
    return n;
}

const char *crm_error_quote(char *buf, size_t bufsize, const char *value, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const size_t ellipsis = 3;
    const unsigned char *v = (const unsigned char *)value;
    size_t out = 0;
    if (bufsize == 0)
        return buf;
    for (size_t i = 0; i < len;) {
        size_t seq = v[i] < 0x80 ? 1 : utf8_sequence(v + i, len - i);
        int escape = seq == 0 || v[i] < 0x20 || v[i] == 0x7f;
        size_t need = escape ? 4 : seq;
        if (out + need + ellipsis + 1 > bufsize) {
            if (out + ellipsis + 1 <= bufsize) {
                memcpy(buf + out, "...", ellipsis);
                out += ellipsis;
            }
            break;
        }
        if (escape) {
            buf[out++] = '\\';
            buf[out++] = 'x';
            buf[out++] = hex[v[i] >> 4];
            buf[out++] = hex[v[i] & 15];
            i++;
        } else {
            memcpy(buf + out, v + i, seq);
            out += seq;
            i += seq;
        }
    }
    buf[out] = '\0';
    return buf;
}
