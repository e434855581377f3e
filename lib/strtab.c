#include "crm/strtab.h"

#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

/* ---- hashing ----
 *
 * One multiply-and-rotate round per 8-byte word, then an xorshift-multiply
 * finaliser.  Each round is a bijection of the word for a fixed state and of
 * the state for a fixed word, so no word can wipe out what came before it.
 * The length seeds the state, so "a" and "a\0" differ.  Words are read as
 * little-endian whatever the machine, so a hash written to disk or pinned in
 * a test means the same everywhere. */

/* Odd constants with well-spread bits: the 64-bit golden ratio and the two
 * multipliers of the SplitMix64 finaliser. */
#define HASH_K0 UINT64_C(0x9e3779b97f4a7c15)
#define HASH_K1 UINT64_C(0xbf58476d1ce4e5b9)
#define HASH_K2 UINT64_C(0x94d049bb133111eb)

static inline uint64_t rotate_left(uint64_t x, unsigned r)
{
    return (x << r) | (x >> (64 - r));
}

static inline uint64_t read_le64(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* The last 1..7 bytes, little-endian, upper bytes zero. */
static inline uint64_t read_le_tail(const unsigned char *p, size_t n)
{
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)p[i] << (8 * i);
    return w;
}

static inline uint64_t hash_round(uint64_t state, uint64_t word)
{
    state ^= word * HASH_K1;
    state = rotate_left(state, 29);
    return state * HASH_K0;
}

static inline uint64_t hash_finish(uint64_t x)
{
    x ^= x >> 31;
    x *= HASH_K1;
    x ^= x >> 29;
    x *= HASH_K2;
    x ^= x >> 32;
    return x;
}

uint64_t crm_hash_bytes(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t state = seed ^ (HASH_K2 + (uint64_t)len * HASH_K0);
    size_t n = len;
    while (n >= 8) {
        state = hash_round(state, read_le64(p));
        p += 8;
        n -= 8;
    }
    if (n > 0)
        state = hash_round(state, read_le_tail(p, n));
    return hash_finish(state);
}

/* ---- slot arrays ----
 *
 * A table of millions of slots is touched at random, one cache line per
 * lookup, and with 4 KiB pages nearly every lookup also misses the TLB.
 * Asking for huge pages (Linux transparent huge pages, when the system
 * leaves that to programs) removes most of those misses.  Only a hint:
 * where it is refused or unknown, nothing changes. */

enum { HUGE_PAGE = 2 * 1024 * 1024 };

static void *table_calloc(size_t count, size_t size)
{
    void *p = calloc(count, size);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    size_t bytes = count * size;   /* calloc checked the product */
    if (p && bytes >= 2 * (size_t)HUGE_PAGE) {
        /* the whole pages inside the block (large blocks are fresh mappings) */
        long page_size = sysconf(_SC_PAGESIZE);
        uintptr_t page = page_size > 0 ? (uintptr_t)page_size : 4096;
        uintptr_t start = ((uintptr_t)p + page - 1) & ~(page - 1);
        uintptr_t end = ((uintptr_t)p + bytes) & ~(page - 1);
        if (end > start)
            madvise((void *)start, end - start, MADV_HUGEPAGE);
    }
#endif
    return p;
}

/* ---- string table ----
 *
 * Slots hold id + 1 (0 = empty) beside the low 32 bits of the string's hash.
 * The slot index is taken from those same bits, so growing never touches the
 * strings, and a probe compares bytes only when all 32 bits agree.  Strings
 * live in chunks that are never moved, so pointers handed out stay valid. */

typedef struct {
    uint32_t id_plus_one;
    uint32_t hash;
} strtab_slot;

typedef struct strtab_chunk {
    struct strtab_chunk *next;
    size_t capacity;
    size_t used;
    char bytes[];
} strtab_chunk;

enum {
    STRTAB_MIN_SLOTS = 16,
    STRTAB_FIRST_CHUNK = 4096,
    STRTAB_MAX_CHUNK = 1 << 20
};

#define STRTAB_HASH_SEED UINT64_C(0x5f3c8a1d2e7b9406)

struct crm_strtab {
    strtab_slot *slots;
    size_t mask;              /* slot count - 1 (a power of two) */
    size_t count;
    size_t id_capacity;
    const char **strings;     /* by id */
    uint32_t *lengths;        /* by id */
    strtab_chunk *chunks;     /* newest first */
    size_t chunk_bytes;       /* total capacity of all chunks */
};

/* Tables grow when more than 70% of the slots are taken: linear probing
 * stays short up to there. */
static int over_load(size_t count, size_t slots)
{
    return (uint64_t)count * 10 > (uint64_t)slots * 7;
}

/* Slots needed to hold n entries within the load limit, at most limit. */
static size_t slots_for(size_t n, size_t limit)
{
    size_t slots = STRTAB_MIN_SLOTS;
    while (over_load(n, slots) && slots < limit)
        slots <<= 1;
    return slots;
}

crm_strtab *crm_strtab_new(size_t expected)
{
    crm_strtab *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    /* A first guess, not a limit: the table still grows past it. */
    size_t slots = slots_for(expected, (size_t)UINT32_MAX / 2 + 1);
    t->slots = calloc(slots, sizeof *t->slots);
    if (!t->slots) {
        free(t);
        return NULL;
    }
    t->mask = slots - 1;
    return t;
}

void crm_strtab_free(crm_strtab *t)
{
    if (!t)
        return;
    strtab_chunk *c = t->chunks;
    while (c) {
        strtab_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(t->slots);
    free(t->strings);
    free(t->lengths);
    free(t);
}

static inline uint32_t string_hash(const char *s, size_t len)
{
    return (uint32_t)crm_hash_bytes(s, len, STRTAB_HASH_SEED);
}

/* The slot holding s, or the empty slot where it belongs. */
static inline strtab_slot *probe(const crm_strtab *t, const char *s, size_t len, uint32_t hash)
{
    size_t i = hash & t->mask;
    for (;;) {
        strtab_slot *slot = &t->slots[i];
        if (slot->id_plus_one == 0)
            return slot;
        if (slot->hash == hash) {
            uint32_t id = slot->id_plus_one - 1;
            if (t->lengths[id] == len && (len == 0 || memcmp(t->strings[id], s, len) == 0))
                return slot;
        }
        i = (i + 1) & t->mask;
    }
}

static int grow_slots(crm_strtab *t)
{
    size_t old_count = t->mask + 1;
    size_t new_count = old_count * 2;
    /* Ids are 32-bit, so more than 2^32 slots would never be filled. */
    if (new_count > (size_t)UINT32_MAX + 1 || new_count > SIZE_MAX / sizeof(strtab_slot))
        return -1;
    strtab_slot *slots = table_calloc(new_count, sizeof *slots);
    if (!slots)
        return -1;
    size_t mask = new_count - 1;
    for (size_t i = 0; i < old_count; i++) {
        strtab_slot old = t->slots[i];
        if (old.id_plus_one == 0)
            continue;
        size_t j = old.hash & mask;
        while (slots[j].id_plus_one != 0)
            j = (j + 1) & mask;
        slots[j] = old;
    }
    free(t->slots);
    t->slots = slots;
    t->mask = mask;
    return 0;
}

static int grow_ids(crm_strtab *t)
{
    size_t capacity = t->id_capacity ? t->id_capacity * 2 : 64;
    if (capacity > (size_t)UINT32_MAX)
        capacity = (size_t)UINT32_MAX;
    if (capacity <= t->id_capacity)
        return -1;
    const char **strings = realloc(t->strings, capacity * sizeof *strings);
    if (!strings)
        return -1;
    t->strings = strings;
    uint32_t *lengths = realloc(t->lengths, capacity * sizeof *lengths);
    if (!lengths)
        return -1;
    t->lengths = lengths;
    t->id_capacity = capacity;
    return 0;
}

/* Copies s into the newest chunk (a new one when it does not fit), with a
 * terminating NUL. */
static const char *store_string(crm_strtab *t, const char *s, size_t len)
{
    size_t need = len + 1;
    strtab_chunk *c = t->chunks;
    if (!c || c->capacity - c->used < need) {
        size_t capacity = c ? c->capacity * 2 : STRTAB_FIRST_CHUNK;
        if (capacity > STRTAB_MAX_CHUNK)
            capacity = STRTAB_MAX_CHUNK;
        if (capacity < need)
            capacity = need;
        c = malloc(sizeof *c + capacity);
        if (!c)
            return NULL;
        c->capacity = capacity;
        c->used = 0;
        c->next = t->chunks;
        t->chunks = c;
        t->chunk_bytes += capacity;
    }
    char *dst = c->bytes + c->used;
    if (len > 0)
        memcpy(dst, s, len);
    dst[len] = '\0';
    c->used += need;
    return dst;
}

int crm_strtab_intern(crm_strtab *t, const char *s, size_t len, uint32_t *id)
{
    if (len > UINT32_MAX)
        return -1;
    uint32_t hash = string_hash(s, len);
    strtab_slot *slot = probe(t, s, len, hash);
    if (slot->id_plus_one != 0) {
        *id = slot->id_plus_one - 1;
        return 0;
    }
    if (t->count >= (size_t)UINT32_MAX - 1)
        return -1;
    if (over_load(t->count + 1, t->mask + 1)) {
        if (grow_slots(t) != 0)
            return -1;
        slot = probe(t, s, len, hash);
    }
    if (t->count == t->id_capacity && grow_ids(t) != 0)
        return -1;
    const char *copy = store_string(t, s, len);
    if (!copy)
        return -1;
    uint32_t new_id = (uint32_t)t->count;
    t->strings[new_id] = copy;
    t->lengths[new_id] = (uint32_t)len;
    slot->id_plus_one = new_id + 1;
    slot->hash = hash;
    t->count++;
    *id = new_id;
    return 1;
}

int crm_strtab_find(const crm_strtab *t, const char *s, size_t len, uint32_t *id)
{
    if (len > UINT32_MAX)
        return 0;
    const strtab_slot *slot = probe(t, s, len, string_hash(s, len));
    if (slot->id_plus_one == 0)
        return 0;
    *id = slot->id_plus_one - 1;
    return 1;
}

const char *crm_strtab_get(const crm_strtab *t, uint32_t id, size_t *len)
{
    if (id >= t->count) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = t->lengths[id];
    return t->strings[id];
}

size_t crm_strtab_count(const crm_strtab *t)
{
    return t->count;
}

size_t crm_strtab_memory(const crm_strtab *t)
{
    size_t chunk_headers = 0;
    for (const strtab_chunk *c = t->chunks; c; c = c->next)
        chunk_headers += sizeof *c;
    return sizeof *t + (t->mask + 1) * sizeof *t->slots
           + t->id_capacity * (sizeof *t->strings + sizeof *t->lengths) + t->chunk_bytes
           + chunk_headers;
}

/* ---- hash set of 64-bit keys ----
 *
 * Key 0 marks an empty slot, so whether 0 itself is in the set is kept in a
 * flag.  Keys are spread by Fibonacci hashing (multiply by 2^64 / golden
 * ratio), which also scatters keys that are not hashes, such as consecutive
 * integers: the top bits of the product choose one of HASHSET_SHARDS
 * tables, the bits below them the slot in it.
 *
 * Why shards: a table that doubles holds the old and the new slots at once
 * while it moves the keys over, so one big table peaks at 3 x 8 / 0.7 = 34
 * bytes per key just after a doubling, and sits at 8 / 0.35 = 23 after it.
 * The shards fill at the same rate but double one at a time, so only one
 * shard's old slots (1/64 of the set) are ever held twice: the set stays
 * below 23.2 bytes per key at every size, and uses 11.4 to 22.9 (16 at the
 * typical half load).  crm-clean and crm-rfm keep one key per invoice or row
 * in such a set, so this is their memory per invoice (DESIGN.md: per
 * distinct invoice at most a 64-bit hash). */

enum { HASHSET_SHARD_BITS = 6, HASHSET_SHARDS = 1 << HASHSET_SHARD_BITS };

typedef struct {
    uint64_t *keys;
    size_t mask;
    unsigned shift;    /* 64 - log2(slot count) */
    size_t count;      /* keys in this shard */
} hashset_shard;

struct crm_hashset {
    hashset_shard shard[HASHSET_SHARDS];
    size_t count;      /* keys in the shards, not counting 0 */
    int has_zero;
};

static inline uint64_t hashset_spread(uint64_t key)
{
    return key * HASH_K0;
}

static inline hashset_shard *hashset_shard_of(crm_hashset *s, uint64_t spread)
{
    return &s->shard[spread >> (64 - HASHSET_SHARD_BITS)];
}

/* The slot from the bits below the shard's. */
static inline size_t hashset_home(const hashset_shard *h, uint64_t spread)
{
    return (size_t)((spread << HASHSET_SHARD_BITS) >> h->shift);
}

static unsigned log2_of(size_t power_of_two)
{
    unsigned bits = 0;
    while (((size_t)1 << bits) < power_of_two)
        bits++;
    return bits;
}

static int hashset_alloc(hashset_shard *h, size_t slots)
{
    if (slots > SIZE_MAX / sizeof(uint64_t))
        return -1;
    uint64_t *keys = table_calloc(slots, sizeof *keys);
    if (!keys)
        return -1;
    h->keys = keys;
    h->mask = slots - 1;
    h->shift = 64 - log2_of(slots);
    return 0;
}

crm_hashset *crm_hashset_new(size_t expected)
{
    crm_hashset *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    size_t slots = slots_for(expected / HASHSET_SHARDS + 1,
                             (size_t)1 << (sizeof(size_t) * 8 - 8 - HASHSET_SHARD_BITS));
    for (int i = 0; i < HASHSET_SHARDS; i++) {
        if (hashset_alloc(&s->shard[i], slots) != 0) {
            crm_hashset_free(s);
            return NULL;
        }
    }
    return s;
}

void crm_hashset_free(crm_hashset *s)
{
    if (!s)
        return;
    for (int i = 0; i < HASHSET_SHARDS; i++)
        free(s->shard[i].keys);
    free(s);
}

static int hashset_grow(hashset_shard *h)
{
    hashset_shard old = *h;
    size_t old_slots = old.mask + 1;
    if (old_slots > SIZE_MAX / 2 || hashset_alloc(h, old_slots * 2) != 0) {
        *h = old;
        return -1;
    }
    for (size_t i = 0; i < old_slots; i++) {
        uint64_t key = old.keys[i];
        if (key == 0)
            continue;
        size_t j = hashset_home(h, hashset_spread(key));
        while (h->keys[j] != 0)
            j = (j + 1) & h->mask;
        h->keys[j] = key;
    }
    free(old.keys);
    return 0;
}

int crm_hashset_contains(const crm_hashset *s, uint64_t key)
{
    if (key == 0)
        return s->has_zero;
    uint64_t spread = hashset_spread(key);
    const hashset_shard *h = hashset_shard_of((crm_hashset *)s, spread);
    for (size_t i = hashset_home(h, spread);; i = (i + 1) & h->mask) {
        if (h->keys[i] == key)
            return 1;
        if (h->keys[i] == 0)
            return 0;
    }
}

int crm_hashset_add(crm_hashset *s, uint64_t key)
{
    if (key == 0) {
        if (s->has_zero)
            return 0;
        s->has_zero = 1;
        return 1;
    }
    uint64_t spread = hashset_spread(key);
    hashset_shard *h = hashset_shard_of(s, spread);
    size_t i = hashset_home(h, spread);
    for (;;) {
        uint64_t k = h->keys[i];
        if (k == key)
            return 0;
        if (k == 0)
            break;
        i = (i + 1) & h->mask;
    }
    if (over_load(h->count + 1, h->mask + 1)) {
        if (hashset_grow(h) != 0)
            return -1;
        i = hashset_home(h, spread);
        while (h->keys[i] != 0)
            i = (i + 1) & h->mask;
    }
    h->keys[i] = key;
    h->count++;
    s->count++;
    return 1;
}

void crm_hashset_prefetch(const crm_hashset *s, uint64_t key)
{
#if defined(__GNUC__)
    uint64_t spread = hashset_spread(key);
    const hashset_shard *h = &s->shard[spread >> (64 - HASHSET_SHARD_BITS)];
    __builtin_prefetch(&h->keys[hashset_home(h, spread)], 1);
#else
    (void)s;
    (void)key;
#endif
}

size_t crm_hashset_count(const crm_hashset *s)
{
    return s->count + (s->has_zero ? 1 : 0);
}

size_t crm_hashset_memory(const crm_hashset *s)
{
    size_t bytes = sizeof *s;
    for (int i = 0; i < HASHSET_SHARDS; i++)
        bytes += (s->shard[i].mask + 1) * sizeof *s->shard[i].keys;
    return bytes;
}
