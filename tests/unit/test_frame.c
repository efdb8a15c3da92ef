// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for hypervisor/common/frame.c, the bitmap frame allocator.
 *
 * Memory maps are built by hand, the main one like QEMU's (low RAM, the
 * EBDA and BIOS holes, RAM from 1 MiB, reserved areas near 4 GiB, RAM above
 * 4 GiB).  The bitmap lives in a calloc'd host buffer of exactly the size the
 * allocator asks for; the phys_to_virt callback checks where it was placed.
 *
 * Covered: the counts after init; that frames in reserved ranges, outside
 * available RAM, partly covered at region edges, frame 0 and the bitmap are
 * never handed out (checked against an independent reference, frame by
 * frame, by allocating everything); free_frames bookkeeping; refused frees;
 * free then allocate again; the low megabyte handed out last
 * (FRAME_FIRST_HINT); frame_alloc_contig's count, alignment and limit; bad
 * arguments; overlapping map entries; the two init errors; a 64 GiB map;
 * frame_take and frame_donate.
 */
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include <hv/frame.h>

#include "suites.h"

/* ---- A fixture: one allocator over one hand-built memory map ---- */

struct fixture {
	const struct mem_region *map;
	unsigned int nr_map;
	const struct phys_range *reserved;
	unsigned int nr_reserved;
	struct frame_allocator fa;
	uint64_t expected_bitmap_bytes;
	void *bitmap_buf;		/* the host memory behind the bitmap */
	unsigned int phys_to_virt_calls;
	uint64_t first_low_at;		/* see alloc_all_and_check() */
};

static struct fixture fx;

static void fx_setup(void)
{
	memset(&fx, 0, sizeof(fx));
}

static void fx_teardown(void)
{
	free(fx.bitmap_buf);
	fx.bitmap_buf = NULL;
}

/* End of a map region; one that wraps past 2^64 ends at the very top. */
static uint64_t region_end(const struct mem_region *r)
{
	return r->base + r->len < r->base ? UINT64_MAX : r->base + r->len;
}

static bool overlaps(uint64_t a_start, uint64_t a_end, uint64_t b_start,
		     uint64_t b_end)
{
	return a_start < b_end && b_start < a_end;
}

/*
 * Expected number of bitmap bytes, worked out here independently: two
 * bitmaps of one bit per frame below the top of usable RAM, each a whole
 * number of 64-bit words, rounded up to whole pages.
 */
static uint64_t expected_bitmap_bytes(const struct mem_region *map,
				      unsigned int nr_map)
{
	uint64_t top = 0, frames, words;
	unsigned int i;

	for (i = 0; i < nr_map; i++) {
		uint64_t start = ALIGN_UP(map[i].base, PAGE_SIZE);
		uint64_t end = ALIGN_DOWN(region_end(&map[i]), PAGE_SIZE);

		if (map[i].type == MB2_MEM_AVAILABLE && end > start && end > top)
			top = end;
	}
	frames = top / PAGE_SIZE;
	words = (frames + 63) / 64;
	return ALIGN_UP(2 * words * 8, PAGE_SIZE);
}

/*
 * frame_init's phys_to_virt.  It is asked exactly once, for the bitmap: a
 * page-aligned place in available RAM between 1 MiB and 4 GiB that touches
 * no reserved range and no non-RAM region.
 */
static void *test_phys_to_virt(uint64_t phys)
{
	uint64_t bytes = fx.fa.bitmap_bytes, end = phys + bytes;
	bool in_ram = false;
	unsigned int i;

	fx.phys_to_virt_calls++;
	ck_assert_uint_eq(fx.phys_to_virt_calls, 1);
	ck_assert_uint_eq(phys, fx.fa.bitmap_phys);
	ck_assert_uint_eq(bytes, fx.expected_bitmap_bytes);
	ck_assert_uint_eq(phys % PAGE_SIZE, 0);
	ck_assert_uint_ge(phys, 1 * MiB);
	ck_assert_uint_le(end, 4 * GiB);
	for (i = 0; i < fx.nr_reserved; i++)
		ck_assert_msg(!overlaps(phys, end, fx.reserved[i].start,
					fx.reserved[i].end),
			      "bitmap [%#lx,%#lx) overlaps reserved range %u",
			      (unsigned long)phys, (unsigned long)end, i);
	for (i = 0; i < fx.nr_map; i++) {
		const struct mem_region *r = &fx.map[i];

		if (r->type != MB2_MEM_AVAILABLE)
			ck_assert_msg(!overlaps(phys, end, r->base,
						region_end(r)),
				      "bitmap overlaps non-RAM region %u", i);
		else if (r->base <= phys && end <= region_end(r))
			in_ram = true;
	}
	ck_assert_msg(in_ram, "bitmap is not inside one available region");

	fx.bitmap_buf = calloc(1, bytes);
	ck_assert_ptr_nonnull(fx.bitmap_buf);
	return fx.bitmap_buf;
}

static enum frame_error fx_init(const struct mem_region *map,
				unsigned int nr_map,
				const struct phys_range *reserved,
				unsigned int nr_reserved)
{
	fx.map = map;
	fx.nr_map = nr_map;
	fx.reserved = reserved;
	fx.nr_reserved = nr_reserved;
	fx.expected_bitmap_bytes = expected_bitmap_bytes(map, nr_map);
	return frame_init(&fx.fa, map, nr_map, reserved, nr_reserved,
			  test_phys_to_virt);
}

/*
 * The reference: may the frame at phys ever be handed out?  Only when it is
 * not frame 0, lies wholly inside an available region, and touches no
 * non-RAM region, no reserved range and not the bitmap.
 */
static bool frame_allowed(uint64_t phys)
{
	uint64_t end = phys + PAGE_SIZE;
	bool in_ram = false;
	unsigned int i;

	if (phys == 0)
		return false;
	for (i = 0; i < fx.nr_map; i++) {
		const struct mem_region *r = &fx.map[i];

		if (r->type == MB2_MEM_AVAILABLE) {
			if (r->base <= phys && end <= region_end(r))
				in_ram = true;
		} else if (overlaps(phys, end, r->base, region_end(r))) {
			return false;
		}
	}
	for (i = 0; i < fx.nr_reserved; i++)
		if (overlaps(phys, end, fx.reserved[i].start,
			     fx.reserved[i].end))
			return false;
	if (overlaps(phys, end, fx.fa.bitmap_phys,
		     fx.fa.bitmap_phys + fx.fa.bitmap_bytes))
		return false;
	return in_ram;
}

/* How many frames the reference allows, among those the bitmap covers. */
static uint64_t count_allowed(void)
{
	uint64_t pfn, n = 0;

	for (pfn = 0; pfn < fx.fa.nr_frames; pfn++)
		n += frame_allowed(pfn * PAGE_SIZE);
	return n;
}

/*
 * Allocates single frames until none is left, checking each one against
 * the reference and that none comes twice.  Returns how many it got, and
 * notes in fx.first_low_at how many came before the first one below 1 MiB.
 * (Plain ifs, not ck_assert: see FAST_ASSERT in suites.h.)
 */
static uint64_t alloc_all_and_check(void)
{
	uint8_t *seen = calloc(fx.fa.nr_frames, 1);
	uint64_t phys, n = 0;

	ck_assert_ptr_nonnull(seen);
	fx.first_low_at = UINT64_MAX;
	while ((phys = frame_alloc(&fx.fa)) != 0) {
		uint64_t pfn = phys / PAGE_SIZE;

		if (phys % PAGE_SIZE || pfn >= fx.fa.nr_frames)
			ck_abort_msg("bad frame address %#lx",
				     (unsigned long)phys);
		if (!frame_allowed(phys))
			ck_abort_msg("frame %#lx handed out but not allowed",
				     (unsigned long)phys);
		if (seen[pfn])
			ck_abort_msg("frame %#lx handed out twice",
				     (unsigned long)phys);
		if (frame_is_free(&fx.fa, phys))
			ck_abort_msg("frame %#lx handed out, still free",
				     (unsigned long)phys);
		if (phys < 1 * MiB && fx.first_low_at == UINT64_MAX)
			fx.first_low_at = n;
		seen[pfn] = 1;
		n++;
		if (n > fx.fa.managed_frames)
			ck_abort_msg("more frames than managed_frames");
	}
	free(seen);
	return n;
}

/* ---- The QEMU-like map ---- */

static const struct mem_region qemu_map[] = {
	{ 0x0, 0x9fc00, MB2_MEM_AVAILABLE },		/* ends mid-page */
	{ 0x9fc00, 0x400, MB2_MEM_RESERVED },		/* EBDA */
	{ 0xf0000, 0x10000, MB2_MEM_RESERVED },		/* BIOS */
	{ 0x100000, 0x7ee0000, MB2_MEM_AVAILABLE },	/* 1 MiB .. 127.9 MiB */
	{ 0x7fe0000, 0x20000, MB2_MEM_RESERVED },
	{ 0xfeffc000, 0x4000, MB2_MEM_RESERVED },
	{ 0xfffc0000, 0x40000, MB2_MEM_RESERVED },	/* flash */
	{ 0x100000000, 0x10000000, MB2_MEM_AVAILABLE },	/* 256 MiB >4 GiB */
};

/* The hypervisor image, a boot module, the boot information. */
static const struct phys_range qemu_reserved[] = {
	{ 0x100000, 0x123456 },		/* image: frames 0x100..0x123 */
	{ 0x400000, 0x4a1f00 },		/* module: frames 0x400..0x4a1 */
	{ 0x12340, 0x12a00 },		/* boot info: frame 0x12 */
};

/*
 * The numbers worked out by hand for that map:
 *  - RAM frames: 0x9f below 640 KiB (frame 0x9f is only partly RAM),
 *    0x7ee0 from 1 MiB, 0x10000 above 4 GiB;
 *  - the bitmap covers 0x110000 frames: 2 * 0x110000 / 8 bytes = 0x44000
 *    (68 pages), placed at the first free page after the image, 0x124000;
 *  - managed: all RAM frames less frame 0, the boot info frame, 0x24 image
 *    frames, 0x44 bitmap frames and 0xa2 module frames.
 */
#define QEMU_NR_FRAMES		0x110000
#define QEMU_BITMAP_PHYS	0x124000
#define QEMU_BITMAP_BYTES	0x44000
#define QEMU_USABLE		(0x9f + 0x7ee0 + 0x10000)
#define QEMU_MANAGED		(QEMU_USABLE - 1 - 1 - 0x24 - 0x44 - 0xa2)

static void qemu_init(void)
{
	ck_assert_int_eq(fx_init(qemu_map, ARRAY_SIZE(qemu_map), qemu_reserved,
				 ARRAY_SIZE(qemu_reserved)), FRAME_OK);
}

START_TEST(test_qemu_init_counts)
{
	qemu_init();
	ck_assert_uint_eq(fx.phys_to_virt_calls, 1);
	ck_assert_ptr_eq(fx.fa.bitmap, fx.bitmap_buf);
	ck_assert_uint_eq(fx.fa.nr_frames, QEMU_NR_FRAMES);
	ck_assert_uint_eq(fx.fa.bitmap_phys, QEMU_BITMAP_PHYS);
	ck_assert_uint_eq(fx.fa.bitmap_bytes, QEMU_BITMAP_BYTES);
	ck_assert_uint_eq(fx.fa.usable_frames, QEMU_USABLE);
	ck_assert_uint_eq(fx.fa.managed_frames, QEMU_MANAGED);
	ck_assert_uint_eq(fx.fa.free_frames, QEMU_MANAGED);
	/* The reference agrees, frame by frame. */
	ck_assert_uint_eq(count_allowed(), QEMU_MANAGED);
}
END_TEST

START_TEST(test_qemu_is_free_spots)
{
	qemu_init();
	ck_assert(!frame_is_free(&fx.fa, 0x0));		/* frame 0 */
	ck_assert(frame_is_free(&fx.fa, 0x1000));
	ck_assert(!frame_is_free(&fx.fa, 0x12000));	/* boot info */
	ck_assert(frame_is_free(&fx.fa, 0x9e000));
	ck_assert(!frame_is_free(&fx.fa, 0x9f000));	/* partly EBDA */
	ck_assert(!frame_is_free(&fx.fa, 0xa0000));	/* hole, not in map */
	ck_assert(!frame_is_free(&fx.fa, 0xf0000));	/* BIOS */
	ck_assert(!frame_is_free(&fx.fa, 0x100000));	/* image */
	ck_assert(!frame_is_free(&fx.fa, 0x123000));	/* image, last part */
	ck_assert(!frame_is_free(&fx.fa, 0x124000));	/* bitmap */
	ck_assert(!frame_is_free(&fx.fa, 0x167000));	/* bitmap, last page */
	ck_assert(frame_is_free(&fx.fa, 0x168000));
	ck_assert(!frame_is_free(&fx.fa, 0x4a1000));	/* module, last part */
	ck_assert(frame_is_free(&fx.fa, 0x4a2000));
	ck_assert(frame_is_free(&fx.fa, 0x7fdf000));
	ck_assert(!frame_is_free(&fx.fa, 0x7fe0000));	/* reserved */
	ck_assert(!frame_is_free(&fx.fa, 0xfffc0000));
	ck_assert(frame_is_free(&fx.fa, 0x100000000));
	ck_assert(frame_is_free(&fx.fa, 0x10ffff000));	/* last frame */
	ck_assert(!frame_is_free(&fx.fa, 0x110000000));	/* past the end */
	ck_assert(!frame_is_free(&fx.fa, UINT64_MAX));
}
END_TEST

START_TEST(test_qemu_alloc_everything)
{
	qemu_init();
	ck_assert_uint_eq(alloc_all_and_check(), QEMU_MANAGED);
	/*
	 * FRAME_FIRST_HINT: single frames come from above 1 MiB first; the
	 * 157 managed frames below it are handed out last.
	 */
	ck_assert_uint_eq(fx.first_low_at, QEMU_MANAGED - 157);
	ck_assert_uint_eq(fx.fa.free_frames, 0);
	/* Empty stays empty, for every way of asking. */
	ck_assert_uint_eq(frame_alloc(&fx.fa), 0);
	ck_assert_uint_eq(frame_alloc_contig(&fx.fa, 1, PAGE_SIZE, 0), 0);
	ck_assert_uint_eq(frame_alloc_contig(&fx.fa, 1, PAGE_SIZE, 1 * MiB), 0);
	ck_assert_uint_eq(fx.fa.free_frames, 0);
}
END_TEST

START_TEST(test_free_bookkeeping)
{
	uint64_t a, b;

	qemu_init();
	a = frame_alloc(&fx.fa);
	ck_assert_uint_ne(a, 0);
	ck_assert_uint_eq(fx.fa.free_frames, QEMU_MANAGED - 1);
	b = frame_alloc(&fx.fa);
	ck_assert_uint_ne(b, 0);
	ck_assert_uint_ne(b, a);
	ck_assert_uint_eq(fx.fa.free_frames, QEMU_MANAGED - 2);

	ck_assert(frame_free(&fx.fa, a));
	ck_assert(frame_is_free(&fx.fa, a));
	ck_assert_uint_eq(fx.fa.free_frames, QEMU_MANAGED - 1);

	/* A double free is refused and changes nothing. */
	ck_assert(!frame_free(&fx.fa, a));
	ck_assert_uint_eq(fx.fa.free_frames, QEMU_MANAGED - 1);

	ck_assert(frame_free(&fx.fa, b));
	ck_assert_uint_eq(fx.fa.free_frames, QEMU_MANAGED);
}
END_TEST

START_TEST(test_free_refused)
{
	/* Frames that were never ours, or addresses that are not frames. */
	static const uint64_t bad[] = {
		0x0,			/* frame 0 */
		0x12000,		/* boot information */
		0x9f000,		/* partly RAM, partly EBDA */
		0xa0000,		/* hole in the map */
		0xf0000,		/* BIOS */
		0x100000,		/* hypervisor image */
		0x110000,		/* hypervisor image */
		0x123000,		/* image's partial last page */
		0x124000,		/* the bitmap */
		0x167000,		/* the bitmap */
		0x400000,		/* boot module */
		0x7fe0000,		/* reserved region */
		0xfffc0000,		/* flash, below the top of RAM */
		0x110000000,		/* first frame past the end */
		0x200000000,		/* far past the end */
		0xfffffffffffff000,	/* the last page of the address space */
	};
	uint64_t a;
	unsigned int i;

	qemu_init();
	a = frame_alloc(&fx.fa);
	ck_assert_uint_ne(a, 0);

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ck_assert_msg(!frame_free(&fx.fa, bad[i]),
			      "free of %#lx accepted", (unsigned long)bad[i]);
		ck_assert_uint_eq(fx.fa.free_frames, QEMU_MANAGED - 1);
	}
	ck_assert(!frame_is_free(&fx.fa, 0x100000));
	ck_assert(!frame_is_free(&fx.fa, 0x124000));

	/* A free frame that was never allocated: a double free too. */
	ck_assert_uint_ne(a, 0x5000000);
	ck_assert(frame_is_free(&fx.fa, 0x5000000));
	ck_assert(!frame_free(&fx.fa, 0x5000000));

	/* Unaligned addresses inside an allocated frame. */
	ck_assert(!frame_free(&fx.fa, a + 1));
	ck_assert(!frame_free(&fx.fa, a + 0x800));
	ck_assert(!frame_free(&fx.fa, a + 0xfff));
	/* No frames at all. */
	ck_assert(!frame_free_contig(&fx.fa, a, 0));
	ck_assert(!frame_is_free(&fx.fa, a));
	ck_assert_uint_eq(fx.fa.free_frames, QEMU_MANAGED - 1);

	/* After all that, the right call still works. */
	ck_assert(frame_free(&fx.fa, a));
	ck_assert_uint_eq(fx.fa.free_frames, QEMU_MANAGED);
}
END_TEST

START_TEST(test_free_contig_all_or_nothing)
{
	uint64_t run;

	qemu_init();
	run = frame_alloc_contig(&fx.fa, 4, PAGE_SIZE, 0);
	ck_assert_uint_ne(run, 0);
	ck_assert_uint_eq(fx.fa.free_frames, QEMU_MANAGED - 4);

	/* Free the third frame alone; then the whole run is refused. */
	ck_assert(frame_free(&fx.fa, run + 2 * PAGE_SIZE));
	ck_assert(!frame_free_contig(&fx.fa, run, 4));
	ck_assert_uint_eq(fx.fa.free_frames, QEMU_MANAGED - 3);
	ck_assert(!frame_is_free(&fx.fa, run));
	ck_assert(!frame_is_free(&fx.fa, run + PAGE_SIZE));
	ck_assert(!frame_is_free(&fx.fa, run + 3 * PAGE_SIZE));

	/* The parts that are still allocated free fine. */
	ck_assert(frame_free_contig(&fx.fa, run, 2));
	ck_assert(frame_free(&fx.fa, run + 3 * PAGE_SIZE));
	ck_assert_uint_eq(fx.fa.free_frames, QEMU_MANAGED);
}
END_TEST

START_TEST(test_free_then_alloc_again)
{
	qemu_init();
	ck_assert_uint_eq(alloc_all_and_check(), QEMU_MANAGED);

	/* The one frame given back is the one frame handed out next. */
	ck_assert(frame_free(&fx.fa, 0x7fdf000));
	ck_assert_uint_eq(fx.fa.free_frames, 1);
	ck_assert_uint_eq(frame_alloc(&fx.fa), 0x7fdf000);
	ck_assert_uint_eq(frame_alloc(&fx.fa), 0);

	/* Low frames too: the search must wrap round to the start. */
	ck_assert(frame_free(&fx.fa, 0x1000));
	ck_assert_uint_eq(frame_alloc(&fx.fa), 0x1000);

	/* Three frames back, as a run: too few for 4, exactly right for 3. */
	ck_assert(frame_free_contig(&fx.fa, 0x200000, 3));
	ck_assert_uint_eq(fx.fa.free_frames, 3);
	ck_assert_uint_eq(frame_alloc_contig(&fx.fa, 4, PAGE_SIZE, 0), 0);
	ck_assert_uint_eq(frame_alloc_contig(&fx.fa, 3, PAGE_SIZE, 0),
			  0x200000);
	ck_assert_uint_eq(fx.fa.free_frames, 0);

	/* A run reaching past the last frame: refused as a whole. */
	ck_assert(!frame_free_contig(&fx.fa, 0x10fffe000, 3));
	ck_assert(!frame_is_free(&fx.fa, 0x10fffe000));
	/* A run crossing into a boot module or a reserved region: refused. */
	ck_assert(!frame_free_contig(&fx.fa, 0x3fe000, 3));
	ck_assert(!frame_is_free(&fx.fa, 0x3fe000));
	ck_assert(!frame_free_contig(&fx.fa, 0x7fdf000, 2));
	ck_assert(!frame_is_free(&fx.fa, 0x7fdf000));
	ck_assert_uint_eq(fx.fa.free_frames, 0);

	/* The last frame of all, back and out again. */
	ck_assert(frame_free(&fx.fa, 0x10ffff000));
	ck_assert_uint_eq(frame_alloc(&fx.fa), 0x10ffff000);
	ck_assert_uint_eq(frame_alloc(&fx.fa), 0);
}
END_TEST

/* ---- frame_alloc_contig ---- */

/* Checks a run that was just allocated, and marks its frames seen. */
static void check_run(uint64_t phys, uint64_t count, uint64_t align,
		      uint64_t limit, uint8_t *seen)
{
	uint64_t i;

	ck_assert_uint_ne(phys, 0);
	ck_assert_uint_eq(phys % align, 0);
	if (limit)
		ck_assert_uint_le(phys + count * PAGE_SIZE, limit);
	for (i = 0; i < count; i++) {
		uint64_t f = phys + i * PAGE_SIZE;

		if (!frame_allowed(f))
			ck_abort_msg("frame %#lx not allowed", (unsigned long)f);
		FAST_ASSERT(!frame_is_free(&fx.fa, f));
		if (seen) {
			if (seen[f / PAGE_SIZE])
				ck_abort_msg("frame %#lx handed out twice",
					     (unsigned long)f);
			seen[f / PAGE_SIZE] = 1;
		}
	}
}

/*
 * Aligned blocks of frames_per_block frames that the reference allows in
 * full: how many such runs there are to hand out.
 */
static uint64_t count_allowed_blocks(uint64_t frames_per_block)
{
	uint64_t pfn, i, n = 0;

	for (pfn = 0; pfn + frames_per_block <= fx.fa.nr_frames;
	     pfn += frames_per_block) {
		for (i = 0; i < frames_per_block; i++)
			if (!frame_allowed((pfn + i) * PAGE_SIZE))
				break;
		n += i == frames_per_block;
	}
	return n;
}

START_TEST(test_contig_2mib_runs)
{
	uint8_t *seen;
	uint64_t phys, runs = 0;

	qemu_init();
	seen = calloc(fx.fa.nr_frames, 1);
	ck_assert_ptr_nonnull(seen);
	while ((phys = frame_alloc_contig(&fx.fa, 512, 2 * MiB, 0)) != 0) {
		check_run(phys, 512, 2 * MiB, 0, seen);
		runs++;
	}
	free(seen);
	/*
	 * Below 4 GiB: the 62 blocks from 0x200000 to 0x7c00000 (0x7e00000
	 * runs into the reserved 0x7fe0000) but the module's at 0x400000, so
	 * 61; above 4 GiB all 128.
	 */
	ck_assert_uint_eq(runs, 189);
	ck_assert_uint_eq(count_allowed_blocks(512), 189);
	ck_assert_uint_eq(fx.fa.free_frames, QEMU_MANAGED - runs * 512);
	/* Single frames are still there, between and around the blocks. */
	ck_assert_uint_ne(frame_alloc(&fx.fa), 0);
}
END_TEST

START_TEST(test_contig_below_1mib)
{
	uint64_t phys, n = 0, count_low = 0, pfn;

	qemu_init();
	/* An AP trampoline: one frame whose last byte is below 1 MiB. */
	while ((phys = frame_alloc_contig(&fx.fa, 1, PAGE_SIZE, 1 * MiB)) != 0) {
		check_run(phys, 1, PAGE_SIZE, 1 * MiB, NULL);
		n++;
	}
	/* Frames 1..0x9e but the boot info's 0x12: 157. */
	for (pfn = 0; pfn < 256; pfn++)
		count_low += frame_allowed(pfn * PAGE_SIZE);
	ck_assert_uint_eq(count_low, 157);
	ck_assert_uint_eq(n, 157);

	/* Nothing fits below the limit any more, but RAM above is left. */
	ck_assert_uint_eq(frame_alloc_contig(&fx.fa, 1, PAGE_SIZE, 1 * MiB), 0);
	phys = frame_alloc(&fx.fa);
	ck_assert_uint_ge(phys, 1 * MiB);
	ck_assert_uint_eq(fx.fa.free_frames, QEMU_MANAGED - 158);
}
END_TEST

START_TEST(test_contig_limit_exact)
{
	uint64_t phys;

	qemu_init();
	/* Five frames below 0x5000 would need frame 0: impossible. */
	ck_assert_uint_eq(frame_alloc_contig(&fx.fa, 5, PAGE_SIZE, 0x5000), 0);
	/* Four fit in exactly one way: frames 1 to 4. */
	ck_assert_uint_eq(frame_alloc_contig(&fx.fa, 4, PAGE_SIZE, 0x5000),
			  0x1000);
	ck_assert_uint_eq(frame_alloc_contig(&fx.fa, 1, PAGE_SIZE, 0x5000), 0);
	/* Frame 5's last byte, 0x5fff, is not below 0x5800. */
	ck_assert_uint_eq(frame_alloc_contig(&fx.fa, 1, PAGE_SIZE, 0x5800), 0);
	ck_assert_uint_eq(frame_alloc_contig(&fx.fa, 1, PAGE_SIZE, 0x6000),
			  0x5000);
	ck_assert_uint_eq(fx.fa.free_frames, QEMU_MANAGED - 5);

	/*
	 * Alignment and limit together.  64 KiB-aligned runs of 16 frames
	 * below 128 KiB could start at 0x0 (frame 0) or 0x10000 (holds the
	 * boot information at 0x12340): none fits.  Below 192 KiB, 0x20000 is
	 * the one that does.
	 */
	ck_assert_uint_eq(frame_alloc_contig(&fx.fa, 16, 0x10000, 0x20000), 0);
	ck_assert_uint_eq(frame_alloc_contig(&fx.fa, 16, 0x10000, 0x30000),
			  0x20000);
	/* 32 KiB-aligned, below 1 MiB: wherever it lands, it must fit. */
	phys = frame_alloc_contig(&fx.fa, 8, 0x8000, 1 * MiB);
	check_run(phys, 8, 0x8000, 1 * MiB, NULL);
	ck_assert_uint_eq(fx.fa.free_frames, QEMU_MANAGED - 5 - 16 - 8);
}
END_TEST

START_TEST(test_contig_bad_args)
{
	qemu_init();
	ck_assert_uint_eq(frame_alloc_contig(&fx.fa, 0, PAGE_SIZE, 0), 0);
	ck_assert_uint_eq(frame_alloc_contig(&fx.fa, 1, 0, 0), 0);
	ck_assert_uint_eq(frame_alloc_contig(&fx.fa, 1, 2048, 0), 0);
	ck_assert_uint_eq(frame_alloc_contig(&fx.fa, 1, 4097, 0), 0);
	ck_assert_uint_eq(frame_alloc_contig(&fx.fa, 1, 3 * PAGE_SIZE, 0), 0);
	ck_assert_uint_eq(frame_alloc_contig(&fx.fa, 1, 0x6000, 0), 0);
	/*
	 * More frames than the bitmap covers, or a limit below the first
	 * frame.  (Not a count between free_frames and nr_frames: that search
	 * retries the run at every start frame and takes seconds here.)
	 */
	ck_assert_uint_eq(frame_alloc_contig(&fx.fa, QEMU_NR_FRAMES + 1,
					     PAGE_SIZE, 0), 0);
	ck_assert_uint_eq(frame_alloc_contig(&fx.fa, 1, PAGE_SIZE, 0xfff), 0);
	/* Only frame 0 is 2^40-aligned below the end of RAM. */
	ck_assert_uint_eq(frame_alloc_contig(&fx.fa, 1, 1ULL << 40, 0), 0);
	ck_assert_uint_eq(fx.fa.free_frames, QEMU_MANAGED);
}
END_TEST

/* ---- Other maps ---- */

START_TEST(test_overlapping_map)
{
	static const struct mem_region map[] = {
		{ 0x0, 0x9fc00, MB2_MEM_AVAILABLE },
		{ 0x100000, 0x700000, MB2_MEM_AVAILABLE },	/* 1-8 MiB */
		/* Claimed by both an available and a reserved entry. */
		{ 0x300000, 0x80000, MB2_MEM_RESERVED },
		/* Two available entries overlapping: counted once. */
		{ 0x600000, 0x400000, MB2_MEM_AVAILABLE },	/* 6-10 MiB */
		/* Unaligned both ends: touches frames 0x4ff and 0x500. */
		{ 0x4ff800, 0x1000, MB2_MEM_ACPI_RECLAIMABLE },
	};
	uint64_t n;

	ck_assert_int_eq(fx_init(map, ARRAY_SIZE(map), NULL, 0), FRAME_OK);
	ck_assert_uint_eq(fx.fa.nr_frames, 0xa00);
	ck_assert_uint_eq(fx.fa.bitmap_phys, 0x100000);
	ck_assert_uint_eq(fx.fa.bitmap_bytes, PAGE_SIZE);
	ck_assert_uint_eq(fx.fa.usable_frames, 0x9f + 0x900);
	/* Less frame 0, the bitmap, 0x80 reserved frames and 2 ACPI ones. */
	ck_assert_uint_eq(fx.fa.managed_frames, 0x9f + 0x900 - 1 - 1 - 0x80 - 2);
	ck_assert_uint_eq(count_allowed(), fx.fa.managed_frames);

	ck_assert(!frame_is_free(&fx.fa, 0x300000));
	ck_assert(!frame_is_free(&fx.fa, 0x37f000));
	ck_assert(frame_is_free(&fx.fa, 0x380000));
	ck_assert(!frame_is_free(&fx.fa, 0x4ff000));
	ck_assert(!frame_is_free(&fx.fa, 0x500000));
	n = alloc_all_and_check();
	ck_assert_uint_eq(n, fx.fa.managed_frames);
	ck_assert(!frame_free(&fx.fa, 0x300000));
}
END_TEST

START_TEST(test_partial_pages_at_edges)
{
	static const struct mem_region map[] = {
		/* Starts and ends mid-page: frames 0x101..0x3ff only. */
		{ 0x100800, 0x300400, MB2_MEM_AVAILABLE },
		/* Less than a page, straddling two: nothing usable. */
		{ 0x500800, 0x1000, MB2_MEM_AVAILABLE },
	};
	uint64_t phys, lowest = UINT64_MAX, highest = 0, n = 0;

	ck_assert_int_eq(fx_init(map, ARRAY_SIZE(map), NULL, 0), FRAME_OK);
	/* The top is the last whole frame of the first region. */
	ck_assert_uint_eq(fx.fa.nr_frames, 0x400);
	ck_assert_uint_eq(fx.fa.usable_frames, 0x3ff - 0x101 + 1);
	/* The bitmap takes the first whole page, 0x101000. */
	ck_assert_uint_eq(fx.fa.bitmap_phys, 0x101000);
	ck_assert_uint_eq(fx.fa.managed_frames, 0x3ff - 0x101);

	while ((phys = frame_alloc(&fx.fa)) != 0) {
		ck_assert(frame_allowed(phys));
		lowest = MIN(lowest, phys);
		highest = MAX(highest, phys);
		n++;
	}
	ck_assert_uint_eq(n, 0x3ff - 0x101);
	ck_assert_uint_eq(lowest, 0x102000);
	ck_assert_uint_eq(highest, 0x3ff000);
}
END_TEST

START_TEST(test_no_ram)
{
	static const struct mem_region reserved_only[] = {
		{ 0x0, 0x100000, MB2_MEM_RESERVED },
		{ 0x100000, 0x1000000, MB2_MEM_ACPI_RECLAIMABLE },
		{ 0x1100000, 0x1000000, MB2_MEM_BAD },
	};
	static const struct mem_region sub_page[] = {
		{ 0x100100, 0xe00, MB2_MEM_AVAILABLE },
		{ 0x200800, 0x1000, MB2_MEM_AVAILABLE },
	};

	ck_assert_int_eq(fx_init(NULL, 0, NULL, 0), FRAME_ERR_NO_RAM);
	ck_assert_int_eq(fx_init(reserved_only, ARRAY_SIZE(reserved_only),
				 NULL, 0), FRAME_ERR_NO_RAM);
	ck_assert_int_eq(fx_init(sub_page, ARRAY_SIZE(sub_page), NULL, 0),
			 FRAME_ERR_NO_RAM);
	ck_assert_uint_eq(fx.phys_to_virt_calls, 0);
}
END_TEST

START_TEST(test_no_bitmap_room)
{
	static const struct mem_region low_only[] = {
		{ 0x0, 0x9fc00, MB2_MEM_AVAILABLE },
		{ 0x100000, 0x100000, MB2_MEM_RESERVED },
	};
	static const struct mem_region high_only[] = {
		{ 0x100000000, 0x100000000, MB2_MEM_AVAILABLE },
	};
	static const struct mem_region tiny_middle[] = {
		{ 0x0, 0x9fc00, MB2_MEM_AVAILABLE },
		{ 0x100000, 0x1000, MB2_MEM_AVAILABLE },	/* one page */
		{ 0x100000000, 0x1000000000, MB2_MEM_AVAILABLE },
	};
	static const struct mem_region one_mib[] = {
		{ 0x0, 0x9fc00, MB2_MEM_AVAILABLE },
		{ 0x100000, 0x100000, MB2_MEM_AVAILABLE },
	};
	static const struct phys_range all_of_it[] = {
		{ 0x100000, 0x200000 },
	};

	ck_assert_int_eq(fx_init(low_only, ARRAY_SIZE(low_only), NULL, 0),
			 FRAME_ERR_NO_BITMAP_ROOM);
	ck_assert_int_eq(fx_init(high_only, ARRAY_SIZE(high_only), NULL, 0),
			 FRAME_ERR_NO_BITMAP_ROOM);
	/* 64 GiB above 4 GiB need a 4 MiB bitmap; one page is all there is. */
	ck_assert_int_eq(fx_init(tiny_middle, ARRAY_SIZE(tiny_middle), NULL, 0),
			 FRAME_ERR_NO_BITMAP_ROOM);
	/* The only RAM above 1 MiB is taken by the caller. */
	ck_assert_int_eq(fx_init(one_mib, ARRAY_SIZE(one_mib), all_of_it,
				 ARRAY_SIZE(all_of_it)),
			 FRAME_ERR_NO_BITMAP_ROOM);
	ck_assert_uint_eq(fx.phys_to_virt_calls, 0);

	/* Control: without the reservation the same map works. */
	ck_assert_int_eq(fx_init(one_mib, ARRAY_SIZE(one_mib), NULL, 0),
			 FRAME_OK);
	ck_assert_uint_eq(fx.fa.bitmap_phys, 0x100000);
}
END_TEST

START_TEST(test_large_64gib)
{
	static const struct mem_region map[] = {
		{ 0x0, 0x9fc00, MB2_MEM_AVAILABLE },
		{ 0x9fc00, 0x400, MB2_MEM_RESERVED },
		{ 0xf0000, 0x10000, MB2_MEM_RESERVED },
		{ 0x100000, 0xc0000000 - 0x100000, MB2_MEM_AVAILABLE },
		{ 0xfeffc000, 0x4000, MB2_MEM_RESERVED },
		{ 0xfffc0000, 0x40000, MB2_MEM_RESERVED },
		{ 0x100000000, 0x1040000000 - 0x100000000, MB2_MEM_AVAILABLE },
	};
	static const struct phys_range image[] = {
		{ 0x100000, 0x200000 },
	};
	const uint64_t usable = 0x9f + (0xc0000000 - 0x100000) / PAGE_SIZE +
				(0x1040000000 - 0x100000000) / PAGE_SIZE;
	uint64_t phys;

	ck_assert_int_eq(fx_init(map, ARRAY_SIZE(map), image,
				 ARRAY_SIZE(image)), FRAME_OK);
	ck_assert_uint_eq(fx.fa.nr_frames, 0x1040000);
	/* 0x1040000 frames: two bitmaps of 0x208000 bytes, 0x410 pages. */
	ck_assert_uint_eq(fx.fa.bitmap_bytes, 0x410000);
	ck_assert_uint_eq(fx.fa.bitmap_phys, 0x200000);
	ck_assert_uint_eq(fx.fa.usable_frames, usable);
	/* Less frame 0, the 0x100 image frames and the 0x410 bitmap ones. */
	ck_assert_uint_eq(fx.fa.managed_frames, usable - 1 - 0x100 - 0x410);
	ck_assert_uint_eq(fx.fa.free_frames, fx.fa.managed_frames);

	ck_assert(!frame_is_free(&fx.fa, 0x60f000));	/* bitmap's last page */
	ck_assert(frame_is_free(&fx.fa, 0x610000));
	ck_assert(!frame_is_free(&fx.fa, 0xc0000000));	/* PCI hole */
	ck_assert(frame_is_free(&fx.fa, 0x103ffff000));	/* last frame */
	ck_assert(!frame_is_free(&fx.fa, 0x1040000000));

	/* A 1 GiB-aligned run of 1 GiB and a 2 MiB one: aligned and allowed. */
	phys = frame_alloc_contig(&fx.fa, GiB / PAGE_SIZE, GiB, 0);
	check_run(phys, GiB / PAGE_SIZE, GiB, 0, NULL);
	phys = frame_alloc_contig(&fx.fa, 512, 2 * MiB, 0);
	check_run(phys, 512, 2 * MiB, 0, NULL);
	ck_assert_uint_eq(fx.fa.free_frames,
			  fx.fa.managed_frames - GiB / PAGE_SIZE - 512);
}
END_TEST

/* ---- frame_take, frame_donate ---- */

START_TEST(test_take)
{
	qemu_init();
	ck_assert(frame_take(&fx.fa, 0x5000000));
	ck_assert(!frame_is_free(&fx.fa, 0x5000000));
	ck_assert_uint_eq(fx.fa.free_frames, QEMU_MANAGED - 1);
	/* Taken already, so not free: refused. */
	ck_assert(!frame_take(&fx.fa, 0x5000000));

	/* Never free: frame 0, the image, the bitmap, holes, past the end. */
	ck_assert(!frame_take(&fx.fa, 0x0));
	ck_assert(!frame_take(&fx.fa, 0x100000));
	ck_assert(!frame_take(&fx.fa, 0x124000));
	ck_assert(!frame_take(&fx.fa, 0xa0000));
	ck_assert(!frame_take(&fx.fa, 0x110000000));
	ck_assert(!frame_take(&fx.fa, 0xfffffffffffff000));
	/* Not a frame address. */
	ck_assert(!frame_take(&fx.fa, 0x5001800));
	ck_assert(frame_is_free(&fx.fa, 0x5001000));
	ck_assert_uint_eq(fx.fa.free_frames, QEMU_MANAGED - 1);

	/* A taken frame is an allocated frame: it frees normally. */
	ck_assert(frame_free(&fx.fa, 0x5000000));
	ck_assert_uint_eq(fx.fa.free_frames, QEMU_MANAGED);
}
END_TEST

START_TEST(test_take_is_never_handed_out_again)
{
	qemu_init();
	/* The first frame frame_alloc would give, taken before it can. */
	ck_assert(frame_take(&fx.fa, 0x168000));
	ck_assert_uint_eq(alloc_all_and_check(), QEMU_MANAGED - 1);
}
END_TEST

START_TEST(test_donate)
{
	uint64_t phys;

	qemu_init();
	/*
	 * The boot module [0x400000, 0x4a1f00) once copied: frames 0x400 to
	 * 0x4a0 are wholly inside; 0x4a1 is only partly, so it stays out.
	 */
	ck_assert_uint_eq(frame_donate(&fx.fa, 0x400000, 0x4a1f00), 0xa1);
	ck_assert_uint_eq(fx.fa.managed_frames, QEMU_MANAGED + 0xa1);
	ck_assert_uint_eq(fx.fa.free_frames, QEMU_MANAGED + 0xa1);
	ck_assert(frame_is_free(&fx.fa, 0x400000));
	ck_assert(frame_is_free(&fx.fa, 0x4a0000));
	ck_assert(!frame_is_free(&fx.fa, 0x4a1000));

	/* Given twice: nothing more to add. */
	ck_assert_uint_eq(frame_donate(&fx.fa, 0x400000, 0x4a1f00), 0);
	/* Frame 0 is never added; frame 1 is managed already. */
	ck_assert_uint_eq(frame_donate(&fx.fa, 0x0, 0x2000), 0);
	ck_assert(!frame_is_free(&fx.fa, 0x0));
	/* An unaligned start: only whole frames count. */
	ck_assert_uint_eq(frame_donate(&fx.fa, 0x100800, 0x102000), 1);
	ck_assert(!frame_is_free(&fx.fa, 0x100000));
	ck_assert(frame_is_free(&fx.fa, 0x101000));
	/* Past the end of the bitmap: clipped, nothing to add there. */
	ck_assert_uint_eq(frame_donate(&fx.fa, 0x10fffe000, 0x200000000), 0);
	/* An empty or backwards range adds nothing. */
	ck_assert_uint_eq(frame_donate(&fx.fa, 0x110000, 0x110000), 0);
	ck_assert_uint_eq(frame_donate(&fx.fa, 0x111000, 0x110000), 0);
	ck_assert_uint_eq(fx.fa.managed_frames, QEMU_MANAGED + 0xa2);

	/* Donated frames are ordinary frames: out, back, and out again. */
	ck_assert(frame_take(&fx.fa, 0x400000));
	ck_assert(!frame_free(&fx.fa, 0x4a1000));
	ck_assert(frame_free(&fx.fa, 0x400000));
	ck_assert(!frame_free(&fx.fa, 0x400000));
	/* 4 MiB-aligned and below 0x4a1000: the donated run is the only fit. */
	phys = frame_alloc_contig(&fx.fa, 0xa1, 4 * MiB, 0x4a1000);
	ck_assert_uint_eq(phys, 0x400000);
}
END_TEST

/*
 * Regression (found by these tests, fixed): hypervisor/common/frame.c, frame_donate(),
 * "start = ALIGN_UP(start, PAGE_SIZE) >> PAGE_SHIFT" wraps to 0 for a start
 * in the last page of the address space, so [0xfffffffffffff001,
 * UINT64_MAX) -- which holds no whole frame -- donates every unmanaged
 * frame from 1 up: the hypervisor image, the boot module, the bitmap and
 * the holes in the map.  Expected: 0 frames added.
 */
START_TEST(test_donate_top_of_address_space)
{
	uint64_t added;

	qemu_init();
	added = frame_donate(&fx.fa, 0xfffffffffffff001ULL, UINT64_MAX);
	ck_assert_msg(added == 0 && !frame_is_free(&fx.fa, QEMU_BITMAP_PHYS),
		      "frame_donate(0xfffffffffffff001, UINT64_MAX) added "
		      "%lu frames, the bitmap's own among them",
		      (unsigned long)added);
}
END_TEST

/*
 * Regression (found by these tests, fixed): hypervisor/common/frame.c works with
 * map[i].base + map[i].len, which is 0 for a region ending exactly at 2^64
 * -- and that is how mb2_parse clips an entry whose end wraps (its len
 * becomes -base).  So in frame_init, mark_used(fa, base, 0) returns at once
 * ("end <= start") and range_is_taken's overlaps() never matches: a
 * reserved region from 64 MiB to the top of the address space is ignored,
 * and the RAM under it is handed out.  Expected: no frame at or above
 * 0x4000000 is free; managed_frames = 0x3f00 - 2 (bitmap) = 16126.
 */
START_TEST(test_reserved_to_top_of_memory)
{
	static const struct mem_region map[] = {
		{ 0x100000, 0x7f00000, MB2_MEM_AVAILABLE },	/* 1-128 MiB */
		/* What mb2_parse makes of { 0x4000000, UINT64_MAX }. */
		{ 0x4000000, 0 - 0x4000000ULL, MB2_MEM_RESERVED },
	};

	ck_assert_int_eq(fx_init(map, ARRAY_SIZE(map), NULL, 0), FRAME_OK);
	ck_assert_uint_eq(fx.fa.bitmap_phys, 0x100000);
	ck_assert_uint_eq(fx.fa.bitmap_bytes, 2 * PAGE_SIZE);
	ck_assert_msg(!frame_is_free(&fx.fa, 0x4000000),
		      "frame.c ignores a non-RAM region ending at 2^64 "
		      "(base + len == 0): frame 0x4000000 is free");
	ck_assert_msg(fx.fa.managed_frames == 0x3f00 - 2,
		      "managed_frames is %lu, expected %u",
		      (unsigned long)fx.fa.managed_frames, 0x3f00 - 2);
}
END_TEST

Suite *frame_suite(void)
{
	Suite *s = suite_create("frame");
	TCase *tc;

	tc = tcase_create("init");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, test_qemu_init_counts);
	tcase_add_test(tc, test_qemu_is_free_spots);
	tcase_add_test(tc, test_no_ram);
	tcase_add_test(tc, test_no_bitmap_room);
	tcase_add_test(tc, test_large_64gib);
	suite_add_tcase(s, tc);

	tc = tcase_create("alloc");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, test_qemu_alloc_everything);
	tcase_add_test(tc, test_overlapping_map);
	tcase_add_test(tc, test_partial_pages_at_edges);
	tcase_add_test(tc, test_reserved_to_top_of_memory);
	suite_add_tcase(s, tc);

	tc = tcase_create("free");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, test_free_bookkeeping);
	tcase_add_test(tc, test_free_refused);
	tcase_add_test(tc, test_free_contig_all_or_nothing);
	tcase_add_test(tc, test_free_then_alloc_again);
	suite_add_tcase(s, tc);

	tc = tcase_create("take_donate");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, test_take);
	tcase_add_test(tc, test_take_is_never_handed_out_again);
	tcase_add_test(tc, test_donate);
	tcase_add_test(tc, test_donate_top_of_address_space);
	suite_add_tcase(s, tc);

	tc = tcase_create("contig");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, test_contig_2mib_runs);
	tcase_add_test(tc, test_contig_below_1mib);
	tcase_add_test(tc, test_contig_limit_exact);
	tcase_add_test(tc, test_contig_bad_args);
	suite_add_tcase(s, tc);
	return s;
}
