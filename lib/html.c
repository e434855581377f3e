/* HTML and SVG text: see include/crm/html.h. */
#include "crm/html.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/number.h"

enum { MAX_DEPTH = 64, MAX_TAG = 16 };

struct crm_html {
    char *data;
    size_t len, cap;
    char stack[MAX_DEPTH][MAX_TAG];
    size_t depth;
    int in_start_tag;     /* "<tag attr=..." written, ">" not yet */
    crm_status status;
    char problem[128];
};

crm_html *crm_html_new(void)
{
    crm_html *h = calloc(1, sizeof *h);
    if (h == NULL) return NULL;
    h->cap = 4096;
    h->data = malloc(h->cap);
    if (h->data == NULL) {
        free(h);
        return NULL;
    }
    h->data[0] = '\0';
    return h;
}

void crm_html_free(crm_html *h)
{
    if (h == NULL) return;
    free(h->data);
    free(h);
}

static void fail(crm_html *h, crm_status st, const char *problem)
{
    if (h->status != CRM_OK) return;
    h->status = st;
    snprintf(h->problem, sizeof h->problem, "%s", problem);
}

static void put(crm_html *h, const char *s, size_t n)
{
    if (h->status != CRM_OK) return;
    if (h->len + n + 1 > h->cap) {
        size_t cap = h->cap;
        while (h->len + n + 1 > cap) cap *= 2;
        char *grown = realloc(h->data, cap);
        if (grown == NULL) {
            fail(h, CRM_ENOMEM, "out of memory building the page");
            return;
        }
        h->data = grown;
        h->cap = cap;
    }
    memcpy(h->data + h->len, s, n);
    h->len += n;
    h->data[h->len] = '\0';
}

static void puts_(crm_html *h, const char *s) { put(h, s, strlen(s)); }

/* Writes bytes with the five characters that mean something in markup
 * replaced by entities: the same escaping serves text and attribute values. */
static void put_escaped(crm_html *h, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *entity = NULL;
        switch (s[i]) {
        case '&': entity = "&amp;"; break;
        case '<': entity = "&lt;"; break;
        case '>': entity = "&gt;"; break;
        case '"': entity = "&quot;"; break;
        case '\'': entity = "&#39;"; break;
        default: break;
        }
        if (entity != NULL) {
            put(h, s + start, i - start);
            puts_(h, entity);
            start = i + 1;
        }
    }
    put(h, s + start, n - start);
}

static void end_start_tag(crm_html *h)
{
    if (h->in_start_tag) {
        put(h, ">", 1);
        h->in_start_tag = 0;
    }
}

void crm_html_raw(crm_html *h, const char *markup)
{
    end_start_tag(h);
    puts_(h, markup);
}

void crm_html_open(crm_html *h, const char *tag)
{
    end_start_tag(h);
    if (h->depth >= MAX_DEPTH || strlen(tag) >= MAX_TAG) {
        fail(h, CRM_EUSAGE, "elements nested too deep or tag too long");
        return;
    }
    snprintf(h->stack[h->depth++], MAX_TAG, "%s", tag);
    put(h, "<", 1);
    puts_(h, tag);
    h->in_start_tag = 1;
}

void crm_html_attr(crm_html *h, const char *name, const char *value)
{
    if (!h->in_start_tag) {
        fail(h, CRM_EUSAGE, "attribute outside a start tag");
        return;
    }
    put(h, " ", 1);
    puts_(h, name);
    put(h, "=\"", 2);
    put_escaped(h, value, strlen(value));
    put(h, "\"", 1);
}

static size_t format_number(double value, int decimals, char buf[CRM_NUMBER_TEXT_MAX])
{
    if (!isfinite(value)) return (size_t)snprintf(buf, CRM_NUMBER_TEXT_MAX, "%s", "");
    return crm_double_format_fixed(value, decimals, buf);
}

void crm_html_attr_number(crm_html *h, const char *name, double value, int decimals)
{
    char buf[CRM_NUMBER_TEXT_MAX];
    format_number(value, decimals, buf);
    crm_html_attr(h, name, buf);
}

/* Elements that may stand alone as <x/>: HTML void elements and the SVG
 * shapes.  Any other empty element gets an end tag, since HTML reads "<td/>"
 * as an open cell. */
static int self_closing(const char *tag)
{
    static const char *const tags[] = {"meta", "br", "hr", "img", "col", "rect", "line", "circle",
                                       "path", "polyline", "polygon", NULL};
    for (size_t i = 0; tags[i] != NULL; i++)
        if (strcmp(tags[i], tag) == 0) return 1;
    return 0;
}

void crm_html_close(crm_html *h)
{
    if (h->depth == 0) {
        fail(h, CRM_EUSAGE, "closing an element that was never opened");
        return;
    }
    const char *tag = h->stack[--h->depth];
    if (h->in_start_tag && self_closing(tag)) {
        put(h, "/>", 2);
        h->in_start_tag = 0;
        return;
    }
    end_start_tag(h);
    put(h, "</", 2);
    puts_(h, tag);
    put(h, ">", 1);
}

void crm_html_text(crm_html *h, const char *text, size_t len)
{
    end_start_tag(h);
    put_escaped(h, text, len == (size_t)-1 ? strlen(text) : len);
}

void crm_html_number(crm_html *h, double value, int decimals)
{
    char buf[CRM_NUMBER_TEXT_MAX];
    size_t n = format_number(value, decimals, buf);
    crm_html_text(h, buf, n);
}

void crm_html_element(crm_html *h, const char *tag, const char *text)
{
    crm_html_open(h, tag);
    crm_html_text(h, text, (size_t)-1);
    crm_html_close(h);
}

size_t crm_html_depth(const crm_html *h) { return h->depth; }

crm_status crm_html_status(const crm_html *h, crm_error *err)
{
    if (h->status != CRM_OK) return crm_error_set(err, h->status, "%s", h->problem);
    return CRM_OK;
}

const char *crm_html_data(const crm_html *h, size_t *len)
{
    if (len != NULL) *len = h->len;
    return h->data;
}
