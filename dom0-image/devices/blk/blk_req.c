// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parsing a virtio-blk request (blk_req.h).
 *
 * The layout (virtio 1.2 5.2.6): a 16-byte header the device reads, then
 * data (read by the device for OUT, DISCARD, WRITE_ZEROES; written by it
 * for IN, GET_ID), then one status byte the device writes.  The driver may
 * split these across descriptors as it likes, so the parser works on byte
 * offsets into the chain's readable and writable parts: the header is the
 * first 16 readable bytes, the status the last writable byte.
 *
 * Every guest value is checked here: header length, directions (an IN has
 * no readable data, an OUT no writable data), lengths in whole sectors,
 * the sector range inside the disk (overflow-safe), range counts and
 * flags.  The header and ranges are copied out of guest memory before they
 * are checked, so a guest changing them meanwhile changes nothing.
 */
#include <string.h>

#include "blk_req.h"

#define SECTOR 512u

/* Bytes [off, off + len) of the chain's readable or writable part as
 * iovecs (at most VQ_MAX_SEGMENTS, as many as the chain has segments). */
static unsigned region_iov(const struct vq_chain *c, bool writable,
			   uint64_t off, uint64_t len, struct iovec *iov)
{
	unsigned n = 0;

	for (unsigned i = 0; i < c->nsegs && len; i++) {
		const struct vq_segment *s = &c->segs[i];
		uint64_t take;

		if (s->writable != writable)
			continue;
		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		take = s->len - off < len ? s->len - off : len;
		iov[n].iov_base = s->ptr + off;
		iov[n].iov_len = take;
		n++;
		len -= take;
		off = 0;
	}
	return n;
}

/* Copies bytes [off, off + len) of the readable part into dst. */
static void region_copy(const struct vq_chain *c, uint64_t off, uint64_t len,
			void *dst)
{
	struct iovec iov[VQ_MAX_SEGMENTS];
	unsigned n = region_iov(c, false, off, len, iov);
	uint8_t *p = dst;

	for (unsigned i = 0; i < n; i++) {
		memcpy(p, iov[i].iov_base, iov[i].iov_len);
		p += iov[i].iov_len;
	}
}

/* sector + sectors inside a disk of capacity sectors, overflow-safe. */
static bool in_range(uint64_t sector, uint64_t sectors, uint64_t capacity)
{
	return sector <= capacity && sectors <= capacity - sector;
}

static uint8_t parse_rw(struct blk_req *r, const struct vq_chain *c,
			const struct blk_geometry *g, bool is_write)
{
	uint64_t len = is_write ? c->readable_len - sizeof(struct virtio_blk_outhdr)
				: c->writable_len - 1;

	/* Data in the direction the request moves it, and nothing else. */
	if (is_write ? c->writable_len != 1
		     : c->readable_len != sizeof(struct virtio_blk_outhdr))
		return VIRTIO_BLK_S_IOERR;
	if (len % SECTOR || !in_range(r->sector, len / SECTOR, g->capacity))
		return VIRTIO_BLK_S_IOERR;
	if (is_write && g->read_only)
		return VIRTIO_BLK_S_IOERR;
	r->data_len = len;
	r->niov = is_write ? region_iov(c, false, sizeof(struct virtio_blk_outhdr), len, r->iov)
			   : region_iov(c, true, 0, len, r->iov);
	r->written = is_write ? 1 : (uint32_t)len + 1;
	return VIRTIO_BLK_S_OK;
}

static uint8_t parse_ranges(struct blk_req *r, const struct vq_chain *c,
			    const struct blk_geometry *g)
{
	uint64_t len = c->readable_len - sizeof(struct virtio_blk_outhdr);
	const uint32_t known = VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;

	if (c->writable_len != 1 || len == 0 ||
	    len % sizeof(struct virtio_blk_discard_write_zeroes) ||
	    len / sizeof(struct virtio_blk_discard_write_zeroes) > BLK_RANGES_MAX)
		return VIRTIO_BLK_S_IOERR;
	if (g->read_only)
		return VIRTIO_BLK_S_IOERR;
	r->nranges = (unsigned)(len / sizeof(struct virtio_blk_discard_write_zeroes));
	region_copy(c, sizeof(struct virtio_blk_outhdr), len, r->ranges);
	for (unsigned i = 0; i < r->nranges; i++) {
		const struct virtio_blk_discard_write_zeroes *w = &r->ranges[i];

		/* 5.2.6.2: unknown flags, or unmap on a discard: UNSUPP. */
		if ((w->flags & ~known) ||
		    (r->type == VIRTIO_BLK_T_DISCARD && w->flags))
			return VIRTIO_BLK_S_UNSUPP;
		if (w->num_sectors > g->max_ranges_sectors ||
		    !in_range(w->sector, w->num_sectors, g->capacity))
			return VIRTIO_BLK_S_IOERR;
	}
	r->written = 1;
	return VIRTIO_BLK_S_OK;
}

uint8_t blk_req_parse(struct blk_req *r, const struct vq_chain *c,
		      const struct blk_geometry *g)
{
	struct virtio_blk_outhdr hdr;
	struct iovec iov[VQ_MAX_SEGMENTS];
	unsigned n;

	r->head = c->head;
	r->type = 0;
	r->sector = 0;
	r->data_len = 0;
	r->status = NULL;
	r->written = 0;
	r->pending = 0;
	r->failed = false;
	r->niov = 0;
	r->nranges = 0;
	/* The status byte: the last writable byte, if any. */
	if (c->writable_len >= 1 &&
	    region_iov(c, true, c->writable_len - 1, 1, iov) == 1)
		r->status = iov[0].iov_base;
	if (!r->status || c->readable_len < sizeof(hdr))
		return VIRTIO_BLK_S_IOERR;
	region_copy(c, 0, sizeof(hdr), &hdr);
	r->type = hdr.type;
	r->sector = hdr.sector;
	r->written = 1;

	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
		return parse_rw(r, c, g, false);
	case VIRTIO_BLK_T_OUT:
		return parse_rw(r, c, g, true);
	case VIRTIO_BLK_T_FLUSH:
		return c->readable_len == sizeof(hdr) && c->writable_len == 1 ?
		       VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return parse_ranges(r, c, g);
	case VIRTIO_BLK_T_GET_ID: {
		uint64_t len = c->writable_len - 1;
		char id[VIRTIO_BLK_ID_BYTES] = { 0 };
		const uint8_t *src = (const uint8_t *)id;

		if (c->readable_len != sizeof(hdr) || len == 0)
			return VIRTIO_BLK_S_IOERR;
		memcpy(id, g->serial, strnlen(g->serial, sizeof(id)));
		if (len > sizeof(id))
			len = sizeof(id);
		n = region_iov(c, true, 0, len, iov);
		for (unsigned i = 0; i < n; i++) {
			memcpy(iov[i].iov_base, src, iov[i].iov_len);
			src += iov[i].iov_len;
		}
		r->written = (uint32_t)len + 1;
		return VIRTIO_BLK_S_OK;
	}
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}
