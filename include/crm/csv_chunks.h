/* CSV parsing split across threads, for the reader (csv.h).
 *
 * A producer thread reads the input ahead in chunks of about chunk_bytes,
 * each cut after a '\n' where the quotes seen since the chunk's start are
 * balanced, and worker threads parse the chunks with their own libcsv parser
 * (csv_tokenizer.h).  Chunks come back in input order, so the records do too.
 * While the chunks run, the input belongs to the producer: the caller must
 * not read it (crm_csv_chunks_raw_bytes answers for progress).
 *
 * The cut is a guess (a stray quote inside an unquoted field fools the
 * count), so it is checked: a worker that reaches the end of its chunk inside
 * a record marks the chunk stopped there, and the reader takes over serially
 * from that record with the bytes handed back by crm_csv_chunks_finish.  A
 * chunk also stops at a record libcsv cannot finish (too big, out of memory),
 * so that the serial reader meets the record again and reports it with its
 * usual message.  Knows nothing of CRM. */
#ifndef CRM_CSV_CHUNKS_H
#define CRM_CSV_CHUNKS_H

#include <stddef.h>
#include <stdint.h>

#include "crm/csv_tokenizer.h"
#include "crm/error.h"
#include "crm/input.h"

typedef struct {
    char delimiter;
    size_t max_record;
    int threads;                /* worker threads, at least 1 */
    size_t chunk_bytes;         /* the size aimed at */
    size_t expected_fields;     /* the header's width (crm_csv_tokenizer), 0 unknown */
    int libcsv_only;            /* no fast path (crm_csv_tokenizer) */
} crm_csv_chunks_config;

/* One parsed chunk.  Record lines count from 0 at the chunk's first byte. */
typedef struct {
    const crm_csv_tokenizer *tk;          /* fields: tk->fields, tk->lengths */
    const crm_tokenizer_record *records;
    size_t nrecords;
    const unsigned char *bytes;           /* records' raw offsets index here */
    size_t len;
    uint64_t lines;                       /* line breaks in the chunk */
    int stopped;                          /* the records end at stop_at, not at len */
    size_t stop_at;
    uint64_t stop_line;
} crm_csv_chunk;

/* What the serial reader continues with. */
typedef struct {
    unsigned char *bytes;                 /* malloc'ed, the caller frees */
    size_t len;
    int eof;                              /* the input has nothing after them */
    crm_status read_status;               /* a read error met while reading ahead */
    crm_error read_err;
} crm_csv_leftover;

typedef struct crm_csv_chunks crm_csv_chunks;

/* Starts the workers.  head: bytes already read from in, starting at a
 * record boundary. */
crm_status crm_csv_chunks_start(crm_csv_chunks **out, crm_input *in,
                                const crm_csv_chunks_config *cfg, const unsigned char *head,
                                size_t head_len, crm_error *err);

/* Lets go of the previous chunk and returns the next one, parsed, or NULL
 * when no more chunks come: the input ended, a read failed, or no cut was
 * found (a record longer than several chunks); crm_csv_chunks_finish then
 * hands back the rest.  Fails only for lack of memory (in the producer). */
crm_status crm_csv_chunks_next(crm_csv_chunks *c, const crm_csv_chunk **chunk, crm_error *err);

/* Stops the workers and hands back, in order, every byte not delivered as
 * a record: the current chunk's bytes from `from` on (when there is a
 * current chunk), the chunks read ahead and what was read after them. */
crm_status crm_csv_chunks_finish(crm_csv_chunks *c, size_t from, crm_csv_leftover *left,
                                 crm_error *err);

/* Input bytes read so far (crm_input_raw_bytes), for progress. */
uint64_t crm_csv_chunks_raw_bytes(crm_csv_chunks *c);

/* The worker threads running. */
int crm_csv_chunks_threads(const crm_csv_chunks *c);

void crm_csv_chunks_free(crm_csv_chunks *c);

#endif
