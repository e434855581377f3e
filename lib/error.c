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

const char *crm_error_quote(char *buf, size_t bufsize, const char *value, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const size_t ellipsis = 3;
    size_t out = 0;
    if (bufsize == 0)
        return buf;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];
        size_t need = (c < 0x20 || c == 0x7f) ? 4 : 1;
        if (out + need + ellipsis + 1 > bufsize) {
            if (out + ellipsis + 1 <= bufsize) {
                memcpy(buf + out, "...", ellipsis);
                out += ellipsis;
            }
            break;
        }
        if (need == 4) {
            buf[out++] = '\\';
            buf[out++] = 'x';
            buf[out++] = hex[c >> 4];
            buf[out++] = hex[c & 15];
        } else {
            buf[out++] = (char)c;
        }
    }
    buf[out] = '\0';
    return buf;
}
