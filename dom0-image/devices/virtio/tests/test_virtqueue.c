// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the split virtqueue (virtqueue.h): one happy path per
 * feature, every malformed form with its exact error, and a randomized
 * walk.  Guest memory is an mmap()ed buffer between two PROT_NONE guard
 * pages, so any access outside it faults and fails the test (Check forks
 * each test); the tests also compare guest memory before and after a
 * failed pop, which must not write anything.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <check.h>

#include "virtqueue.h"

/* The fixture's guest memory layout (size <= 256 fits each ring). */
#define MEM_SIZE   0x10000u
#define DESC_GPA   0x0000u
#define AVAIL_GPA  0x1000u
#define USED_GPA   0x2000u
#define BUF_GPA    0x4000u
#define TABLE_GPA  0xA000u
#define NO_LIMIT   UINT64_MAX

static struct guest_mem gm;
static uint8_t *mapping;
static size_t mapping_len;
static struct virtqueue vq;
static struct vq_chain chain;
static uint8_t snapshot[MEM_SIZE];

static void map_guest_memory(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	mapping_len = MEM_SIZE + 2 * page;
	mapping = mmap(NULL, mapping_len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(mapping, MAP_FAILED);
	ck_assert_int_eq(mprotect(mapping + page, MEM_SIZE,
				  PROT_READ | PROT_WRITE), 0);
	gm.base = mapping + page;
	gm.size = MEM_SIZE;
}

static void unmap_guest_memory(void)
{
	munmap(mapping, mapping_len);
}

static struct vring_desc *desc_at(uint64_t table_gpa, unsigned i)
{
	return (struct vring_desc *)(gm.base + table_gpa) + i;
}

static void set_desc_in(uint64_t table_gpa, unsigned i, uint64_t addr,
			uint32_t len, uint16_t flags, uint16_t next)
{
	struct vring_desc *d = desc_at(table_gpa, i);

	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

static void set_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	set_desc_in(DESC_GPA, i, addr, len, flags, next);
}

static struct vring_avail *avail(void)
{
	return (struct vring_avail *)(gm.base + AVAIL_GPA);
}

static struct vring_used *used(void)
{
	return (struct vring_used *)(gm.base + USED_GPA);
}

/* The driver's side: put head in the next avail slot and publish it. */
static void offer(uint16_t head)
{
	avail()->ring[avail()->idx & (vq.size - 1)] = head;
	avail()->idx++;
}

static void enable(uint16_t size, bool event_idx)
{
	ck_assert_int_eq(vq_enable(&vq, &gm, size, event_idx, DESC_GPA,
				   AVAIL_GPA, USED_GPA), VQ_OK);
}

/* A failed pop: the exact error, the queue broken for good, and guest
 * memory exactly as it was. */
static void assert_pop_fails(uint64_t max_len, enum vq_error expected)
{
	memcpy(snapshot, gm.base, MEM_SIZE);
	ck_assert_str_eq(vq_error_name(vq_pop(&vq, &chain, max_len)),
			 vq_error_name(expected));
	ck_assert_int_eq(vq.broken, expected);
	ck_assert_int_eq(vq_pop(&vq, &chain, max_len), expected);
	ck_assert_int_eq(memcmp(snapshot, gm.base, MEM_SIZE), 0);
}

static void setup(void)
{
	map_guest_memory();
	vq_reset(&vq);
}

/* ---- guest_mem_slice ---- */

START_TEST(slice_bounds)
{
	ck_assert_ptr_eq(guest_mem_slice(&gm, 0, MEM_SIZE), gm.base);
	ck_assert_ptr_eq(guest_mem_slice(&gm, MEM_SIZE, 0), gm.base + MEM_SIZE);
	ck_assert_ptr_eq(guest_mem_slice(&gm, MEM_SIZE - 1, 1),
			 gm.base + MEM_SIZE - 1);
	ck_assert_ptr_null(guest_mem_slice(&gm, MEM_SIZE - 1, 2));
	ck_assert_ptr_null(guest_mem_slice(&gm, MEM_SIZE + 1, 0));
	ck_assert_ptr_null(guest_mem_slice(&gm, UINT64_MAX, 2));
	ck_assert_ptr_null(guest_mem_slice(&gm, 16, UINT64_MAX));
	ck_assert_ptr_null(guest_mem_slice(&gm, UINT64_MAX - 7, 16));
}
END_TEST

START_TEST(slice_refuses_the_hole)
{
	struct guest_mem holed = gm;

	holed.hole_start = 4096;
	holed.hole_end = 8192;
	ck_assert_ptr_eq(guest_mem_slice(&holed, 0, 4096), gm.base);
	ck_assert_ptr_eq(guest_mem_slice(&holed, 8192, 16), gm.base + 8192);
	ck_assert_ptr_null(guest_mem_slice(&holed, 4095, 2));
	ck_assert_ptr_null(guest_mem_slice(&holed, 4096, 1));
	ck_assert_ptr_null(guest_mem_slice(&holed, 8191, 1));
	ck_assert_ptr_null(guest_mem_slice(&holed, 0, MEM_SIZE));
}
END_TEST

/* ---- enabling a queue ---- */

START_TEST(enable_rejects_bad_size)
{
	static const uint16_t sizes[] = { 0, 3, 100, 65535 };

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ck_assert_int_eq(vq_enable(&vq, &gm, sizes[i], false, DESC_GPA,
					   AVAIL_GPA, USED_GPA),
				 VQ_ERR_QUEUE_SIZE);
		ck_assert(!vq.ready);
	}
}
END_TEST

START_TEST(enable_rejects_misaligned_rings)
{
	ck_assert_int_eq(vq_enable(&vq, &gm, 8, false, DESC_GPA + 8, AVAIL_GPA,
				   USED_GPA), VQ_ERR_RING_ALIGN);
	ck_assert_int_eq(vq_enable(&vq, &gm, 8, false, DESC_GPA, AVAIL_GPA + 1,
				   USED_GPA), VQ_ERR_RING_ALIGN);
	ck_assert_int_eq(vq_enable(&vq, &gm, 8, false, DESC_GPA, AVAIL_GPA,
				   USED_GPA + 2), VQ_ERR_RING_ALIGN);
	ck_assert(!vq.ready);
}
END_TEST

START_TEST(enable_rejects_rings_outside_memory)
{
	/* Each ring ends one byte past memory, counting its event field. */
	ck_assert_int_eq(vq_enable(&vq, &gm, 8, false, MEM_SIZE - 16 * 8 + 16,
				   AVAIL_GPA, USED_GPA), VQ_ERR_RING_RANGE);
	ck_assert_int_eq(vq_enable(&vq, &gm, 8, false, DESC_GPA,
				   MEM_SIZE - (6 + 2 * 8) + 2, USED_GPA),
			 VQ_ERR_RING_RANGE);
	ck_assert_int_eq(vq_enable(&vq, &gm, 8, false, DESC_GPA, AVAIL_GPA,
				   MEM_SIZE - (6 + 8 * 8) + 2), VQ_ERR_RING_RANGE);
	ck_assert_int_eq(vq_enable(&vq, &gm, 8, false, UINT64_MAX - 15,
				   AVAIL_GPA, USED_GPA), VQ_ERR_RING_RANGE);
	/* The largest size needs 512 KiB of descriptors: too big here. */
	ck_assert_int_eq(vq_enable(&vq, &gm, 32768, false, DESC_GPA, AVAIL_GPA,
				   USED_GPA), VQ_ERR_RING_RANGE);
	/* Exactly at the end is fine. */
	ck_assert_int_eq(vq_enable(&vq, &gm, 8, false, DESC_GPA, AVAIL_GPA,
				   MEM_SIZE - (6 + 8 * 8) - 2), VQ_OK);
}
END_TEST

START_TEST(pop_before_enable)
{
	ck_assert_int_eq(vq_pop(&vq, &chain, NO_LIMIT), VQ_ERR_NOT_READY);
	ck_assert_int_eq(vq_push_used(&vq, 0, 0), VQ_ERR_NOT_READY);
	ck_assert(!vq_should_interrupt(&vq));
}
END_TEST

/* ---- happy paths ---- */

START_TEST(direct_chain)
{
	enable(16, false);
	ck_assert_int_eq(vq_pop(&vq, &chain, NO_LIMIT), VQ_EMPTY);
	set_desc(5, BUF_GPA, 16, VRING_DESC_F_NEXT, 2);
	set_desc(2, BUF_GPA + 0x100, 512, VRING_DESC_F_NEXT, 9);
	set_desc(9, BUF_GPA + 0x400, 1, VRING_DESC_F_WRITE, 0);
	offer(5);

	ck_assert_int_eq(vq_pop(&vq, &chain, 529), VQ_OK);
	ck_assert_uint_eq(chain.head, 5);
	ck_assert_uint_eq(chain.nsegs, 3);
	ck_assert_ptr_eq(chain.segs[0].ptr, gm.base + BUF_GPA);
	ck_assert_uint_eq(chain.segs[1].len, 512);
	ck_assert(!chain.segs[1].writable);
	ck_assert_ptr_eq(chain.segs[2].ptr, gm.base + BUF_GPA + 0x400);
	ck_assert(chain.segs[2].writable);
	ck_assert_uint_eq(chain.readable_len, 528);
	ck_assert_uint_eq(chain.writable_len, 1);
	ck_assert_int_eq(vq_pop(&vq, &chain, NO_LIMIT), VQ_EMPTY);

	ck_assert_int_eq(vq_push_used(&vq, 5, 1), VQ_OK);
	ck_assert_uint_eq(used()->idx, 1);
	ck_assert_uint_eq(used()->ring[0].id, 5);
	ck_assert_uint_eq(used()->ring[0].len, 1);
}
END_TEST

START_TEST(indirect_chain)
{
	enable(16, false);
	set_desc(3, TABLE_GPA, 3 * 16, VRING_DESC_F_INDIRECT, 0);
	set_desc_in(TABLE_GPA, 0, BUF_GPA, 16, VRING_DESC_F_NEXT, 2);
	set_desc_in(TABLE_GPA, 2, BUF_GPA + 64, 8,
		    VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	set_desc_in(TABLE_GPA, 1, BUF_GPA + 128, 4, VRING_DESC_F_WRITE, 0);
	offer(3);

	ck_assert_int_eq(vq_pop(&vq, &chain, NO_LIMIT), VQ_OK);
	ck_assert_uint_eq(chain.head, 3);
	ck_assert_uint_eq(chain.nsegs, 3);
	ck_assert_ptr_eq(chain.segs[1].ptr, gm.base + BUF_GPA + 64);
	ck_assert_ptr_eq(chain.segs[2].ptr, gm.base + BUF_GPA + 128);
	ck_assert_uint_eq(chain.readable_len, 16);
	ck_assert_uint_eq(chain.writable_len, 12);
}
END_TEST

/* An indirect table may sit anywhere, unaligned, as long as it is in RAM. */
START_TEST(indirect_table_unaligned_at_end_of_memory)
{
	uint64_t table = MEM_SIZE - 16 - 3;

	enable(8, false);
	set_desc(0, table, 16, VRING_DESC_F_INDIRECT, 0);
	memset(gm.base + table, 0, 16);
	/* addr BUF_GPA, len 32, no flags, written bytewise (unaligned). */
	uint64_t addr = BUF_GPA;
	uint32_t len = 32;
	memcpy(gm.base + table, &addr, 8);
	memcpy(gm.base + table + 8, &len, 4);
	offer(0);
	ck_assert_int_eq(vq_pop(&vq, &chain, NO_LIMIT), VQ_OK);
	ck_assert_uint_eq(chain.nsegs, 1);
	ck_assert_uint_eq(chain.readable_len, 32);
}
END_TEST

/* The 16-bit indices wrap: avail and used slots follow idx mod size. */
START_TEST(index_wrap_around)
{
	enable(4, false);
	vq.last_avail = vq.avail_seen = 65534;
	vq.used_idx = vq.signalled_used = 65534;
	avail()->idx = 65534;
	used()->idx = 65534;
	for (unsigned i = 0; i < 4; i++) {
		set_desc(i, BUF_GPA + 16 * i, 16, 0, 0);
		offer((uint16_t)i);
	}
	ck_assert_uint_eq(avail()->idx, 2);
	for (unsigned i = 0; i < 4; i++) {
		ck_assert_int_eq(vq_pop(&vq, &chain, NO_LIMIT), VQ_OK);
		ck_assert_uint_eq(chain.head, i);
		ck_assert_int_eq(vq_push_used(&vq, chain.head, 0), VQ_OK);
	}
	ck_assert_int_eq(vq_pop(&vq, &chain, NO_LIMIT), VQ_EMPTY);
	ck_assert_uint_eq(used()->idx, 2);
	/* 65534 mod 4 = 2: ids 0,1 in slots 2,3, ids 2,3 in slots 0,1. */
	ck_assert_uint_eq(used()->ring[2].id, 0);
	ck_assert_uint_eq(used()->ring[1].id, 3);
	ck_assert(vq_should_interrupt(&vq));
}
END_TEST

/* A new backend taking over a running queue: the guest saw 2 of 4 chains
 * answered; the other two are popped again and the used ring goes on at 2. */
START_TEST(resume_continues_at_the_guests_used_index)
{
	ck_assert_uint_eq(vq_resume(&vq), 0);	/* not enabled: nothing */
	for (unsigned i = 0; i < 4; i++) {
		set_desc(i, BUF_GPA + 16 * i, 16, 0, 0);
		offer((uint16_t)i);
	}
	used()->idx = 2;
	used()->ring[0].id = 0;
	used()->ring[1].id = 1;
	enable(8, false);
	ck_assert_uint_eq(vq_resume(&vq), 2);
	ck_assert_int_eq(vq_pop(&vq, &chain, NO_LIMIT), VQ_OK);
	ck_assert_uint_eq(chain.head, 2);
	ck_assert_int_eq(vq_push_used(&vq, chain.head, 7), VQ_OK);
	ck_assert_int_eq(vq_pop(&vq, &chain, NO_LIMIT), VQ_OK);
	ck_assert_uint_eq(chain.head, 3);
	ck_assert_int_eq(vq_pop(&vq, &chain, NO_LIMIT), VQ_EMPTY);
	ck_assert_uint_eq(used()->idx, 3);
	ck_assert_uint_eq(used()->ring[2].id, 2);
	ck_assert_uint_eq(used()->ring[2].len, 7);
	ck_assert_uint_eq(used()->ring[0].id, 0);	/* the old answers stay */
	ck_assert(vq_should_interrupt(&vq));
	/* A guest whose avail index is now behind: a ring error, as always. */
	vq_reset(&vq);
	enable(8, false);
	used()->idx = 100;
	ck_assert_uint_eq(vq_resume(&vq), 100);
	assert_pop_fails(NO_LIMIT, VQ_ERR_AVAIL_IDX);
}
END_TEST

START_TEST(idle_check_finds_lost_events)
{
	uint16_t *used_event;

	ck_assert(!vq_avail_pending(&vq));	/* not enabled: nothing */
	enable(16, true);
	used_event = &avail()->ring[16];
	ck_assert(!vq_avail_pending(&vq));
	ck_assert(!vq_interrupt_owed(&vq));
	/* The device found the ring empty and waits for a notify; a chain
	 * added that it has not popped is a notify never seen. */
	ck_assert(!vq_set_notification(&vq, true));
	set_desc(0, BUF_GPA, 16, 0, 0);
	offer(0);
	ck_assert(vq_avail_pending(&vq));
	ck_assert_int_eq(vq_pop(&vq, &chain, NO_LIMIT), VQ_OK);
	ck_assert(!vq_avail_pending(&vq));
	/* A device that popped and did not ask for a notify (net's receive
	 * queue holding a buffer while the tap is empty) waits for nothing:
	 * chains left in the ring are not a lost notify. */
	set_desc(1, BUF_GPA, 16, VRING_DESC_F_WRITE, 0);
	offer(1);
	ck_assert(!vq_avail_pending(&vq));
	/* Used past where the guest asked to hear of it: owed. */
	*used_event = 0;
	ck_assert_int_eq(vq_push_used(&vq, 0, 0), VQ_OK);
	ck_assert(vq_interrupt_owed(&vq));
	/* The guest caught up (its used_event is its last used index). */
	*used_event = 1;
	ck_assert(!vq_interrupt_owed(&vq));
	/* A used_event ahead of the ring (the driver's enable_cb_delayed):
	 * nothing owed yet. */
	*used_event = 9;
	ck_assert(!vq_interrupt_owed(&vq));
	/* Raised or not, a guest still asking for entry 0 after it was used
	 * has not had its interrupt: one raised and lost is owed too. */
	*used_event = 0;
	ck_assert(vq_should_interrupt(&vq));
	ck_assert(vq_interrupt_owed(&vq));
	/* Wrap-around: the debt is judged modulo 2^16. */
	vq_reset(&vq);
	enable(16, true);
	used()->idx = 0xfffe;
	avail()->idx = 0xfffe;
	vq_resume(&vq);
	ck_assert_int_eq(vq_push_used(&vq, 0, 0), VQ_OK);
	ck_assert_int_eq(vq_push_used(&vq, 1, 0), VQ_OK);
	ck_assert_int_eq(vq_push_used(&vq, 2, 0), VQ_OK);	/* used 0x0001 */
	*used_event = 0xffff;
	ck_assert(vq_interrupt_owed(&vq));
	*used_event = 0x0001;
	ck_assert(!vq_interrupt_owed(&vq));
	*used_event = 0x0000;
	ck_assert(vq_should_interrupt(&vq));	/* 0xfffe..0x0001 holds 0 */
	ck_assert(vq_interrupt_owed(&vq));
	*used_event = 0x0005;			/* ahead: nothing owed yet */
	ck_assert(!vq_interrupt_owed(&vq));
	/* Without EVENT_IDX the guest's flags decide at each push. */
	vq_reset(&vq);
	enable(16, false);
	ck_assert(!vq_interrupt_owed(&vq));
}
END_TEST

START_TEST(event_idx_suppresses_interrupts)
{
	uint16_t *used_event;

	enable(16, true);
	used_event = &avail()->ring[16];
	ck_assert(!vq_should_interrupt(&vq)); /* nothing pushed */

	*used_event = 0;                      /* "interrupt after entry 0" */
	ck_assert_int_eq(vq_push_used(&vq, 0, 0), VQ_OK);
	ck_assert(vq_should_interrupt(&vq));

	*used_event = 5;                      /* not before entry 5 */
	ck_assert_int_eq(vq_push_used(&vq, 1, 0), VQ_OK);
	ck_assert(!vq_should_interrupt(&vq)); /* used 1..2 */
	for (uint16_t id = 2; id < 5; id++)
		ck_assert_int_eq(vq_push_used(&vq, id, 0), VQ_OK);
	ck_assert(!vq_should_interrupt(&vq)); /* used 2..5 */
	ck_assert_int_eq(vq_push_used(&vq, 5, 0), VQ_OK);
	ck_assert(vq_should_interrupt(&vq));  /* entry 5 now used */
	ck_assert(!vq_should_interrupt(&vq)); /* nothing new */
}
END_TEST

START_TEST(no_interrupt_flag)
{
	enable(16, false);
	avail()->flags = VRING_AVAIL_F_NO_INTERRUPT;
	ck_assert_int_eq(vq_push_used(&vq, 0, 0), VQ_OK);
	ck_assert(!vq_should_interrupt(&vq));
	/* The suppressed completion is still owed once the guest asks. */
	avail()->flags = 0;
	ck_assert(vq_should_interrupt(&vq));
	ck_assert(!vq_should_interrupt(&vq));
}
END_TEST

START_TEST(notification_requests)
{
	uint16_t *avail_event;

	enable(16, true);
	avail_event = (uint16_t *)&used()->ring[16];
	set_desc(0, BUF_GPA, 16, 0, 0);
	offer(0);
	ck_assert_int_eq(vq_pop(&vq, &chain, NO_LIMIT), VQ_OK);
	ck_assert(!vq_set_notification(&vq, true));
	ck_assert_uint_eq(*avail_event, 1);
	offer(0);
	ck_assert(vq_set_notification(&vq, true)); /* poll again */

	vq_reset(&vq);
	memset(gm.base, 0, MEM_SIZE);
	enable(16, false);
	ck_assert(!vq_set_notification(&vq, false));
	ck_assert_uint_eq(used()->flags, VRING_USED_F_NO_NOTIFY);
	ck_assert(!vq_set_notification(&vq, true));
	ck_assert_uint_eq(used()->flags, 0);
}
END_TEST

/* ---- malformed forms ---- */

START_TEST(avail_idx_jumps_ahead)
{
	enable(16, false);
	avail()->idx = 17;
	assert_pop_fails(NO_LIMIT, VQ_ERR_AVAIL_IDX);
}
END_TEST

START_TEST(head_out_of_range)
{
	enable(16, false);
	offer(16);
	assert_pop_fails(NO_LIMIT, VQ_ERR_HEAD_INDEX);
}
END_TEST

START_TEST(next_out_of_range)
{
	enable(16, false);
	set_desc(0, BUF_GPA, 16, VRING_DESC_F_NEXT, 16);
	offer(0);
	assert_pop_fails(NO_LIMIT, VQ_ERR_NEXT_INDEX);
}
END_TEST

START_TEST(buffer_outside_memory)
{
	static const struct { uint64_t addr; uint32_t len; } bad[] = {
		{ MEM_SIZE, 1 },                /* just past the end */
		{ MEM_SIZE - 8, 16 },           /* straddles the end */
		{ UINT64_MAX - 7, 16 },         /* addr + len wraps */
		{ 0, UINT32_MAX },              /* absurd length */
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vq_reset(&vq);
		memset(gm.base, 0, MEM_SIZE);
		enable(16, false);
		set_desc(0, bad[i].addr, bad[i].len, 0, 0);
		offer(0);
		assert_pop_fails(NO_LIMIT, VQ_ERR_DESC_RANGE);
	}
}
END_TEST

START_TEST(direct_chain_loops)
{
	enable(16, false);
	set_desc(0, BUF_GPA, 1, VRING_DESC_F_NEXT, 1);
	set_desc(1, BUF_GPA, 1, VRING_DESC_F_NEXT, 0);
	offer(0);
	assert_pop_fails(NO_LIMIT, VQ_ERR_CHAIN_LOOP);
}
END_TEST

START_TEST(self_loop)
{
	enable(16, false);
	set_desc(7, BUF_GPA, 0, VRING_DESC_F_NEXT, 7);
	offer(7);
	assert_pop_fails(NO_LIMIT, VQ_ERR_CHAIN_LOOP);
}
END_TEST

START_TEST(readable_after_writable)
{
	enable(16, false);
	set_desc(0, BUF_GPA, 8, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	set_desc(1, BUF_GPA + 8, 8, 0, 0);
	offer(0);
	assert_pop_fails(NO_LIMIT, VQ_ERR_ORDER);
}
END_TEST

START_TEST(chain_too_long)
{
	enable(16, false);
	set_desc(0, BUF_GPA, 64, VRING_DESC_F_NEXT, 1);
	set_desc(1, BUF_GPA, 64, VRING_DESC_F_WRITE, 0);
	offer(0);
	assert_pop_fails(127, VQ_ERR_TOO_LONG);
}
END_TEST

START_TEST(too_many_segments)
{
	unsigned n = VQ_MAX_SEGMENTS + 1;

	enable(16, false);
	set_desc(0, TABLE_GPA, 16 * n, VRING_DESC_F_INDIRECT, 0);
	for (unsigned i = 0; i < n; i++)
		set_desc_in(TABLE_GPA, i, BUF_GPA, 1,
			    i + 1 < n ? VRING_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	offer(0);
	assert_pop_fails(NO_LIMIT, VQ_ERR_TOO_MANY_SEGMENTS);
}
END_TEST

START_TEST(indirect_table_outside_memory)
{
	enable(16, false);
	set_desc(0, MEM_SIZE - 16, 32, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	assert_pop_fails(NO_LIMIT, VQ_ERR_INDIRECT_RANGE);
}
END_TEST

START_TEST(indirect_bad_length)
{
	static const uint32_t lens[] = { 0, 17, 8, 40 };

	for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		vq_reset(&vq);
		memset(gm.base, 0, MEM_SIZE);
		enable(16, false);
		set_desc(0, TABLE_GPA, lens[i], VRING_DESC_F_INDIRECT, 0);
		offer(0);
		assert_pop_fails(NO_LIMIT, VQ_ERR_INDIRECT_LEN);
	}
}
END_TEST

START_TEST(indirect_with_next)
{
	enable(16, false);
	set_desc(0, TABLE_GPA, 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	set_desc_in(TABLE_GPA, 0, BUF_GPA, 1, 0, 0);
	offer(0);
	assert_pop_fails(NO_LIMIT, VQ_ERR_INDIRECT_NEXT);
}
END_TEST

START_TEST(nested_indirect)
{
	enable(16, false);
	set_desc(0, TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	set_desc_in(TABLE_GPA, 0, BUF_GPA, 1, VRING_DESC_F_NEXT, 1);
	set_desc_in(TABLE_GPA, 1, TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	assert_pop_fails(NO_LIMIT, VQ_ERR_NESTED_INDIRECT);
}
END_TEST

START_TEST(indirect_chain_loops)
{
	enable(16, false);
	set_desc(0, TABLE_GPA, 48, VRING_DESC_F_INDIRECT, 0);
	set_desc_in(TABLE_GPA, 0, BUF_GPA, 1, VRING_DESC_F_NEXT, 1);
	set_desc_in(TABLE_GPA, 1, BUF_GPA, 1, VRING_DESC_F_NEXT, 2);
	set_desc_in(TABLE_GPA, 2, BUF_GPA, 1, VRING_DESC_F_NEXT, 1);
	offer(0);
	assert_pop_fails(NO_LIMIT, VQ_ERR_CHAIN_LOOP);
}
END_TEST

START_TEST(indirect_next_beyond_table)
{
	enable(16, false);
	set_desc(0, TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	set_desc_in(TABLE_GPA, 0, BUF_GPA, 1, VRING_DESC_F_NEXT, 2);
	offer(0);
	assert_pop_fails(NO_LIMIT, VQ_ERR_NEXT_INDEX);
}
END_TEST

START_TEST(used_id_out_of_range)
{
	enable(16, false);
	ck_assert_int_eq(vq_push_used(&vq, 16, 0), VQ_ERR_USED_ID);
	ck_assert_int_eq(vq.broken, VQ_ERR_USED_ID);
	ck_assert_uint_eq(used()->idx, 0);
}
END_TEST

START_TEST(error_names_are_distinct)
{
	for (int a = 0; a < VQ_ERR_COUNT; a++) {
		ck_assert_str_ne(vq_error_name(a), "VQ_ERR_UNKNOWN");
		for (int b = a + 1; b < VQ_ERR_COUNT; b++)
			ck_assert_str_ne(vq_error_name(a), vq_error_name(b));
	}
	ck_assert_str_eq(vq_error_name(VQ_ERR_COUNT), "VQ_ERR_UNKNOWN");
	ck_assert_str_eq(vq_error_name(-1), "VQ_ERR_UNKNOWN");
}
END_TEST

/* ---- randomized walk ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	/* xorshift64: deterministic, so a failure reproduces. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Mostly plausible addresses, sometimes near the end or absurd. */
static uint64_t random_addr(void)
{
	switch (rng() % 4) {
	case 0: return rng();
	case 1: return MEM_SIZE - rng() % 64;
	default: return rng() % MEM_SIZE;
	}
}

static void fill_random_table(uint64_t table_gpa, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		set_desc_in(table_gpa, i, random_addr(),
			    rng() % 3 ? (uint32_t)(rng() % 4096) : (uint32_t)rng(),
			    (uint16_t)(rng() % 8),
			    (uint16_t)(rng() % 3 ? rng() % n : rng()));
}

START_TEST(random_rings)
{
	unsigned ok = 0, failed = 0;

	for (unsigned iter = 0; iter < 3000; iter++) {
		uint16_t size = (uint16_t)(1u << (rng() % 9)); /* 1..256 */

		memset(gm.base, 0, MEM_SIZE);
		vq_reset(&vq);
		enable(size, rng() & 1);
		fill_random_table(DESC_GPA, size);
		fill_random_table(TABLE_GPA, 64);
		/* Indirect descriptors point at the random table at times. */
		for (unsigned i = 0; i < size; i++)
			if (rng() % 4 == 0)
				desc_at(DESC_GPA, i)->addr =
					TABLE_GPA + 16 * (rng() % 8);
		for (unsigned i = 0; i < size; i++)
			avail()->ring[i] = (uint16_t)(rng() % 5 ? rng() % size : rng());
		avail()->idx = (uint16_t)(rng() % 3 ? rng() % (size + 1u) : rng());

		for (unsigned n = 0; n <= size; n++) {
			enum vq_error err = vq_pop(&vq, &chain, 1u << 20);

			if (err == VQ_EMPTY)
				break;
			if (err != VQ_OK) {
				ck_assert_int_eq(vq.broken, err);
				failed++;
				break;
			}
			ok++;
			for (unsigned s = 0; s < chain.nsegs; s++) {
				uint8_t *p = chain.segs[s].ptr;

				ck_assert(p >= gm.base);
				ck_assert((uint64_t)(p - gm.base) +
					  chain.segs[s].len <= MEM_SIZE);
			}
			ck_assert_int_eq(vq_push_used(&vq, chain.head, 0), VQ_OK);
		}
	}
	/* Both outcomes must actually have been exercised. */
	ck_assert_uint_gt(ok, 100);
	ck_assert_uint_gt(failed, 100);
}
END_TEST

static Suite *virtqueue_suite(void)
{
	Suite *s = suite_create("virtqueue");
	TCase *tc = tcase_create("virtqueue");

	tcase_add_checked_fixture(tc, setup, unmap_guest_memory);
	tcase_add_test(tc, slice_bounds);
	tcase_add_test(tc, slice_refuses_the_hole);
	tcase_add_test(tc, enable_rejects_bad_size);
	tcase_add_test(tc, enable_rejects_misaligned_rings);
	tcase_add_test(tc, enable_rejects_rings_outside_memory);
	tcase_add_test(tc, pop_before_enable);
	tcase_add_test(tc, direct_chain);
	tcase_add_test(tc, indirect_chain);
	tcase_add_test(tc, indirect_table_unaligned_at_end_of_memory);
	tcase_add_test(tc, index_wrap_around);
	tcase_add_test(tc, resume_continues_at_the_guests_used_index);
	tcase_add_test(tc, idle_check_finds_lost_events);
	tcase_add_test(tc, event_idx_suppresses_interrupts);
	tcase_add_test(tc, no_interrupt_flag);
	tcase_add_test(tc, notification_requests);
	tcase_add_test(tc, avail_idx_jumps_ahead);
	tcase_add_test(tc, head_out_of_range);
	tcase_add_test(tc, next_out_of_range);
	tcase_add_test(tc, buffer_outside_memory);
	tcase_add_test(tc, direct_chain_loops);
	tcase_add_test(tc, self_loop);
	tcase_add_test(tc, readable_after_writable);
	tcase_add_test(tc, chain_too_long);
	tcase_add_test(tc, too_many_segments);
	tcase_add_test(tc, indirect_table_outside_memory);
	tcase_add_test(tc, indirect_bad_length);
	tcase_add_test(tc, indirect_with_next);
	tcase_add_test(tc, nested_indirect);
	tcase_add_test(tc, indirect_chain_loops);
	tcase_add_test(tc, indirect_next_beyond_table);
	tcase_add_test(tc, used_id_out_of_range);
	tcase_add_test(tc, error_names_are_distinct);
	tcase_add_test(tc, random_rings);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(virtqueue_suite());
	int failed;

	/* CK_NORMAL prints each failure and the "100%: Checks: N" line. */
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
