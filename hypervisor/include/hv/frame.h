/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The physical frame allocator: hands out 4 KiB frames of RAM.
 *
 * It keeps one bit per frame (1 = free) for every frame below the end of the
 * highest usable RAM region.  At start-up only frames wholly inside an
 * "available" region of the firmware's memory map are marked free; then every
 * frame touching a non-available region (firmware, ACPI, bad memory), the
 * caller's reserved ranges (the hypervisor image, boot modules, the boot
 * information) and the bitmap itself are marked used again.  So a frame that
 * is ever handed out is RAM nobody else owns.  A second bitmap remembers which
 * frames were free at start-up, so a buggy free of a reserved frame (say, the
 * hypervisor's own image) is refused instead of handing it out later.
 *
 * Frame 0 is never handed out, so 0 can mean "no frame".
 */
#ifndef HV_FRAME_H
#define HV_FRAME_H

#include <hv/mb2.h>
#include <hv/spinlock.h>
#include <lib/types.h>

/* A physical address range [start, end). */
struct phys_range {
	uint64_t start;
	uint64_t end;
};

struct frame_allocator {
	uint64_t *bitmap;		/* 1 bit per frame, 1 = free */
	uint64_t *managed;		/* 1 bit per frame, 1 = ours to hand out */
	uint64_t bitmap_phys;		/* where both bitmaps live */
	uint64_t bitmap_bytes;		/* their size together */
	uint64_t nr_frames;		/* frames the bitmap covers */
	uint64_t usable_frames;		/* available RAM frames in the map */
	uint64_t managed_frames;	/* free at init, after reservations */
	uint64_t free_frames;		/* free now */
	uint64_t next_hint;		/* word index where searches start */
	struct spinlock lock;
};

enum frame_error {
	FRAME_OK = 0,
	FRAME_ERR_NO_RAM,		/* no usable RAM in the map */
	FRAME_ERR_NO_BITMAP_ROOM,	/* nowhere to put the bitmap */
};

/*
 * Single-frame searches start here, so the hypervisor's own allocations stay
 * out of the low megabyte, which dom0 wants whole (real-mode trampolines,
 * BIOS data).  Allocations with a limit below it still find low frames.
 */
#define FRAME_FIRST_HINT	(1 * MiB)

/*
 * The bitmap is placed in usable RAM between these two addresses: above the
 * low megabyte (kept for real-mode trampolines) and below 4 GiB, which the
 * boot page tables map.
 */
#define FRAME_BITMAP_MIN	(1 * MiB)
#define FRAME_BITMAP_MAX	(4 * GiB)

/*
 * Builds the allocator from the firmware memory map.  phys_to_virt turns the
 * physical address chosen for the bitmap into a pointer we can write.
 */
enum frame_error frame_init(struct frame_allocator *fa,
			    const struct mem_region *map, unsigned int nr_map,
			    const struct phys_range *reserved,
			    unsigned int nr_reserved,
			    void *(*phys_to_virt)(uint64_t phys));

/* One frame anywhere; returns its physical address, or 0 when none is left. */
uint64_t frame_alloc(struct frame_allocator *fa);

/*
 * count contiguous frames whose first address is a multiple of align (a power
 * of two, in bytes, at least PAGE_SIZE) and whose last byte lies below limit
 * (0 = no limit).  Returns the first frame's address, or 0.
 */
uint64_t frame_alloc_contig(struct frame_allocator *fa, uint64_t count,
			    uint64_t align, uint64_t limit);

/*
 * Gives frames back.  Returns false, and frees nothing, when any of them is
 * outside the allocator, was never ours to hand out, or is already free: a double free is a bug the caller
 * must report, not a state to paper over.
 */
bool frame_free_contig(struct frame_allocator *fa, uint64_t phys,
		       uint64_t count);

static inline bool frame_free(struct frame_allocator *fa, uint64_t phys)
{
	return frame_free_contig(fa, phys, 1);
}

/*
 * Takes the specific frame at phys if it is free (dom0's memory is chosen
 * frame by frame, lowest first).  Returns false when it is not free.
 */
bool frame_take(struct frame_allocator *fa, uint64_t phys);

/*
 * Hands RAM that was reserved at start-up (a boot module once copied) over
 * to the allocator: every frame wholly inside [start, end) that lies in the
 * bitmap and is not already managed becomes managed and free.  Returns the
 * number of frames added.
 */
uint64_t frame_donate(struct frame_allocator *fa, uint64_t start, uint64_t end);

/* True when the frame holding phys is free (for tests and checks). */
bool frame_is_free(struct frame_allocator *fa, uint64_t phys);

#endif
