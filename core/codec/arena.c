/* arena: blocks of KMESOS_ARENA_BLOCK bytes (or one of its own for a
 * larger request) in a list, newest first; an allocation takes the next
 * aligned bytes of the newest block or starts a new one. Nothing is
 * freed alone: reset frees every block but default-sized ones up to
 * KMESOS_ARENA_KEEP bytes, which are kept (so a stream of events up to
 * some 1,000 offers maps nothing and touches no new page) and reused.
 * Blocks are mapped pages of their own (mmap), not heap: a 10,000-offer
 * event takes some 17 MB unpacked, and heap blocks freed between the
 * long-lived allocations made while it was handled (the offer book)
 * would stay in the process's RSS; unmapped pages go back at once. */
#include "codec/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <sys/mman.h>

#define KMESOS_ARENA_BLOCK (256 * 1024)
#define KMESOS_ARENA_KEEP (2 * 1024 * 1024) /* kept mapped across resets */

struct kmesos_arena_block {
    kmesos_arena_block *next;
    size_t size;
    alignas(max_align_t) unsigned char data[];
};

static void *arena_pc_alloc(void *data, size_t n) { return kmesos_arena_alloc(data, n); }
static void arena_pc_free(void *data, void *p) { (void)data, (void)p; }

void kmesos_arena_init(kmesos_arena *a)
{
    a->head = a->spare = NULL;
    a->used = 0;
    a->pc.alloc = arena_pc_alloc;
    a->pc.free = arena_pc_free;
    a->pc.allocator_data = a;
}

static kmesos_arena_block *block_new(size_t size)
{
    void *p = mmap(NULL, sizeof(kmesos_arena_block) + size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    kmesos_arena_block *b = p;
    b->size = size;
    return b;
}

static void arena_drop(kmesos_arena_block *b)
{
    while (b) {
        kmesos_arena_block *next = b->next;
        munmap(b, sizeof *b + b->size);
        b = next;
    }
}

void kmesos_arena_free(kmesos_arena *a)
{
    arena_drop(a->head);
    arena_drop(a->spare);
    a->head = a->spare = NULL;
    a->used = 0;
}

void kmesos_arena_reset(kmesos_arena *a)
{
    size_t kept = 0;
    for (const kmesos_arena_block *b = a->spare; b; b = b->next)
        kept += b->size;
    kmesos_arena_block *b = a->head;
    while (b) {
        kmesos_arena_block *next = b->next;
        if (b->size == KMESOS_ARENA_BLOCK && kept + b->size <= KMESOS_ARENA_KEEP) {
            kept += b->size;
            b->next = a->spare;
            a->spare = b;
        } else {
            munmap(b, sizeof *b + b->size);
        }
        b = next;
    }
    a->head = NULL;
    a->used = 0;
}

/* A default-sized block: a spare one, else a new one. */
static kmesos_arena_block *block_default(kmesos_arena *a)
{
    kmesos_arena_block *b = a->spare;
    if (!b)
        return block_new(KMESOS_ARENA_BLOCK);
    a->spare = b->next;
    return b;
}

void *kmesos_arena_alloc(kmesos_arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    if (n > SIZE_MAX / 2)
        return NULL;
    n = (n + align - 1) & ~(align - 1);
    if (!a->head || a->head->size - a->used < n) {
        size_t size = n > KMESOS_ARENA_BLOCK / 4 ? n : KMESOS_ARENA_BLOCK;
        kmesos_arena_block *b = size == KMESOS_ARENA_BLOCK ? block_default(a) : block_new(size);
        if (!b)
            return NULL;
        if (size == KMESOS_ARENA_BLOCK || !a->head) {
            b->next = a->head; /* the new block to fill */
            a->head = b;
            a->used = 0;
        } else {
            b->next = a->head->next; /* a big one of its own: head stays */
            a->head->next = b;
            return b->data;
        }
    }
    void *p = a->head->data + a->used;
    a->used += n;
    return p;
}

ProtobufCAllocator *kmesos_arena_allocator(kmesos_arena *a) { return &a->pc; }
