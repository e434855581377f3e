/* HTML and SVG as text: an in-memory page built element by element, with
 * escaping done once, here.  Every text and attribute value goes through
 * crm_html_text / crm_html_attr, so no caller can forget to escape; elements
 * are opened and closed on a stack, so the markup is always well nested
 * (closing the wrong element is a programming error caught by assert-like
 * failure: the page is marked failed).  Numbers are written with a fixed
 * number of decimals and '.', never by the locale.  Knows nothing of CRM. */
#ifndef CRM_HTML_H
#define CRM_HTML_H

#include <stddef.h>

#include "crm/error.h"

typedef struct crm_html crm_html;

crm_html *crm_html_new(void);
void crm_html_free(crm_html *h);

/* Markup written as it is (the doctype, a style sheet).  Never for data. */
void crm_html_raw(crm_html *h, const char *markup);

/* Starts an element: "<tag"; attributes may follow until content, another
 * element or the close. */
void crm_html_open(crm_html *h, const char *tag);
/* An attribute of the element just opened, the value escaped. */
void crm_html_attr(crm_html *h, const char *name, const char *value);
/* A numeric attribute with a fixed number of decimals ("12.5"). */
void crm_html_attr_number(crm_html *h, const char *name, double value, int decimals);
/* Closes the innermost open element.  Elements without content that may be
 * self-closing (SVG shapes, HTML void elements) end with "/>"; the others get
 * their end tag. */
void crm_html_close(crm_html *h);

/* Escaped text content (& < > " ' become entities); len (size_t)-1 for strlen. */
void crm_html_text(crm_html *h, const char *text, size_t len);
/* A number as text content, fixed decimals, thousands not grouped. */
void crm_html_number(crm_html *h, double value, int decimals);
/* Shorthand: <tag>text</tag>. */
void crm_html_element(crm_html *h, const char *tag, const char *text);

/* Open elements still on the stack (0 once the page is complete). */
size_t crm_html_depth(const crm_html *h);
/* CRM_OK, or CRM_ENOMEM / CRM_EUSAGE (bad nesting) once anything failed;
 * the message says what. */
crm_status crm_html_status(const crm_html *h, crm_error *err);
/* The text so far (NUL-terminated). */
const char *crm_html_data(const crm_html *h, size_t *len);

#endif
