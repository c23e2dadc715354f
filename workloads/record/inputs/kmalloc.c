/*
 * The compiler's input for the cc1 trace: a small first-fit allocator over a fixed arena, in the spirit of the
 * kernel module dmm grew from (my_kmalloc / my_kfree / my_kcalloc, a doubly linked list of block headers).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define ARENA_BYTES (1 << 20)
#define ALIGN 8
#define ROUND_UP(n) (((n) + (ALIGN - 1)) & ~(size_t)(ALIGN - 1))

struct block {
	size_t size;
	int free;
	struct block *next;
	struct block *prev;
};

enum policy { FIRST_FIT, BEST_FIT, WORST_FIT };

static unsigned char arena[ARENA_BYTES];
static struct block *head;
static enum policy current = FIRST_FIT;

static void arena_init(void)
{
	head = (struct block *)arena;
	head->size = ARENA_BYTES - sizeof(struct block);
	head->free = 1;
	head->next = NULL;
	head->prev = NULL;
}

static struct block *find_block(size_t size)
{
	struct block *chosen = NULL;
	for (struct block *b = head; b; b = b->next) {
		if (!b->free || b->size < size)
			continue;
		switch (current) {
		case FIRST_FIT:
			return b;
		case BEST_FIT:
			if (!chosen || b->size < chosen->size)
				chosen = b;
			break;
		case WORST_FIT:
			if (!chosen || b->size > chosen->size)
				chosen = b;
			break;
		}
	}
	return chosen;
}

static void split(struct block *b, size_t size)
{
	if (b->size < size + sizeof(struct block) + ALIGN)
		return;
	struct block *rest = (struct block *)((unsigned char *)(b + 1) + size);
	rest->size = b->size - size - sizeof(struct block);
	rest->free = 1;
	rest->next = b->next;
	rest->prev = b;
	if (b->next)
		b->next->prev = rest;
	b->next = rest;
	b->size = size;
}

void *my_kmalloc(size_t size)
{
	if (size == 0)
		return NULL;
	size = ROUND_UP(size);
	struct block *b = find_block(size);
	if (!b)
		return NULL;
	split(b, size);
	b->free = 0;
	return b + 1;
}

static void coalesce(struct block *b)
{
	if (b->next && b->next->free) {
		b->size += sizeof(struct block) + b->next->size;
		b->next = b->next->next;
		if (b->next)
			b->next->prev = b;
	}
	if (b->prev && b->prev->free)
		coalesce(b->prev);
}

void my_kfree(void *ptr)
{
	if (!ptr)
		return;
	struct block *b = (struct block *)ptr - 1;
	b->free = 1;
	coalesce(b);
}

void *my_kcalloc(size_t count, size_t size)
{
	if (size && count > (size_t)-1 / size)
		return NULL;
	void *p = my_kmalloc(count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}

static void print_heap(FILE *out)
{
	for (struct block *b = head; b; b = b->next)
		fprintf(out, "Block at: %zu Size: %zu [%s]\n", (size_t)((unsigned char *)b - arena), b->size,
			b->free ? "FREE" : "USED");
}

int main(void)
{
	void *p[64];
	arena_init();
	for (enum policy pol = FIRST_FIT; pol <= WORST_FIT; pol++) {
		current = pol;
		for (int i = 0; i < 64; i++)
			p[i] = (i % 3) ? my_kmalloc(16 + 24 * (size_t)i) : my_kcalloc((size_t)i + 1, 8);
		for (int i = 0; i < 64; i += 2)
			my_kfree(p[i]);
		for (int i = 1; i < 64; i += 2)
			my_kfree(p[i]);
	}
	print_heap(stdout);
	return 0;
}
