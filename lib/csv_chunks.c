/* CSV parsing split across threads: see csv_chunks.h.
 *
 * Slots form a ring; chunk number k lives in slot k % nslots.  A producer
 * thread reads the input, cuts it and queues the slots (dispatched), the
 * workers take queued chunks in order (parsed), the caller consumes them in
 * order (consumed).  The caller therefore never waits for the input itself,
 * only for parsed chunks: inflating gzip and reading a pipe overlap with its
 * work.  One mutex guards the counters, the slots' states and the end
 * flags; the bytes of a slot belong to the producer until it is queued, to
 * its worker until it is parsed, then to the caller until it is consumed. */
#include "crm/csv_chunks.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "crm/array.h"

/* A cut is looked for in up to this many chunk sizes before giving up. */
enum { MAX_GROWTH = 8 };

typedef struct {
    unsigned char *bytes;
    size_t len, cap;
    int done;                       /* parsed: result may be read */
    crm_csv_tokenizer tk;
    crm_tokenizer_record *records;
    size_t nrecords, records_cap;
    crm_csv_chunk result;
} slot;

struct crm_csv_chunks {
    crm_input *in;
    crm_csv_chunks_config cfg;
    slot *slots;
    size_t nslots;
    pthread_t *workers;
    size_t nworkers;

    pthread_t producer;
    int producer_started;

    pthread_mutex_t lock;
    pthread_cond_t work_ready;      /* a chunk was queued, or stop */
    pthread_cond_t work_done;       /* a chunk was parsed, or the producer ended */
    pthread_cond_t slot_free;       /* the caller let go of a chunk, or stop */
    uint64_t dispatched, parsed, consumed;
    int stopping;
    int producer_done;              /* no chunk will be queued any more */
    crm_status producer_status;     /* why, when it ran out of memory */
    crm_error producer_err;
    _Atomic uint64_t raw_bytes;     /* input bytes read so far, for progress: atomic, not
                                       under the lock (commands ask for it on every row) */
    int have_current;               /* slot (consumed % nslots) is handed out */

    /* read ahead but not in a chunk yet */
    unsigned char *carry;
    size_t carry_len, carry_cap;
    int input_eof;
    int no_more_chunks;
    crm_status read_status;
    crm_error read_err;
};

/* ---- workers ---- */

static int add_record(slot *s, const crm_tokenizer_record *rec)
{
    if (!crm_array_reserve(&s->records, &s->records_cap, s->nrecords + 1, sizeof *s->records))
        return 0;
    s->records[s->nrecords++] = *rec;
    return 1;
}

static void stop_chunk(slot *s)
{
    s->result.stopped = 1;
    s->result.stop_at = s->tk.rec_start;
    s->result.stop_line = s->tk.rec_line;
}

static void parse_chunk(slot *s)
{
    crm_csv_tokenizer *tk = &s->tk;
    tk->buf = s->bytes;
    tk->len = tk->cap = s->len;
    tk->pos = 0;
    tk->eof = 0;
    tk->line = 0;
    tk->cr_known = 0;
    tk->in_record = 0;
    tk->too_big = tk->no_memory = 0;
    crm_csv_tokenizer_clear_fields(tk);
    s->nrecords = 0;
    memset(&s->result, 0, sizeof s->result);
    for (;;) {
        crm_tokenizer_record rec;
        int have, need_more;
        if (crm_csv_tokenizer_next(tk, &rec, &have, &need_more) != CRM_TOKENIZER_OK) {
            stop_chunk(s);
            break;
        }
        if (have) {
            if (!add_record(s, &rec)) {
                /* the serial reader will read it again and run out too */
                tk->rec_start = rec.raw;
                tk->rec_line = rec.line;
                stop_chunk(s);
                break;
            }
            continue;
        }
        if (tk->in_record)         /* the cut was inside a record */
            stop_chunk(s);
        break;
    }
    s->result.tk = tk;
    s->result.records = s->records;
    s->result.nrecords = s->nrecords;
    s->result.bytes = s->bytes;
    s->result.len = s->len;
    s->result.lines = tk->line;
}

static void *worker_main(void *arg)
{
    crm_csv_chunks *c = arg;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (!c->stopping && c->parsed == c->dispatched)
            pthread_cond_wait(&c->work_ready, &c->lock);
        if (c->stopping)
            break;
        slot *s = &c->slots[c->parsed++ % c->nslots];
        pthread_mutex_unlock(&c->lock);
        parse_chunk(s);
        pthread_mutex_lock(&c->lock);
        s->done = 1;
        pthread_cond_broadcast(&c->work_done);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

/* ---- cutting the input into chunks ---- */

/* Quotes are rare in most exports: memchr skips the long stretches. */
static size_t count_quotes(const unsigned char *p, size_t n)
{
    size_t q = 0;
    const unsigned char *end = p + n, *at;
    while (p < end && (at = memchr(p, '"', (size_t)(end - p))) != NULL) {
        q++;
        p = at + 1;
    }
    return q;
}

/* The end of the last line of b[0..n) after which the quotes are balanced,
 * or 0 when there is none. */
static size_t find_cut(const unsigned char *b, size_t n)
{
    size_t quotes = count_quotes(b, n);
    size_t end = n;
    while (end > 0) {
        size_t at = end;
        while (at > 0 && b[at - 1] != '\n')
            at--;
        if (at == 0)
            return 0;
        at--;                           /* the '\n' */
        quotes -= count_quotes(b + at + 1, end - at - 1);
        if (quotes % 2 == 0)
            return at + 1;
        end = at;
    }
    return 0;
}

/* Reads until s holds at least want bytes or the input ends. */
static crm_status read_into(crm_csv_chunks *c, slot *s, size_t want, crm_error *err)
{
    if (!crm_array_reserve(&s->bytes, &s->cap, want, 1))
        return crm_error_set(err, CRM_ENOMEM, "%s: out of memory", crm_input_name(c->in));
    while (s->len < want && !c->input_eof) {
        size_t got;
        crm_status st = crm_input_read(c->in, s->bytes + s->len, want - s->len, &got, err);
        if (st != CRM_OK)
            return st;
        if (got == 0)
            c->input_eof = 1;
        s->len += got;
    }
    return CRM_OK;
}

static int keep_carry(crm_csv_chunks *c, const unsigned char *p, size_t n)
{
    if (!crm_array_reserve(&c->carry, &c->carry_cap, n ? n : 1, 1))
        return 0;
    memmove(c->carry, p, n);
    c->carry_len = n;
    return 1;
}

/* Fills the next slot with the carried bytes and fresh input up to a cut and
 * queues it; sets no_more_chunks when there is nothing to queue. */
static crm_status dispatch_one(crm_csv_chunks *c, crm_error *err)
{
    slot *s = &c->slots[c->dispatched % c->nslots];
    s->len = 0;
    if (!crm_array_reserve(&s->bytes, &s->cap, c->carry_len ? c->carry_len : 1, 1))
        return crm_error_set(err, CRM_ENOMEM, "%s: out of memory", crm_input_name(c->in));
    memcpy(s->bytes, c->carry, c->carry_len);
    s->len = c->carry_len;
    c->carry_len = 0;
    size_t cut = 0;
    for (size_t want = c->cfg.chunk_bytes; cut == 0; want *= 2) {
        crm_error read_err;
        crm_status st = read_into(c, s, want, &read_err);
        if (st == CRM_ENOMEM) {
            *err = read_err;
            return st;
        }
        if (st != CRM_OK) {
            /* report it when the serial reader gets this far */
            c->read_status = st;
            c->read_err = read_err;
            c->input_eof = 1;
        }
        cut = find_cut(s->bytes, s->len);
        if (cut == 0 && (c->input_eof || want >= MAX_GROWTH * c->cfg.chunk_bytes))
            break;
    }
    if (!keep_carry(c, s->bytes + cut, s->len - cut))
        return crm_error_set(err, CRM_ENOMEM, "%s: out of memory", crm_input_name(c->in));
    s->len = cut;
    if (cut == 0 || c->input_eof) {
        /* the bytes after the last cut go to the serial reader */
        c->no_more_chunks = 1;
        if (cut == 0)
            return CRM_OK;
    }
    pthread_mutex_lock(&c->lock);
    s->done = 0;
    c->dispatched++;
    pthread_cond_signal(&c->work_ready);
    pthread_mutex_unlock(&c->lock);
    return CRM_OK;
}

/* Keeps the ring full until the input is used up or the caller stops.  A
 * slot being filled when the stop comes is still queued, so that its bytes
 * are handed back. */
static void *producer_main(void *arg)
{
    crm_csv_chunks *c = arg;
    for (;;) {
        pthread_mutex_lock(&c->lock);
        while (!c->stopping && c->dispatched - c->consumed >= c->nslots)
            pthread_cond_wait(&c->slot_free, &c->lock);
        int stop = c->stopping;
        pthread_mutex_unlock(&c->lock);
        if (stop)
            break;
        crm_error err;
        crm_status st = dispatch_one(c, &err);
        pthread_mutex_lock(&c->lock);
        atomic_store_explicit(&c->raw_bytes, crm_input_raw_bytes(c->in), memory_order_relaxed);
        if (st != CRM_OK) {
            c->producer_status = st;
            c->producer_err = err;
            c->no_more_chunks = 1;
        }
        int done = c->no_more_chunks;
        if (done) {
            c->producer_done = 1;
            pthread_cond_broadcast(&c->work_done);
        }
        pthread_mutex_unlock(&c->lock);
        if (done)
            break;
    }
    return NULL;
}

/* ---- the caller's side ---- */

crm_status crm_csv_chunks_next(crm_csv_chunks *c, const crm_csv_chunk **chunk, crm_error *err)
{
    *chunk = NULL;
    pthread_mutex_lock(&c->lock);
    if (c->have_current) {
        c->consumed++;
        c->have_current = 0;
        pthread_cond_signal(&c->slot_free);
    }
    slot *s = NULL;
    for (;;) {
        if (c->consumed < c->dispatched) {
            s = &c->slots[c->consumed % c->nslots];
            if (s->done)
                break;
            s = NULL;
        } else if (c->producer_done) {
            break;
        }
        pthread_cond_wait(&c->work_done, &c->lock);
    }
    crm_status st = c->producer_status;
    if (st != CRM_OK && err)
        *err = c->producer_err;
    pthread_mutex_unlock(&c->lock);
    if (!s)
        return st;
    c->have_current = 1;
    *chunk = &s->result;
    return CRM_OK;
}

uint64_t crm_csv_chunks_raw_bytes(crm_csv_chunks *c)
{
    return atomic_load_explicit(&c->raw_bytes, memory_order_relaxed);
}

/* Stops the producer (after the slot it is filling, if any) and the
 * workers, and waits for them. */
static void stop_threads(crm_csv_chunks *c)
{
    pthread_mutex_lock(&c->lock);
    c->stopping = 1;
    pthread_cond_broadcast(&c->work_ready);
    pthread_cond_broadcast(&c->slot_free);
    pthread_mutex_unlock(&c->lock);
    if (c->producer_started) {
        pthread_join(c->producer, NULL);
        c->producer_started = 0;
    }
    if (c->workers) {
        for (size_t i = 0; i < c->nworkers; i++)
            pthread_join(c->workers[i], NULL);
        free(c->workers);
        c->workers = NULL;
    }
}

static int append(crm_csv_leftover *left, size_t *cap, const unsigned char *p, size_t n)
{
    if (!crm_array_reserve(&left->bytes, cap, left->len + n + 1, 1))
        return 0;
    memcpy(left->bytes + left->len, p, n);
    left->len += n;
    return 1;
}

crm_status crm_csv_chunks_finish(crm_csv_chunks *c, size_t from, crm_csv_leftover *left,
                                 crm_error *err)
{
    stop_threads(c);
    memset(left, 0, sizeof *left);
    size_t cap = 0;
    uint64_t first = c->consumed;
    int ok = 1;
    if (c->have_current) {
        slot *s = &c->slots[first % c->nslots];
        ok = append(left, &cap, s->bytes + from, s->len - from);
        first++;
    }
    for (uint64_t k = first; ok && k < c->dispatched; k++) {
        slot *s = &c->slots[k % c->nslots];
        ok = append(left, &cap, s->bytes, s->len);
    }
    ok = ok && append(left, &cap, c->carry, c->carry_len);
    c->have_current = 0;
    c->consumed = c->dispatched;
    c->carry_len = 0;
    if (!ok) {
        free(left->bytes);
        left->bytes = NULL;
        return crm_error_set(err, CRM_ENOMEM, "%s: out of memory", crm_input_name(c->in));
    }
    left->eof = c->input_eof && c->read_status == CRM_OK;
    left->read_status = c->read_status;
    left->read_err = c->read_err;
    return CRM_OK;
}

crm_status crm_csv_chunks_start(crm_csv_chunks **out, crm_input *in,
                                const crm_csv_chunks_config *cfg, const unsigned char *head,
                                size_t head_len, crm_error *err)
{
    *out = NULL;
    crm_csv_chunks *c = calloc(1, sizeof *c);
    if (!c)
        return crm_error_set(err, CRM_ENOMEM, "%s: out of memory", crm_input_name(in));
    c->in = in;
    c->cfg = *cfg;
    c->nworkers = cfg->threads > 0 ? (size_t)cfg->threads : 1;
    /* two more than the workers: one being consumed, one being filled */
    c->nslots = c->nworkers + 2;
    c->slots = calloc(c->nslots, sizeof *c->slots);
    int ok = c->slots && keep_carry(c, head, head_len);
    for (size_t i = 0; ok && i < c->nslots; i++)
        if ((ok = crm_csv_tokenizer_init(&c->slots[i].tk, cfg->delimiter, cfg->max_record))) {
            c->slots[i].tk.expected_fields = cfg->expected_fields;
            c->slots[i].tk.libcsv_only = cfg->libcsv_only;
        }
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->work_ready, NULL);
    pthread_cond_init(&c->work_done, NULL);
    pthread_cond_init(&c->slot_free, NULL);
    c->workers = ok ? calloc(c->nworkers, sizeof *c->workers) : NULL;
    ok = ok && c->workers;
    size_t started = 0;
    while (ok && started < c->nworkers) {
        if (pthread_create(&c->workers[started], NULL, worker_main, c) != 0)
            break;
        started++;
    }
    c->nworkers = started;   /* fewer threads than asked still work */
    if (ok && started > 0 && pthread_create(&c->producer, NULL, producer_main, c) == 0)
        c->producer_started = 1;
    if (!c->producer_started) {
        crm_csv_chunks_free(c);
        return crm_error_set(err, CRM_ENOMEM, "%s: cannot start the parsing threads",
                             crm_input_name(in));
    }
    *out = c;
    return CRM_OK;
}

int crm_csv_chunks_threads(const crm_csv_chunks *c)
{
    return (int)c->nworkers;
}

void crm_csv_chunks_free(crm_csv_chunks *c)
{
    if (!c)
        return;
    stop_threads(c);
    if (c->slots) {
        for (size_t i = 0; i < c->nslots; i++) {
            crm_csv_tokenizer_free(&c->slots[i].tk);
            free(c->slots[i].bytes);
            free(c->slots[i].records);
        }
    }
    free(c->slots);
    free(c->carry);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->work_ready);
    pthread_cond_destroy(&c->work_done);
    pthread_cond_destroy(&c->slot_free);
    free(c);
}
