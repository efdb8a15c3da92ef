/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Split virtqueues (virtio 1.2 section 2.7) as dom0's device backends see
 * them: the domain's RAM mapped into the backend, rings inside it written
 * by a guest we do not trust.
 *
 * What this promises:
 *  - Nothing outside guest memory is ever read or written: every guest
 *    address range goes through guest_mem_slice(), which is overflow-safe.
 *  - Every guest-owned field (a descriptor, an avail ring entry, avail->idx,
 *    the event index) is read once into a local copy, then checked; a guest
 *    that changes it concurrently changes only what we already copied.
 *  - Every malformed form is a distinct enum vq_error with a name for the
 *    log.  The first one breaks the queue: later calls return the same
 *    error, and the device turns it into DEVICE_NEEDS_RESET.
 *  - Work is bounded: a chain is at most queue-size descriptors (direct)
 *    plus an indirect table's length, VQ_MAX_SEGMENTS segments and the
 *    caller's byte limit.  A looping or huge chain costs O(queue size).
 *
 * What a hostile guest can still do: hand us garbage data inside its own
 * memory, change buffers while we use them (the device must copy what it
 * validates), and break its own queue.  It cannot make us touch dom0
 * memory, loop, or allocate.
 *
 * The ring layouts and flags are Linux's UAPI ones (<linux/virtio_ring.h>).
 * Fields are little-endian (virtio 1.x); dom0 is x86-64, so no swapping.
 * Not thread-safe: one queue is served by one thread.
 */
#ifndef DOM0_DEVICES_VIRTQUEUE_H
#define DOM0_DEVICES_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_ring.h>

/* The domain's RAM, mapped into this process at guest-physical 0..size,
 * except [hole_start, hole_end): a domain above 3 GiB has its MMIO hole
 * there (hvplatform.h), unmapped, so never touched (both 0: no hole). */
struct guest_mem {
	uint8_t *base;
	uint64_t size;
	uint64_t hole_start, hole_end;
};

/* A pointer to [gpa, gpa+len) inside guest memory, or NULL if any byte of
 * it is outside or in the hole (overflow-safe for any gpa and len). */
void *guest_mem_slice(const struct guest_mem *gm, uint64_t gpa, uint64_t len);

/* The spec's maximum queue size for split rings. */
#define VQ_MAX_SIZE 32768u
/* Segments one chain may have.  Devices advertise at most this (e.g.
 * virtio-blk's seg_max); a longer chain is VQ_ERR_TOO_MANY_SEGMENTS. */
#define VQ_MAX_SEGMENTS 256u

enum vq_error {
	VQ_OK = 0,
	VQ_EMPTY,               /* no chain available: not an error */
	VQ_ERR_QUEUE_SIZE,      /* size 0, not a power of two, > 32768 */
	VQ_ERR_RING_ALIGN,      /* desc not 16-, avail not 2-, used not 4-aligned */
	VQ_ERR_RING_RANGE,      /* a ring not entirely inside guest memory */
	VQ_ERR_NOT_READY,       /* used before vq_enable() succeeded */
	VQ_ERR_AVAIL_IDX,       /* avail->idx more than queue size ahead */
	VQ_ERR_HEAD_INDEX,      /* avail ring entry >= queue size */
	VQ_ERR_NEXT_INDEX,      /* desc.next >= queue size or table length */
	VQ_ERR_DESC_RANGE,      /* a buffer not entirely inside guest memory */
	VQ_ERR_CHAIN_LOOP,      /* more descriptors than the table holds */
	VQ_ERR_ORDER,           /* device-readable after device-writable */
	VQ_ERR_TOO_LONG,        /* total length above the caller's limit */
	VQ_ERR_TOO_MANY_SEGMENTS,
	VQ_ERR_INDIRECT_RANGE,  /* indirect table outside guest memory */
	VQ_ERR_INDIRECT_LEN,    /* table length 0 or not a multiple of 16 */
	VQ_ERR_INDIRECT_NEXT,   /* INDIRECT and NEXT on one descriptor */
	VQ_ERR_NESTED_INDIRECT, /* INDIRECT inside an indirect table */
	VQ_ERR_USED_ID,         /* device pushed an id >= queue size */
	VQ_ERR_COUNT
};

/* "VQ_ERR_CHAIN_LOOP" etc., for the log; never NULL. */
const char *vq_error_name(enum vq_error err);

/* One guest buffer of a chain: a pointer into guest memory. */
struct vq_segment {
	uint8_t *ptr;
	uint32_t len;
	bool writable;          /* device-writable (VRING_DESC_F_WRITE) */
};

/* A descriptor chain popped from the avail ring. */
struct vq_chain {
	uint16_t head;          /* the id to give back to vq_push_used() */
	unsigned nsegs;
	uint64_t readable_len;  /* sum of device-readable segments */
	uint64_t writable_len;  /* sum of device-writable segments */
	struct vq_segment segs[VQ_MAX_SEGMENTS];
};

struct virtqueue {
	struct guest_mem gm;
	uint16_t size;
	bool event_idx;         /* VIRTIO_RING_F_EVENT_IDX negotiated */
	bool ready;
	enum vq_error broken;   /* VQ_OK until the first malformed form */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail;    /* next avail ring slot we will read */
	uint16_t avail_seen;    /* avail->idx as read at the start of a batch */
	uint16_t used_idx;      /* our copy of used->idx */
	uint16_t signalled_used;/* used_idx when we last decided to interrupt */
	bool notify_armed;      /* the device found the ring empty, asked for a
				 * notify and waits for it (no chain popped
				 * since): what the idle check may look at */
};

/*
 * Check the rings the driver wrote into the queue's config (virtio 1.2
 * 2.7: alignment, inside guest memory including the event-index fields)
 * and make the queue ready, indices at 0.  On error the queue stays not
 * ready and the error is also recorded as broken.
 */
enum vq_error vq_enable(struct virtqueue *vq, const struct guest_mem *gm,
			uint16_t size, bool event_idx, uint64_t desc_gpa,
			uint64_t avail_gpa, uint64_t used_gpa);

/*
 * Take over a running queue from a backend that died (hv-backend --resume,
 * docs/virtio.md "A dead backend"): after vq_enable(), continue from the
 * used index the guest sees.  Every chain made available after it is
 * popped again, so requests the dead backend had popped but not answered
 * are served now.  Exact when the dead backend completed in order; a chain
 * it completed ahead of an earlier one is served twice (harmless for a
 * disk, whose requests are idempotent, but the guest sees its head twice).
 * Returns that index.
 */
uint16_t vq_resume(struct virtqueue *vq);

/* Back to the state after a device reset: not ready, not broken. */
void vq_reset(struct virtqueue *vq);

/*
 * Pop the next available chain into *chain, its segments' total at most
 * max_len bytes.  VQ_OK: *chain is filled.  VQ_EMPTY: nothing available.
 * Anything else: the queue is broken (vq->broken) and stays so.
 * avail->idx is read once per batch: only when everything seen so far has
 * been popped.
 */
enum vq_error vq_pop(struct virtqueue *vq, struct vq_chain *chain,
		     uint64_t max_len);

/* Give a chain back: used element (head, written bytes), then used->idx
 * published with release order so the guest sees the element first. */
enum vq_error vq_push_used(struct virtqueue *vq, uint16_t head,
			   uint32_t written);

/*
 * After a batch of vq_push_used(): should the guest be interrupted?
 * With EVENT_IDX, the guest's used_event decides (vring_need_event());
 * without, VRING_AVAIL_F_NO_INTERRUPT does.  False if nothing was pushed
 * since the last call that returned true.
 */
bool vq_should_interrupt(struct virtqueue *vq);

/*
 * Ask the guest to notify (enable) or not (disable) when it adds buffers:
 * avail_event with EVENT_IDX, VRING_USED_F_NO_NOTIFY without.  Returns true
 * if buffers are already available, so a backend that enables
 * notifications before sleeping must poll again rather than miss them.
 */
bool vq_set_notification(struct virtqueue *vq, bool enable);

/*
 * For a backend that has had no event for a while (its idle check):
 * vq_avail_pending() is true if the device asked for a notify when it
 * found the ring empty (vq_set_notification(true) returned false, nothing
 * popped since) and the guest has added chains since: a notify we never
 * got.  A device that holds chains it popped, or leaves chains in the ring
 * on purpose (net's receive queue while the tap is empty), is not waiting
 * for a notify, so it is not looked at.  vq_interrupt_owed() is true if,
 * with EVENT_IDX, the guest's used_event is behind used->idx: it asked to
 * be woken at an entry that is in the used ring and has not consumed it,
 * so the interrupt was never raised or was lost on its way (a used_event
 * at used->idx is a guest that has everything; one ahead, as the driver's
 * enable_cb_delayed() writes, is owed nothing yet).
 * Both should never happen; they are looked for so that a lost event
 * costs a delay and a log line, not a hung guest.
 */
bool vq_avail_pending(struct virtqueue *vq);
bool vq_interrupt_owed(struct virtqueue *vq);

#endif
