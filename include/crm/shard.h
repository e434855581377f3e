/* Shards: which of N parts a key belongs to, the same in every command and
 * on every machine, so that `--shard I/N` run N times keeps each key in
 * exactly one part.
 *
 * The shard of a key is 1 + (FNV-1a 64 of its bytes) mod N: the 64-bit
 * FNV-1a hash (offset basis 14695981039346656037, prime 1099511628211), one
 * byte at a time, so it depends on nothing but the bytes (no seed, no
 * endianness, no word size).  Shards are numbered 1..N, as GNU parallel's
 * {#} and a Slurm array --array=1-N count them.  The caller decides what the
 * key is (the commands: the normalised customer id, crm_clean_in_shard).
 * Knows nothing of CRM. */
#ifndef CRM_SHARD_H
#define CRM_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include "crm/error.h"

enum { CRM_SHARD_MAX = 1000000 };

typedef struct {
    uint32_t index;   /* 1..count */
    uint32_t count;   /* 0: no sharding, every key kept */
} crm_shard;

/* 64-bit FNV-1a of bytes. */
uint64_t crm_shard_hash(const void *key, size_t len);

/* The shard (1..count) of key; count must be at least 1. */
uint32_t crm_shard_of(const void *key, size_t len, uint32_t count);

/* 1 when shard keeps key (always when shard is NULL or count is 0). */
int crm_shard_keeps(const crm_shard *shard, const void *key, size_t len);

/* Reads "I/N" (whole numbers, 1 <= I <= N <= CRM_SHARD_MAX).  CRM_EUSAGE
 * otherwise: "--shard wants I/N with 1 <= I <= N <= 1000000, got '...'". */
crm_status crm_shard_parse(const char *arg, crm_shard *out, crm_error *err);

#endif
