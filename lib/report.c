#include "crm/report.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "crm/output.h"

/* A report holds a handful of entries, so plain arrays searched from the
 * start keep the insertion order that the JSON shows. */
typedef struct {
    char *name;
    uint64_t value;
} report_counter;

typedef struct {
    char *name;
    char *value;
} report_text;

typedef struct {
    void *items;
    size_t count;
    size_t capacity;
} report_list;

typedef struct {
    char *name;
    report_list counters;  /* report_counter */
} report_group;

struct crm_report {
    char *command;
    double started;        /* monotonic seconds */
    double cpu_started;    /* process CPU seconds at the start */
    report_list counters;  /* report_counter */
    report_list reasons;   /* report_counter */
    report_list texts;     /* report_text */
    report_list groups;    /* report_group: "segments_rfm": {"Champions": 113, ...} */
    int out_of_memory;     /* a setter failed: write says so rather than lie */
};

static double timeval_seconds(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0.0;
    return timeval_seconds(ru.ru_utime) + timeval_seconds(ru.ru_stime);
}

static long max_rss_kb(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return ru.ru_maxrss; /* kilobytes on Linux */
}

static char *copy_string(const char *s)
{
    size_t len = strlen(s);
    char *copy = malloc(len + 1);
    if (copy)
        memcpy(copy, s, len + 1);
    return copy;
}

/* Room for one more item of item_size bytes; NULL when out of memory. */
static void *list_append(report_list *list, size_t item_size)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 8;
        void *items = realloc(list->items, capacity * item_size);
        if (!items)
            return NULL;
        list->items = items;
        list->capacity = capacity;
    }
    return (char *)list->items + item_size * list->count++;
}

crm_report *crm_report_new(const char *command)
{
    crm_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->command = copy_string(command ? command : "");
    if (!r->command) {
        free(r);
        return NULL;
    }
    r->started = crm_clock_seconds();
    r->cpu_started = cpu_seconds();
    return r;
}

static void free_counters(report_list *list)
{
    report_counter *items = list->items;
    for (size_t i = 0; i < list->count; i++)
        free(items[i].name);
    free(items);
}

void crm_report_free(crm_report *r)
{
    if (!r)
        return;
    free_counters(&r->counters);
    free_counters(&r->reasons);
    report_group *groups = r->groups.items;
    for (size_t i = 0; i < r->groups.count; i++) {
        free(groups[i].name);
        free_counters(&groups[i].counters);
    }
    free(r->groups.items);
    report_text *texts = r->texts.items;
    for (size_t i = 0; i < r->texts.count; i++) {
        free(texts[i].name);
        free(texts[i].value);
    }
    free(texts);
    free(r->command);
    free(r);
}

static report_counter *find_counter(const report_list *list, const char *name)
{
    report_counter *items = list->items;
    for (size_t i = 0; i < list->count; i++) {
        if (strcmp(items[i].name, name) == 0)
            return &items[i];
    }
    return NULL;
}

/* The counter called name, added (at 0) when it is not there yet. */
static report_counter *get_counter(crm_report *r, report_list *list, const char *name)
{
    report_counter *c = find_counter(list, name);
    if (c)
        return c;
    char *copy = copy_string(name);
    c = copy ? list_append(list, sizeof *c) : NULL;
    if (!c) {
        free(copy);
        r->out_of_memory = 1;
        return NULL;
    }
    c->name = copy;
    c->value = 0;
    return c;
}

/* The setters accept a NULL report (crm_report_new out of memory) so that
 * commands need not test it at every call; crm_report_write then fails. */
void crm_report_set(crm_report *r, const char *name, uint64_t value)
{
    if (!r)
        return;
    report_counter *c = get_counter(r, &r->counters, name);
    if (c)
        c->value = value;
}

void crm_report_add_reason(crm_report *r, const char *reason, uint64_t count)
{
    if (!r)
        return;
    report_counter *c = get_counter(r, &r->reasons, reason);
    if (c)
        c->value += count;
}

void crm_report_set_in(crm_report *r, const char *group, const char *name, uint64_t value)
{
    if (!r)
        return;
    report_group *groups = r->groups.items, *g = NULL;
    for (size_t i = 0; i < r->groups.count && !g; i++)
        if (strcmp(groups[i].name, group) == 0)
            g = &groups[i];
    if (!g) {
        char *copy = copy_string(group);
        g = copy ? list_append(&r->groups, sizeof *g) : NULL;
        if (!g) {
            free(copy);
            r->out_of_memory = 1;
            return;
        }
        *g = (report_group){copy, {NULL, 0, 0}};
    }
    report_counter *c = get_counter(r, &g->counters, name);
    if (c)
        c->value = value;
}

void crm_report_set_text(crm_report *r, const char *name, const char *value)
{
    if (!r)
        return;
    char *value_copy = copy_string(value ? value : "");
    if (!value_copy) {
        r->out_of_memory = 1;
        return;
    }
    report_text *items = r->texts.items;
    for (size_t i = 0; i < r->texts.count; i++) {
        if (strcmp(items[i].name, name) == 0) {
            free(items[i].value);
            items[i].value = value_copy;
            return;
        }
    }
    char *name_copy = copy_string(name);
    report_text *t = name_copy ? list_append(&r->texts, sizeof *t) : NULL;
    if (!t) {
        free(name_copy);
        free(value_copy);
        r->out_of_memory = 1;
        return;
    }
    t->name = name_copy;
    t->value = value_copy;
}

static const char *find_text(const crm_report *r, const char *name)
{
    const report_text *items = r->texts.items;
    for (size_t i = 0; i < r->texts.count; i++) {
        if (strcmp(items[i].name, name) == 0)
            return items[i].value;
    }
    return NULL;
}

/* ---- JSON text ----
 * Built in memory, then written in one piece: a report is small. */

typedef struct {
    char *data;
    size_t len;
    size_t capacity;
    int failed;
} text_buffer;

static void buffer_append(text_buffer *b, const char *s, size_t len)
{
    if (b->failed)
        return;
    if (b->len + len + 1 > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 1024;
        while (capacity < b->len + len + 1)
            capacity *= 2;
        char *data = realloc(b->data, capacity);
        if (!data) {
            b->failed = 1;
            return;
        }
        b->data = data;
        b->capacity = capacity;
    }
    memcpy(b->data + b->len, s, len);
    b->len += len;
    b->data[b->len] = '\0';
}

static void buffer_puts(text_buffer *b, const char *s)
{
    buffer_append(b, s, strlen(s));
}

static void buffer_printf(text_buffer *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void buffer_printf(text_buffer *b, const char *fmt, ...)
{
    char piece[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(piece, sizeof piece, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof piece) {
        b->failed = 1;
        return;
    }
    buffer_append(b, piece, (size_t)n);
}

/* Length of the valid UTF-8 sequence at s (at most len bytes), 0 if the
 * bytes there are not UTF-8.  JSON text must be Unicode, and a file name or
 * a value quoted in a reason may not be. */
static size_t utf8_sequence_length(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    size_t need;
    uint32_t min;
    uint32_t code;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        need = 2;
        min = 0x80;
        code = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 3;
        min = 0x800;
        code = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4;
        min = 0x10000;
        code = c & 0x07;
    } else {
        return 0;
    }
    if (len < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        code = (code << 6) | (s[i] & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
        return 0;
    return need;
}

/* A JSON string: quote and backslash escaped, control characters as
 * \u00XX, bytes that are not UTF-8 as U+FFFD. */
static void buffer_json_string(text_buffer *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s);
    buffer_puts(b, "\"");
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\') {
            char escaped[2] = {'\\', (char)c};
            buffer_append(b, escaped, 2);
            i++;
        } else if (c < 0x20) {
            char escaped[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            buffer_append(b, escaped, 6);
            i++;
        } else {
            size_t n = utf8_sequence_length(p + i, len - i);
            if (n == 0) {
                buffer_puts(b, "\\ufffd");
                i++;
            } else {
                buffer_append(b, s + i, n);
                i += n;
            }
        }
    }
    buffer_puts(b, "\"");
}

static void buffer_key(text_buffer *b, const char *name)
{
    buffer_puts(b, ",\n  ");
    buffer_json_string(b, name);
    buffer_puts(b, ": ");
}

/* Seconds with three decimals, formatted by hand so that no locale can turn
 * the point into a comma. */
static void buffer_seconds(text_buffer *b, double seconds)
{
    if (!(seconds > 0))
        seconds = 0;
    uint64_t millis = (uint64_t)(seconds * 1000.0 + 0.5);
    buffer_printf(b, "%" PRIu64 ".%03u", millis / 1000, (unsigned)(millis % 1000));
}

/* {"name": count, ...} on lines of their own, or {} */
static void buffer_counters(text_buffer *b, const report_list *list)
{
    const report_counter *items = list->items;
    if (list->count == 0)
        buffer_puts(b, "{}");
    for (size_t i = 0; i < list->count; i++) {
        buffer_puts(b, i == 0 ? "{\n    " : ",\n    ");
        buffer_json_string(b, items[i].name);
        buffer_printf(b, ": %" PRIu64, items[i].value);
        if (i + 1 == list->count)
            buffer_puts(b, "\n  }");
    }
}

static void build_json(const crm_report *r, text_buffer *b)
{
    const char *status = find_text(r, "status");
    buffer_puts(b, "{\n  \"command\": ");
    buffer_json_string(b, r->command);
    buffer_key(b, "status");
    buffer_json_string(b, status ? status : "ok");

    const report_text *texts = r->texts.items;
    for (size_t i = 0; i < r->texts.count; i++) {
        if (strcmp(texts[i].name, "status") == 0 || strcmp(texts[i].name, "command") == 0)
            continue;
        buffer_key(b, texts[i].name);
        buffer_json_string(b, texts[i].value);
    }
    const report_counter *counters = r->counters.items;
    for (size_t i = 0; i < r->counters.count; i++) {
        buffer_key(b, counters[i].name);
        buffer_printf(b, "%" PRIu64, counters[i].value);
    }

    buffer_key(b, "rejected");
    buffer_counters(b, &r->reasons);
    const report_group *groups = r->groups.items;
    for (size_t i = 0; i < r->groups.count; i++) {
        buffer_key(b, groups[i].name);
        buffer_counters(b, &groups[i].counters);
    }

    buffer_key(b, "seconds");
    buffer_seconds(b, crm_clock_seconds() - r->started);
    buffer_key(b, "cpu_seconds");
    buffer_seconds(b, cpu_seconds() - r->cpu_started);
    buffer_key(b, "max_rss_kb");
    buffer_printf(b, "%ld", max_rss_kb());
    buffer_puts(b, "\n}\n");
}

crm_status crm_report_write(const crm_report *r, const char *path, crm_error *err)
{
    if (!r || r->out_of_memory)
        return crm_error_set(err, CRM_ENOMEM, "out of memory while collecting the report for %s",
                             path ? path : "<stdout>");
    text_buffer b = {NULL, 0, 0, 0};
    build_json(r, &b);
    if (b.failed) {
        free(b.data);
        return crm_error_set(err, CRM_ENOMEM, "out of memory while writing the report %s",
                             path ? path : "<stdout>");
    }

    crm_output *out = NULL;
    /* Plain text whatever the name: cron jobs read it with jq or grep. */
    crm_status st = crm_output_open(&out, path, 0, err);
    if (st != CRM_OK) {
        free(b.data);
        return st;
    }
    st = crm_output_write(out, b.data, b.len);
    free(b.data);
    /* Commit reports a failed write too (errors are sticky), naming the file. */
    crm_status commit_st = crm_output_commit(out, err);
    return commit_st != CRM_OK ? commit_st : st;
}
