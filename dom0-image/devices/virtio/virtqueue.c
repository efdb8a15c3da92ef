// SPDX-License-Identifier: GPL-2.0-only
/*
 * Split virtqueues for dom0's device backends: virtqueue.h says what this
 * promises against a hostile guest.  The rule in every function: copy a
 * guest field once, check the copy, use only the copy.
 */
#include "virtqueue.h"

#include <string.h>

/* avail: flags, idx, ring[size], used_event.  used: flags, idx,
 * ring[size] of {id, len}, avail_event.  (virtio 1.2 2.7.6, 2.7.8) */
#define AVAIL_BYTES(n) (4u + 2u * (uint64_t)(n) + 2u)
#define USED_BYTES(n)  (4u + 8u * (uint64_t)(n) + 2u)
#define DESC_BYTES(n)  (16u * (uint64_t)(n))

static const char *const error_names[VQ_ERR_COUNT] = {
	[VQ_OK] = "VQ_OK",
	[VQ_EMPTY] = "VQ_EMPTY",
	[VQ_ERR_QUEUE_SIZE] = "VQ_ERR_QUEUE_SIZE",
	[VQ_ERR_RING_ALIGN] = "VQ_ERR_RING_ALIGN",
	[VQ_ERR_RING_RANGE] = "VQ_ERR_RING_RANGE",
	[VQ_ERR_NOT_READY] = "VQ_ERR_NOT_READY",
	[VQ_ERR_AVAIL_IDX] = "VQ_ERR_AVAIL_IDX",
	[VQ_ERR_HEAD_INDEX] = "VQ_ERR_HEAD_INDEX",
	[VQ_ERR_NEXT_INDEX] = "VQ_ERR_NEXT_INDEX",
	[VQ_ERR_DESC_RANGE] = "VQ_ERR_DESC_RANGE",
	[VQ_ERR_CHAIN_LOOP] = "VQ_ERR_CHAIN_LOOP",
	[VQ_ERR_ORDER] = "VQ_ERR_ORDER",
	[VQ_ERR_TOO_LONG] = "VQ_ERR_TOO_LONG",
	[VQ_ERR_TOO_MANY_SEGMENTS] = "VQ_ERR_TOO_MANY_SEGMENTS",
	[VQ_ERR_INDIRECT_RANGE] = "VQ_ERR_INDIRECT_RANGE",
	[VQ_ERR_INDIRECT_LEN] = "VQ_ERR_INDIRECT_LEN",
	[VQ_ERR_INDIRECT_NEXT] = "VQ_ERR_INDIRECT_NEXT",
	[VQ_ERR_NESTED_INDIRECT] = "VQ_ERR_NESTED_INDIRECT",
	[VQ_ERR_USED_ID] = "VQ_ERR_USED_ID",
};

const char *vq_error_name(enum vq_error err)
{
	if ((unsigned)err >= VQ_ERR_COUNT || !error_names[err])
		return "VQ_ERR_UNKNOWN";
	return error_names[err];
}

void *guest_mem_slice(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	/* gpa <= size first, so size - gpa cannot wrap. */
	if (gpa > gm->size || len > gm->size - gpa)
		return NULL;
	if (gpa < gm->hole_end && gpa + len > gm->hole_start)
		return NULL;
	return gm->base + gpa;
}

/* Guest-shared 16-bit fields: one plain load or store the compiler may
 * neither split, repeat nor elide. */
static uint16_t load16(const uint16_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void store16(uint16_t *p, uint16_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static enum vq_error fail(struct virtqueue *vq, enum vq_error err)
{
	vq->broken = err;
	return err;
}

void vq_reset(struct virtqueue *vq)
{
	memset(vq, 0, sizeof(*vq));
}

enum vq_error vq_enable(struct virtqueue *vq, const struct guest_mem *gm,
			uint16_t size, bool event_idx, uint64_t desc_gpa,
			uint64_t avail_gpa, uint64_t used_gpa)
{
	void *desc, *avail, *used;

	vq_reset(vq);
	if (size == 0 || size > VQ_MAX_SIZE || (size & (size - 1)) != 0)
		return fail(vq, VQ_ERR_QUEUE_SIZE);
	if (desc_gpa % 16 || avail_gpa % 2 || used_gpa % 4)
		return fail(vq, VQ_ERR_RING_ALIGN);
	/* The event-index fields are counted even without EVENT_IDX: the
	 * spec sizes the rings with them, and it keeps one layout. */
	desc = guest_mem_slice(gm, desc_gpa, DESC_BYTES(size));
	avail = guest_mem_slice(gm, avail_gpa, AVAIL_BYTES(size));
	used = guest_mem_slice(gm, used_gpa, USED_BYTES(size));
	if (!desc || !avail || !used)
		return fail(vq, VQ_ERR_RING_RANGE);

	vq->gm = *gm;
	vq->size = size;
	vq->event_idx = event_idx;
	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	vq->ready = true;
	return VQ_OK;
}

uint16_t vq_resume(struct virtqueue *vq)
{
	uint16_t idx;

	if (!vq->ready)
		return 0;
	/* Read once: the guest may scribble on it; any value is a place in
	 * the ring, and vq_pop() checks avail->idx against it. */
	idx = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
	vq->last_avail = idx;
	vq->avail_seen = idx;
	vq->used_idx = idx;
	vq->signalled_used = idx;
	return idx;
}

/* Copy one descriptor out of a table that may be unaligned (an indirect
 * table is wherever the guest put it) and that the guest may be writing. */
static struct vring_desc read_desc(const struct vring_desc *table,
				   uint32_t index)
{
	struct vring_desc d;

	memcpy(&d, (const uint8_t *)table + 16u * (uint64_t)index, sizeof(d));
	/* The copy must really be one: no re-read of the table later. */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return d;
}

static enum vq_error add_segment(struct virtqueue *vq, struct vq_chain *chain,
				 const struct vring_desc *d, uint64_t max_len)
{
	bool writable = d->flags & VRING_DESC_F_WRITE;
	uint8_t *ptr = guest_mem_slice(&vq->gm, d->addr, d->len);
	struct vq_segment *seg;

	if (!ptr)
		return VQ_ERR_DESC_RANGE;
	/* Segments are appended in order, so "a writable one came before"
	 * is "the last one is writable". */
	if (!writable && chain->nsegs && chain->segs[chain->nsegs - 1].writable)
		return VQ_ERR_ORDER;
	/* Both sums are at most max_len before, d->len < 2^32: no wrap. */
	if (chain->readable_len + chain->writable_len + d->len > max_len)
		return VQ_ERR_TOO_LONG;
	if (chain->nsegs == VQ_MAX_SEGMENTS)
		return VQ_ERR_TOO_MANY_SEGMENTS;

	seg = &chain->segs[chain->nsegs++];
	seg->ptr = ptr;
	seg->len = d->len;
	seg->writable = writable;
	if (writable)
		chain->writable_len += d->len;
	else
		chain->readable_len += d->len;
	return VQ_OK;
}

/* Switch the walk to an indirect table (one level only). */
static enum vq_error enter_indirect(struct virtqueue *vq,
				    const struct vring_desc *d,
				    const struct vring_desc **table,
				    uint32_t *table_len)
{
	void *t;

	if (d->flags & VRING_DESC_F_NEXT)
		return VQ_ERR_INDIRECT_NEXT;
	if (d->len == 0 || d->len % 16 != 0)
		return VQ_ERR_INDIRECT_LEN;
	t = guest_mem_slice(&vq->gm, d->addr, d->len);
	if (!t)
		return VQ_ERR_INDIRECT_RANGE;
	*table = t;
	*table_len = d->len / 16;
	return VQ_OK;
}

/*
 * Walk the chain starting at head.  "count" bounds each table: a direct
 * chain longer than the queue or an indirect one longer than its table
 * must revisit a descriptor, so it is a loop.
 */
static enum vq_error walk_chain(struct virtqueue *vq, uint16_t head,
				struct vq_chain *chain, uint64_t max_len)
{
	const struct vring_desc *table = vq->desc;
	uint32_t table_len = vq->size;
	uint32_t index = head, count = 0;
	bool indirect = false;
	enum vq_error err;

	chain->head = head;
	chain->nsegs = 0;
	chain->readable_len = 0;
	chain->writable_len = 0;

	for (;;) {
		struct vring_desc d;

		if (index >= table_len)
			return VQ_ERR_NEXT_INDEX;
		if (++count > table_len)
			return VQ_ERR_CHAIN_LOOP;
		d = read_desc(table, index);

		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (indirect)
				return VQ_ERR_NESTED_INDIRECT;
			err = enter_indirect(vq, &d, &table, &table_len);
			if (err)
				return err;
			indirect = true;
			index = 0;
			count = 0;
			continue;
		}
		err = add_segment(vq, chain, &d, max_len);
		if (err)
			return err;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return VQ_OK;
		index = d.next;
	}
}

enum vq_error vq_pop(struct virtqueue *vq, struct vq_chain *chain,
		     uint64_t max_len)
{
	uint16_t head;
	enum vq_error err;

	if (vq->broken)
		return vq->broken;
	if (!vq->ready)
		return VQ_ERR_NOT_READY;

	if (vq->last_avail == vq->avail_seen) {
		/* Acquire: the ring entries and descriptors the guest wrote
		 * before bumping idx are visible to the reads below. */
		uint16_t idx = __atomic_load_n(&vq->avail->idx,
					       __ATOMIC_ACQUIRE);

		if ((uint16_t)(idx - vq->last_avail) > vq->size)
			return fail(vq, VQ_ERR_AVAIL_IDX);
		vq->avail_seen = idx;
		if (idx == vq->last_avail)
			return VQ_EMPTY;
	}

	head = load16(&vq->avail->ring[vq->last_avail & (vq->size - 1)]);
	if (head >= vq->size)
		return fail(vq, VQ_ERR_HEAD_INDEX);
	err = walk_chain(vq, head, chain, max_len);
	if (err)
		return fail(vq, err);
	vq->last_avail++;
	vq->notify_armed = false;
	return VQ_OK;
}

enum vq_error vq_push_used(struct virtqueue *vq, uint16_t head,
			   uint32_t written)
{
	struct vring_used_elem *elem;

	if (vq->broken)
		return vq->broken;
	if (!vq->ready)
		return VQ_ERR_NOT_READY;
	if (head >= vq->size)
		return fail(vq, VQ_ERR_USED_ID);

	elem = &vq->used->ring[vq->used_idx & (vq->size - 1)];
	__atomic_store_n(&elem->id, head, __ATOMIC_RELAXED);
	__atomic_store_n(&elem->len, written, __ATOMIC_RELAXED);
	vq->used_idx++;
	/* Release: the element is visible before the index that covers it. */
	__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
	return VQ_OK;
}

/* used_event sits after avail's ring, avail_event after used's. */
static uint16_t *used_event_field(struct virtqueue *vq)
{
	return &vq->avail->ring[vq->size];
}

static uint16_t *avail_event_field(struct virtqueue *vq)
{
	return (uint16_t *)&vq->used->ring[vq->size];
}

bool vq_should_interrupt(struct virtqueue *vq)
{
	uint16_t old = vq->signalled_used, now = vq->used_idx;
	bool need;

	if (!vq->ready || old == now)
		return false;
	/* Full fence: our used->idx store must be globally visible before we
	 * read the guest's suppression state, or both sides may sleep. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq->event_idx)
		need = vring_need_event(load16(used_event_field(vq)), now, old);
	else
		need = !(load16(&vq->avail->flags) & VRING_AVAIL_F_NO_INTERRUPT);
	/* With EVENT_IDX the window [old, now) has been judged either way;
	 * without, a suppressed interrupt is owed at the next batch. */
	if (need || vq->event_idx)
		vq->signalled_used = now;
	return need;
}

bool vq_set_notification(struct virtqueue *vq, bool enable)
{
	uint16_t idx;

	if (!vq->ready || vq->broken)
		return false;
	if (vq->event_idx) {
		if (enable)
			store16(avail_event_field(vq), vq->avail_seen);
	} else {
		store16(&vq->used->flags, enable ? 0 : VRING_USED_F_NO_NOTIFY);
	}
	/* Full fence: the guest must see our request before we look at its
	 * avail->idx, or a buffer added in between goes unnoticed. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	idx = load16(&vq->avail->idx);
	vq->notify_armed = enable && idx == vq->last_avail;
	return idx != vq->last_avail;
}

bool vq_avail_pending(struct virtqueue *vq)
{
	if (!vq->ready || vq->broken || !vq->notify_armed)
		return false;
	return __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) !=
	       vq->last_avail;
}

bool vq_interrupt_owed(struct virtqueue *vq)
{
	if (!vq->ready || vq->broken || !vq->event_idx)
		return false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* used_event behind used_idx: the guest asked to be woken at an
	 * entry it has not consumed (it writes its consumed index there when
	 * it goes to sleep).  Whether we raised that interrupt or not does
	 * not matter: if we did, it was lost on the way. */
	return (uint16_t)(vq->used_idx - load16(used_event_field(vq)) - 1) <
	       0x8000u;
}
