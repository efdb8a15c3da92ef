// SPDX-License-Identifier: GPL-2.0-only
/*
 * libhv: building and controlling customer domains (see libhv.h).  The ELF
 * parser is the one the hypervisor uses (lib/elf.c), compiled in here: dom0
 * and the hypervisor read a kernel the same way.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <lib/elf.h>
#include <lib/linux_boot.h>
#include "hvplatform.h"

#include "libhv.h"

/* Data per HVCALL_DOMAIN_WRITE: well under the driver's 1 MiB. */
#define WRITE_CHUNK (512 * 1024)

int hv_domain_create(struct hv_handle *h, const char *name, uint64_t ram_bytes,
		     uint32_t nr_vcpus, uint32_t *domid)
{
	struct hv_domain_create c;
	int64_t result;
	int err;

	memset(&c, 0, sizeof(c));
	/* Refused here as the hypervisor would (hvabi.h's limits). */
	if (strlen(name) >= sizeof(c.name) ||
	    hv_domain_size_check(ram_bytes, nr_vcpus))
		return HV_EINVAL;
	strcpy(c.name, name);
	c.ram_bytes = ram_bytes;
	c.nr_vcpus = nr_vcpus;
	err = hv_call(h, HVCALL_DOMAIN_CREATE, &c, sizeof(c), &result);
	if (err == 0)
		*domid = c.domid;
	return err;
}

int hv_domain_write(struct hv_handle *h, uint32_t domid, uint64_t gpa,
		    const void *data, size_t len)
{
	struct hv_domain_write *w = malloc(sizeof(*w) + WRITE_CHUNK);
	const uint8_t *p = data;
	int64_t result;
	int err = 0;

	if (!w)
		return -ENOMEM;
	while (len && err == 0) {
		size_t n = len < WRITE_CHUNK ? len : WRITE_CHUNK;

		memset(w, 0, sizeof(*w));
		w->domid = domid;
		w->gpa = gpa;
		w->len = n;
		memcpy(w->data, p, n);
		err = hv_call(h, HVCALL_DOMAIN_WRITE, w,
			      (uint32_t)(sizeof(*w) + n), &result);
		p += n;
		gpa += n;
		len -= n;
	}
	free(w);
	return err;
}

int hv_domain_load_elf(struct hv_handle *h, uint32_t domid, const void *file,
		       size_t size, uint32_t *entry)
{
	struct elf_image elf;
	unsigned int i;
	int err;

	if (elf_parse(file, size, &elf) != ELF_OK)
		return -ENOEXEC;
	for (i = 0; i < elf.nr_segments; i++) {
		const struct elf_segment *s = &elf.segments[i];

		err = hv_domain_write(h, domid, s->paddr,
				      (const uint8_t *)file + s->offset, s->filesz);
		if (err)
			return err;
	}
	*entry = elf.phys32_entry;
	return 0;
}

/* HVCALL_DOMAIN_BOOT with the fixed part in *fixed and cmdline after it. */
static int boot_call(struct hv_handle *h, const struct hv_domain_boot *fixed,
		     const char *cmdline)
{
	size_t len = strlen(cmdline);
	struct hv_domain_boot *b = malloc(sizeof(*b) + len);
	int64_t result;
	int err;

	if (!b)
		return -ENOMEM;
	*b = *fixed;
	b->cmdline_len = (uint32_t)len;
	memcpy(b->cmdline, cmdline, len);
	err = hv_call(h, HVCALL_DOMAIN_BOOT, b, (uint32_t)(sizeof(*b) + len),
		      &result);
	free(b);
	return err;
}

int hv_domain_boot(struct hv_handle *h, const struct hv_domain_boot *boot,
		   const char *cmdline)
{
	return boot_call(h, boot, cmdline);
}

int hv_domain_boot_pvh(struct hv_handle *h, uint32_t domid, uint32_t entry,
		       const char *cmdline)
{
	struct hv_domain_boot b = {
		.domid = domid,
		.protocol = HV_BOOT_PVH,
		.entry32 = entry,
	};

	return boot_call(h, &b, cmdline);
}

bool hv_is_linux_image(const void *file, size_t size)
{
	struct linux_image li;

	return linux_parse(file, size, &li) == LINUX_OK;
}

int hv_domain_load_linux(struct hv_handle *h, uint32_t domid,
			 uint64_t ram_bytes, const void *image, size_t size,
			 const void *initrd, size_t initrd_size,
			 struct hv_domain_boot *boot)
{
	struct linux_image li;
	uint64_t kernel_gpa, initrd_gpa;
	int err;

	if (linux_parse(image, size, &li) != LINUX_OK)
		return -ENOEXEC;
	/* In low RAM: above HVP_RAM_LOW_TOP is the MMIO hole (hvplatform.h). */
	if (linux_place(&li, hvp_ram_low_bytes(ram_bytes), HVP_LOAD_MIN,
			initrd_size, &kernel_gpa, &initrd_gpa) != LINUX_OK)
		return -ENOSPC;
	err = hv_domain_write(h, domid, kernel_gpa,
			      (const uint8_t *)image + li.kernel_offset,
			      li.kernel_size);
	if (!err && initrd_size)
		err = hv_domain_write(h, domid, initrd_gpa, initrd, initrd_size);
	if (err)
		return err;

	memset(boot, 0, sizeof(*boot));
	boot->domid = domid;
	boot->protocol = HV_BOOT_LINUX;
	boot->image_size = size;
	boot->kernel_gpa = kernel_gpa;
	boot->initrd_gpa = initrd_gpa;
	boot->initrd_size = initrd_size;
	memcpy(boot->linux_head, image, HV_LINUX_HEAD_LEN);
	return 0;
}

int hv_domain_boot_linux(struct hv_handle *h, uint32_t domid,
			 uint64_t ram_bytes, const void *image, size_t size,
			 const void *initrd, size_t initrd_size,
			 const char *cmdline)
{
	struct hv_domain_boot b;
	int err = hv_domain_load_linux(h, domid, ram_bytes, image, size, initrd,
				       initrd_size, &b);

	return err ? err : boot_call(h, &b, cmdline);
}

int hv_domain_input(struct hv_handle *h, uint32_t domid, const char *data,
		    size_t len, size_t *taken)
{
	struct hv_domain_input *in = malloc(sizeof(*in) + len);
	int64_t result = 0;
	int err;

	if (!in)
		return -ENOMEM;
	in->domid = domid;
	in->len = (uint32_t)len;
	memcpy(in->data, data, len);
	err = hv_call(h, HVCALL_DOMAIN_INPUT, in, (uint32_t)(sizeof(*in) + len),
		      &result);
	free(in);
	*taken = err ? 0 : (size_t)result;
	return err;
}

int hv_domain_ctl(struct hv_handle *h, uint32_t domid, uint32_t op)
{
	struct hv_domain_ctl c = { .domid = domid, .op = op };
	int64_t result;

	return hv_call(h, HVCALL_DOMAIN_CTL, &c, sizeof(c), &result);
}

int hv_domain_console(struct hv_handle *h, uint32_t domid, uint64_t *pos,
		      char *buf, size_t size, size_t *copied)
{
	struct hv_domain_console *c;
	int64_t result;
	int err;

	if (size > HV_MAX_BUFFER - sizeof(*c))
		size = HV_MAX_BUFFER - sizeof(*c);
	c = calloc(1, sizeof(*c) + size);
	if (!c)
		return -ENOMEM;
	c->domid = domid;
	c->size = (uint32_t)size;
	c->pos = *pos;
	err = hv_call(h, HVCALL_DOMAIN_CONSOLE, c, (uint32_t)(sizeof(*c) + size),
		      &result);
	if (err == 0 && c->copied > size)
		err = -EPROTO;
	if (err == 0) {
		memcpy(buf, c->data, c->copied);
		*copied = c->copied;
		*pos = c->pos;
	}
	free(c);
	return err;
}

int hv_domain_sched(struct hv_handle *h, uint32_t domid, bool set,
		    uint32_t *weight, uint32_t *cap_pct)
{
	struct hv_domain_sched s = {
		.domid = domid, .set = set, .weight = *weight, .cap_pct = *cap_pct,
	};
	int64_t result;
	int err;

	/*
	 * The rule for the largest domain there can be: the hypervisor
	 * checks the cap against this domain's own vCPUs.
	 */
	if (set && hv_sched_quota_check(s.weight, s.cap_pct, HV_DOMAIN_VCPUS_MAX))
		return HV_EINVAL;
	err = hv_call(h, HVCALL_DOMAIN_SCHED, &s, sizeof(s), &result);

	if (err == 0) {
		*weight = s.weight;
		*cap_pct = s.cap_pct;
	}
	return err;
}

int hv_vcpu_affinity(struct hv_handle *h, struct hv_vcpu_affinity *a)
{
	struct hv_vcpu_affinity copy = *a;
	int64_t result;
	int err = hv_call(h, HVCALL_VCPU_AFFINITY, &copy, sizeof(copy), &result);

	if (err == 0)
		*a = copy;
	return err;
}

int hv_domain_find(struct hv_handle *h, const char *name, uint32_t *domid)
{
	/* On the heap, not static: callers may look up from several threads
	 * at once (provisiond's job workers). */
	uint32_t max = 256, count = 0, total = 0, i;
	struct hv_domain_info *doms;
	int err;

	for (;;) {
		doms = calloc(max, sizeof(*doms));
		if (!doms)
			return -ENOMEM;
		err = hv_domain_list(h, doms, max, &count, &total);
		if (err || count >= total || max >= HV_DOMAIN_LIST_MAX)
			break;
		/* More domains than fit: ask again with room for all. */
		free(doms);
		max = total + 16 < HV_DOMAIN_LIST_MAX ? total + 16 : HV_DOMAIN_LIST_MAX;
	}
	if (!err)
		err = HV_ESRCH;
	for (i = 0; err == HV_ESRCH && i < count; i++) {
		if (!strncmp(doms[i].name, name, HV_NAME_LEN)) {
			*domid = doms[i].domid;
			err = 0;
		}
	}
	free(doms);
	return err;
}
