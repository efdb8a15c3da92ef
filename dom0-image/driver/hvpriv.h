/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvpriv.h - the ioctl ABI of /dev/hvpriv, dom0's door to the hypervisor.
 *
 * Included by the driver (hvpriv.c, kernel space) and by libhv (user
 * space), so it uses fixed-width types and explicit layouts only, like the
 * hypercall ABI in hvabi.h (hypervisor/include/public/, which must be on
 * the include path).  Both structures are the same for 32- and 64-bit
 * callers (no pointers, no longs, no padding), so one definition serves all.
 *
 * The ioctls are for root only: the device node is mode 0600 and the driver
 * also checks CAP_SYS_ADMIN.  HVPRIV_IOCTL_CALL and _RAW return 0 when the hypercall
 * was made (whatever the hypervisor answered: see 'result') and -1/errno when
 * it could not be made:
 *   EPERM   caller lacks CAP_SYS_ADMIN
 *   EINVAL  bad size/buf combination (HVPRIV_IOCTL_CALL)
 *   EFAULT  the argument structure or the buffer could not be copied
 *   ENOMEM  no memory for the bounce buffer
 *   ENOTTY  unknown ioctl
 */
#ifndef HVPRIV_H
#define HVPRIV_H

#ifdef __KERNEL__
#include <linux/types.h>	/* uint32_t and friends, in the kernel too */
#else
#include <stdint.h>
#endif
#include <linux/ioctl.h>	/* _IOWR(), in kernel and user space */

#include "hvabi.h"

/* The device node, created by devtmpfs when the module loads. */
#define HVPRIV_DEVICE		"/dev/hvpriv"

/* Largest buffer HVPRIV_IOCTL_CALL accepts (bytes): the hypervisor's. */
#define HVPRIV_MAX_BUF		HV_MAX_BUFFER

/*
 * HVPRIV_IOCTL_CALL: a hypercall that takes a structure (hvabi.h: argument 0
 * = its guest-physical address, argument 1 = its size).
 *
 * The driver copies size bytes from user address buf into a physically
 * contiguous kernel buffer, makes hypercall nr with (buffer's physical
 * address, size, 0, 0), copies the buffer back to buf, and stores the
 * hypervisor's RAX in result.  size must be 1..HVPRIV_MAX_BUF; a call without
 * a structure (HVCALL_ABI_VERSION) uses size 0 and buf 0, and then gets
 * arguments (0, 0, 0, 0).
 */
struct hvpriv_call {
	uint32_t nr;		/* in: HVCALL_* */
	uint32_t size;		/* in: bytes at buf */
	uint64_t buf;		/* in: user address of the structure */
	int64_t result;		/* out: RAX, >= 0 or -HV_E* */
};

/*
 * HVPRIV_IOCTL_RAW: a hypercall with the caller's numbers, unchanged, like
 * Xen's privcmd hypercall ioctl.  Nothing is copied or translated: any
 * address in args[] is taken by the hypervisor as a guest-physical one.  For
 * tests that send bad pointers or unknown call numbers; the hypervisor
 * checks every argument itself.
 */
struct hvpriv_raw {
	uint64_t nr;		/* in: RAX */
	uint64_t args[4];	/* in: RBX, RCX, RDX, RSI */
	int64_t result;		/* out: RAX */
};

/*
 * HVPRIV_IOCTL_BACKEND_BIND: makes this open file the backend of customer
 * domain domid's devices (HVCALL_BACKEND_BIND; one binding per file, one
 * per domain).  On success ram_bytes is the length of the domain's RAM
 * mapping (below) and nr_extents the number of host-physical runs behind
 * it.  The file then offers:
 *   mmap, offset 0, length ram_bytes, MAP_SHARED: the domain's RAM, guest-
 *        physical 0 at the start of the mapping; for a domain above 3 GiB
 *        ram_bytes includes the MMIO hole [HVP_RAM_LOW_TOP,
 *        HVP_RAM_HIGH_BASE) (hvplatform.h), which is left unmapped;
 *   mmap, offset HVPRIV_PAGE_OFFSET, length 4096, MAP_SHARED: the struct
 *        hv_backend_page, writable (take notify and changed with an atomic
 *        exchange);
 *   poll: POLLIN while notify or changed is non-zero.
 * Any other mmap fails with EINVAL.  The last close unbinds (so does the
 * death of the process: its mappings hold the file open until then).
 * The ioctl fails with errno:
 *   EBUSY   this file is already bound, or the domain has a backend
 *   ESRCH   no such customer domain (dom0, or one being destroyed)
 *   EINVAL, EFAULT, ENOSPC, ENOMEM  as the hypervisor answered
 *   EPROTO  the hypervisor's answer made no sense (the binding is undone)
 */
struct hvpriv_backend_bind {
	uint32_t domid;		/* in */
	uint32_t nr_extents;	/* out */
	uint64_t ram_bytes;	/* out */
};

/* The mmap offset and length of the backend page (beyond any domain's RAM). */
#define HVPRIV_PAGE_OFFSET	(1ULL << 40)
#define HVPRIV_PAGE_SIZE	4096

/* 0xB9: an ioctl "magic" not listed in Linux's ioctl-number.rst (6.1). */
#define HVPRIV_IOCTL_MAGIC	0xB9
#define HVPRIV_IOCTL_CALL	_IOWR(HVPRIV_IOCTL_MAGIC, 0, struct hvpriv_call)
#define HVPRIV_IOCTL_RAW	_IOWR(HVPRIV_IOCTL_MAGIC, 1, struct hvpriv_raw)
#define HVPRIV_IOCTL_BACKEND_BIND \
	_IOWR(HVPRIV_IOCTL_MAGIC, 2, struct hvpriv_backend_bind)

#endif /* HVPRIV_H */
