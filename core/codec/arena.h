/* arena: a bump allocator for messages that live for one event. protobuf-c
 * unpacks into it (kmesos_arena_allocator) with one pointer bump per
 * sub-message and string instead of a malloc each, and the whole tree is
 * dropped at once by kmesos_arena_reset, which keeps a few blocks (2 MB)
 * for the next event and gives the rest back. */
#ifndef KMESOS_ARENA_H
#define KMESOS_ARENA_H
#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

typedef struct kmesos_arena_block kmesos_arena_block;

typedef struct kmesos_arena {
    kmesos_arena_block *head;  /* the block being filled; older ones follow */
    kmesos_arena_block *spare; /* emptied blocks kept for reuse */
    size_t used;               /* bytes used in head */
    ProtobufCAllocator pc;    /* the allocator view; its data is the arena */
} kmesos_arena;

/* The arena must not move once initialised (its allocator points at it). */
void kmesos_arena_init(kmesos_arena *a);
/* Frees every block. */
void kmesos_arena_free(kmesos_arena *a);
/* Drops everything allocated, keeping up to 2 MB of blocks for reuse. */
void kmesos_arena_reset(kmesos_arena *a);
/* n bytes aligned for any type, or NULL when memory runs out. */
void *kmesos_arena_alloc(kmesos_arena *a, size_t n);
/* protobuf-c's view of the arena (its free does nothing: reset does). */
ProtobufCAllocator *kmesos_arena_allocator(kmesos_arena *a);

#endif
