/* String interning and hashing: maps byte strings (customer ids, product
 * ids) to dense ids 0..n-1 so that analytics can index plain arrays, and a
 * set of 64-bit hashes for duplicate detection.  Open addressing; memory
 * grows with distinct strings, not with lookups.  Knows nothing of CRM. */
#ifndef CRM_STRTAB_H
#define CRM_STRTAB_H

#include <stddef.h>
#include <stdint.h>

/* 64-bit hash of bytes (seeded), stable across runs and machines. */
uint64_t crm_hash_bytes(const void *data, size_t len, uint64_t seed);

typedef struct crm_strtab crm_strtab;

crm_strtab *crm_strtab_new(size_t expected);
void crm_strtab_free(crm_strtab *t);

/* Interns s[0..len): *id receives its dense id.  Returns 1 when the string
 * is new, 0 when it was there, -1 when out of memory. */
int crm_strtab_intern(crm_strtab *t, const char *s, size_t len, uint32_t *id);
/* Looks s up without adding: 1 and *id when found, 0 otherwise. */
int crm_strtab_find(const crm_strtab *t, const char *s, size_t len, uint32_t *id);
/* The string of an id (NUL-terminated, stable until crm_strtab_free). */
const char *crm_strtab_get(const crm_strtab *t, uint32_t id, size_t *len);
size_t crm_strtab_count(const crm_strtab *t);
/* Bytes held, for memory reports. */
size_t crm_strtab_memory(const crm_strtab *t);

typedef struct crm_hashset crm_hashset;

crm_hashset *crm_hashset_new(size_t expected);
void crm_hashset_free(crm_hashset *s);
/* Adds a 64-bit key: 1 when new, 0 when already present, -1 out of memory. */
int crm_hashset_add(crm_hashset *s, uint64_t key);
/* 1 when key is in the set, else 0. */
int crm_hashset_contains(const crm_hashset *s, uint64_t key);
size_t crm_hashset_count(const crm_hashset *s);
/* Bytes held: below 23.2 per key once the set holds more than a few
 * thousand keys (lib/strtab.c says why), for memory reports and tests. */
size_t crm_hashset_memory(const crm_hashset *s);
/* A hint that key will soon be added or looked up: starts loading its slot
 * into the cache, so that a large set's cache miss overlaps other work.
 * Changes nothing. */
void crm_hashset_prefetch(const crm_hashset *s, uint64_t key);

#endif
