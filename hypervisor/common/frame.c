// SPDX-License-Identifier: GPL-2.0-only
/*
 * Physical frame allocator (see hv/frame.h for what it promises).
 *
 * A bitmap is the simplest structure that can answer both "any free frame"
 * and "N contiguous aligned frames below an address", which the hypervisor
 * needs for AP trampolines, page tables and domain memory.  Searches start at
 * a hint so the common single-frame case does not rescan the low, long-used
 * part of memory.  Pure code: unit-tested on the host.
 */
#include <hv/frame.h>
#include <lib/string.h>

#define BITS_PER_WORD 64

static bool bit_is_set(const struct frame_allocator *fa, uint64_t pfn)
{
	return fa->bitmap[pfn / BITS_PER_WORD] & (1ULL << (pfn % BITS_PER_WORD));
}

static bool is_managed(const struct frame_allocator *fa, uint64_t pfn)
{
	return fa->managed[pfn / BITS_PER_WORD] & (1ULL << (pfn % BITS_PER_WORD));
}

static void set_free(struct frame_allocator *fa, uint64_t pfn)
{
	fa->bitmap[pfn / BITS_PER_WORD] |= 1ULL << (pfn % BITS_PER_WORD);
}

static void set_used(struct frame_allocator *fa, uint64_t pfn)
{
	fa->bitmap[pfn / BITS_PER_WORD] &= ~(1ULL << (pfn % BITS_PER_WORD));
}

/*
 * Arithmetic on addresses near 2^64 must not wrap: a region's end is
 * computed saturating, and page rounding is done on frame numbers.
 */
static uint64_t region_end(uint64_t base, uint64_t len)
{
	return base + len < base ? UINT64_MAX : base + len;
}

/* The first frame wholly at or above addr. */
static uint64_t pfn_up(uint64_t addr)
{
	return (addr >> PAGE_SHIFT) + ((addr & (PAGE_SIZE - 1)) != 0);
}

/* One past the last frame wholly below addr. */
static uint64_t pfn_down(uint64_t addr)
{
	return addr >> PAGE_SHIFT;
}

/* Marks every frame that overlaps [start, end) as used. */
static void mark_used(struct frame_allocator *fa, uint64_t start, uint64_t end)
{
	uint64_t pfn, last;

	if (end <= start)
		return;
	pfn = start >> PAGE_SHIFT;
	last = MIN((end - 1) >> PAGE_SHIFT, fa->nr_frames - 1);
	for (; pfn <= last && pfn < fa->nr_frames; pfn++)
		set_used(fa, pfn);
}

static bool overlaps(uint64_t a_start, uint64_t a_end,
		     uint64_t b_start, uint64_t b_end)
{
	return a_start < b_end && b_start < a_end;
}

/* True when [start, end) touches a reserved range or a non-RAM region. */
static bool range_is_taken(uint64_t start, uint64_t end,
			   const struct mem_region *map, unsigned int nr_map,
			   const struct phys_range *reserved,
			   unsigned int nr_reserved)
{
	unsigned int i;

	for (i = 0; i < nr_reserved; i++)
		if (overlaps(start, end, reserved[i].start, reserved[i].end))
			return true;
	for (i = 0; i < nr_map; i++)
		if (map[i].type != MB2_MEM_AVAILABLE &&
		    overlaps(start, end, map[i].base,
			     region_end(map[i].base, map[i].len)))
			return true;
	return false;
}

/* Finds a page-aligned home for a bitmap of `bytes` bytes; 0 if none. */
static uint64_t place_bitmap(uint64_t bytes, const struct mem_region *map,
			     unsigned int nr_map,
			     const struct phys_range *reserved,
			     unsigned int nr_reserved)
{
	unsigned int i;

	for (i = 0; i < nr_map; i++) {
		uint64_t start, end;

		if (map[i].type != MB2_MEM_AVAILABLE)
			continue;
		start = pfn_up(MAX(map[i].base, FRAME_BITMAP_MIN)) << PAGE_SHIFT;
		end = pfn_down(MIN(region_end(map[i].base, map[i].len),
				   FRAME_BITMAP_MAX)) << PAGE_SHIFT;
		/* Slide up a page at a time past anything already taken. */
		for (; start + bytes <= end && start + bytes > start;
		     start += PAGE_SIZE)
			if (!range_is_taken(start, start + bytes, map, nr_map,
					    reserved, nr_reserved))
				return start;
	}
	return 0;
}

/* Set bits in w (no libgcc in the hypervisor, so no __builtin_popcount). */
static unsigned int popcount64(uint64_t w)
{
	unsigned int n = 0;

	for (; w; w &= w - 1)
		n++;
	return n;
}

static uint64_t count_free(const struct frame_allocator *fa)
{
	uint64_t i, n = 0;

	for (i = 0; i < ALIGN_UP(fa->nr_frames, BITS_PER_WORD) / BITS_PER_WORD; i++)
		n += popcount64(fa->bitmap[i]);
	return n;
}

enum frame_error frame_init(struct frame_allocator *fa,
			    const struct mem_region *map, unsigned int nr_map,
			    const struct phys_range *reserved,
			    unsigned int nr_reserved,
			    void *(*phys_to_virt)(uint64_t phys))
{
	uint64_t top = 0, words, bytes, pfn;	/* top: a frame number */
	unsigned int i;

	memset(fa, 0, sizeof(*fa));
	for (i = 0; i < nr_map; i++) {
		uint64_t end = pfn_down(region_end(map[i].base, map[i].len));

		if (map[i].type == MB2_MEM_AVAILABLE && end > pfn_up(map[i].base))
			top = MAX(top, end);
	}
	if (top == 0)
		return FRAME_ERR_NO_RAM;

	fa->nr_frames = top;
	/* Two bitmaps of one bit per frame, each a whole number of words. */
	words = ALIGN_UP(fa->nr_frames, BITS_PER_WORD) / BITS_PER_WORD;
	bytes = ALIGN_UP(2 * words * sizeof(uint64_t), PAGE_SIZE);
	fa->bitmap_phys = place_bitmap(bytes, map, nr_map, reserved, nr_reserved);
	if (fa->bitmap_phys == 0)
		return FRAME_ERR_NO_BITMAP_ROOM;
	fa->bitmap_bytes = bytes;
	fa->bitmap = phys_to_virt(fa->bitmap_phys);
	fa->managed = fa->bitmap + words;
	memset(fa->bitmap, 0, bytes);

	/* Free: frames wholly inside available RAM. */
	for (i = 0; i < nr_map; i++) {
		uint64_t start, end;

		if (map[i].type != MB2_MEM_AVAILABLE)
			continue;
		start = pfn_up(map[i].base);
		end = pfn_down(region_end(map[i].base, map[i].len));
		for (pfn = start; pfn < end; pfn++)
			set_free(fa, pfn);
	}
	fa->usable_frames = count_free(fa);

	/* Used again: anything the map says is not RAM, where it overlaps. */
	for (i = 0; i < nr_map; i++)
		if (map[i].type != MB2_MEM_AVAILABLE)
			mark_used(fa, map[i].base,
				  region_end(map[i].base, map[i].len));
	for (i = 0; i < nr_reserved; i++)
		mark_used(fa, reserved[i].start, reserved[i].end);
	mark_used(fa, fa->bitmap_phys, fa->bitmap_phys + bytes);
	set_used(fa, 0);

	fa->free_frames = fa->managed_frames = count_free(fa);
	memcpy(fa->managed, fa->bitmap, words * sizeof(uint64_t));
	fa->next_hint = MIN(FRAME_FIRST_HINT >> PAGE_SHIFT, fa->nr_frames) /
			BITS_PER_WORD;
	return FRAME_OK;
}

uint64_t frame_alloc(struct frame_allocator *fa)
{
	return frame_alloc_contig(fa, 1, PAGE_SIZE, 0);
}

/* The offset of the first used frame in [pfn, pfn + count), or count. */
static uint64_t first_used(const struct frame_allocator *fa, uint64_t pfn,
			   uint64_t count)
{
	uint64_t i;

	for (i = 0; i < count; i++)
		if (!bit_is_set(fa, pfn + i))
			return i;
	return count;
}

/*
 * Scans candidate first frames in [from, to) stepping by the alignment;
 * returns the first whose run is free, or UINT64_MAX.  A used frame inside
 * a candidate run rules out every candidate up to it, so the scan jumps past
 * it: linear in the range, not quadratic.
 */
static uint64_t scan(const struct frame_allocator *fa, uint64_t from,
		     uint64_t to, uint64_t count, uint64_t step)
{
	uint64_t pfn = ALIGN_UP(from, step);

	while (pfn < to && count <= to - pfn) {
		uint64_t used;

		/* Skip a whole empty word at once in the single-frame case. */
		if (step == 1 && pfn % BITS_PER_WORD == 0 &&
		    fa->bitmap[pfn / BITS_PER_WORD] == 0) {
			pfn += BITS_PER_WORD;
			continue;
		}
		used = first_used(fa, pfn, count);
		if (used == count)
			return pfn;
		pfn = ALIGN_UP(pfn + used + 1, step);
	}
	return UINT64_MAX;
}

uint64_t frame_alloc_contig(struct frame_allocator *fa, uint64_t count,
			    uint64_t align, uint64_t limit)
{
	uint64_t step, end, hint, pfn, i;

	if (count == 0 || count > fa->nr_frames || align < PAGE_SIZE ||
	    (align & (align - 1)))
		return 0;
	step = align >> PAGE_SHIFT;
	end = fa->nr_frames;
	if (limit)
		end = MIN(end, limit >> PAGE_SHIFT);

	spin_lock(&fa->lock);
	hint = MIN(fa->next_hint * BITS_PER_WORD, end);
	pfn = scan(fa, hint, end, count, step);
	if (pfn == UINT64_MAX)
		pfn = scan(fa, 0, MIN(hint + count - 1, end), count, step);
	if (pfn == UINT64_MAX) {
		spin_unlock(&fa->lock);
		return 0;
	}
	for (i = 0; i < count; i++)
		set_used(fa, pfn + i);
	fa->free_frames -= count;
	if (!limit && step == 1)
		fa->next_hint = (pfn + count) / BITS_PER_WORD;
	spin_unlock(&fa->lock);
	return pfn << PAGE_SHIFT;
}

bool frame_free_contig(struct frame_allocator *fa, uint64_t phys,
		       uint64_t count)
{
	uint64_t pfn = phys >> PAGE_SHIFT, i;

	if (phys % PAGE_SIZE || pfn == 0 || count == 0 ||
	    pfn >= fa->nr_frames || count > fa->nr_frames - pfn)
		return false;

	spin_lock(&fa->lock);
	for (i = 0; i < count; i++)
		if (bit_is_set(fa, pfn + i) || !is_managed(fa, pfn + i)) {
			spin_unlock(&fa->lock);
			return false;
		}
	for (i = 0; i < count; i++)
		set_free(fa, pfn + i);
	fa->free_frames += count;
	spin_unlock(&fa->lock);
	return true;
}

bool frame_take(struct frame_allocator *fa, uint64_t phys)
{
	uint64_t pfn = phys >> PAGE_SHIFT;
	bool taken = false;

	if (phys % PAGE_SIZE || pfn >= fa->nr_frames)
		return false;
	spin_lock(&fa->lock);
	if (bit_is_set(fa, pfn)) {
		set_used(fa, pfn);
		fa->free_frames--;
		taken = true;
	}
	spin_unlock(&fa->lock);
	return taken;
}

uint64_t frame_donate(struct frame_allocator *fa, uint64_t start, uint64_t end)
{
	uint64_t pfn, added = 0;

	start = pfn_up(start);
	end = MIN(pfn_down(end), fa->nr_frames);
	spin_lock(&fa->lock);
	for (pfn = MAX(start, 1); pfn < end; pfn++) {
		if (is_managed(fa, pfn))
			continue;
		fa->managed[pfn / BITS_PER_WORD] |= 1ULL << (pfn % BITS_PER_WORD);
		set_free(fa, pfn);
		added++;
	}
	fa->managed_frames += added;
	fa->free_frames += added;
	spin_unlock(&fa->lock);
	return added;
}

bool frame_is_free(struct frame_allocator *fa, uint64_t phys)
{
	uint64_t pfn = phys >> PAGE_SHIFT;

	return pfn < fa->nr_frames && bit_is_set(fa, pfn);
}
