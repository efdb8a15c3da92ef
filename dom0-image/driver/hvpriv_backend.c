// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvpriv_backend.c - a customer domain's device backend on /dev/hvpriv
 * (HVPRIV_IOCTL_BACKEND_BIND in hvpriv.h; HVCALL_BACKEND_BIND and
 * HVCALL_EVENT_VECTOR in hvabi.h; docs/virtio.md).
 *
 * What it promises:
 *  - one binding per open file, made by the ioctl and undone by the last
 *    close.  A mapping holds the file open, so when the binding goes no
 *    process can still reach the domain's RAM, and the hypervisor frees a
 *    destroyed domain's memory only then.  A backend killed by SIGKILL
 *    unbinds like one that exits.
 *  - the RAM mapping shows exactly the extents the hypervisor mapped into
 *    dom0 for this domain, each at its guest-physical offset; nothing
 *    else of the machine can be mapped through this file.
 *  - the event interrupt wakes every poller whose page has notify or
 *    changed non-zero.  The hypervisor interrupts only when a word goes
 *    from 0 to non-zero, and poll() looks at the words after it queued
 *    itself, so a backend that takes both words before it polls misses no
 *    event.
 *
 * Cache type of the RAM mapping: the domain's RAM is not in dom0's E820
 * (dom0_build.c lists only dom0's own RAM), so to Linux these pfns are not
 * System RAM and remap_pfn_range() goes through PAT's track_pfn_remap(),
 * which reserves the range with the mapping's own type, write-back here
 * (vm_page_prot is left alone; PAT turns a request into UC- only where the
 * MTRRs say the range is not WB, which they do not for RAM).  Write-back is
 * what the domain itself uses for its RAM, so the backend and the guest see
 * the rings coherently and at full speed; uncached would be slow, and no
 * device DMA is involved.  The page is dom0's own RAM, write-back as well.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <asm/hw_irq.h>
#include <asm/io.h>
#include <asm/irqdomain.h>
#include <asm/smp.h>

#include "hvabi.h"
#include "hvplatform.h"
#include "hvpriv.h"
#include "hvpriv_internal.h"

/* Extents asked for first; the hypervisor says when a domain has more. */
#define HVPRIV_EXTENTS_FIRST	64
/* A sanity bound on what it may say (the call's buffer is 1 MiB at most). */
#define HVPRIV_EXTENTS_MAX \
	((HV_MAX_BUFFER - sizeof(struct hv_backend_bind)) / \
	 sizeof(struct hv_ram_extent))

/* One open /dev/hvpriv. */
struct hvpriv_file {
	struct mutex lock;		/* binding, mmap and release */
	/* Bound when page is set; then the fields below are fixed. */
	struct hv_backend_page *page;	/* a zeroed page of our RAM */
	u32 domid;
	u32 nr_extents;
	struct hv_ram_extent *extents;
	u64 ram_bytes;
	wait_queue_head_t wait;		/* pollers */
	struct list_head bound;		/* on hvpriv_bound_files */
};

/* Bound files, for the event interrupt to look at. */
static LIST_HEAD(hvpriv_bound_files);
static DEFINE_SPINLOCK(hvpriv_bound_lock);

static int hvpriv_event_irq;		/* 0 = none */

static bool hvpriv_page_pending(const struct hv_backend_page *page)
{
	return (READ_ONCE(page->notify) | READ_ONCE(page->changed)) != 0;
}

/* The hypervisor posted something: wake the files that have events. */
static irqreturn_t hvpriv_event_interrupt(int irq, void *dev_id)
{
	struct hvpriv_file *f;

	spin_lock(&hvpriv_bound_lock);
	list_for_each_entry(f, &hvpriv_bound_files, bound)
		if (hvpriv_page_pending(f->page))
			wake_up_interruptible(&f->wait);
	spin_unlock(&hvpriv_bound_lock);
	return IRQ_HANDLED;
}

/* HVCALL_EVENT_VECTOR with a kernel buffer; the hypervisor's answer. */
static long hvpriv_set_event_vector(u32 vector, u32 apic_id)
{
	struct hv_event_vector *ev = kzalloc(sizeof(*ev), GFP_KERNEL);
	long ret;

	if (!ev)
		return -ENOMEM;
	ev->vector = vector;
	ev->apic_id = apic_id;
	ret = hvpriv_hypercall(HVCALL_EVENT_VECTOR, virt_to_phys(ev),
			       sizeof(*ev), 0, 0);
	kfree(ev);
	return ret;
}

/*
 * One interrupt of the x86 vector domain, as a device's MSI would have:
 * request_irq() activates it, which assigns it a vector on a CPU, and the
 * hypervisor is told that vector and the CPU's (physical) APIC ID.  The APIC chip
 * acknowledges it with an EOI (handle_edge_irq).  dom0 has one CPU, so
 * the vector never moves.
 */
int hvpriv_events_init(void)
{
	struct irq_alloc_info info;
	struct irq_data *irqd;
	unsigned int cpu, vector, apic_id;
	long hv;
	int irq, ret;

	memset(&info, 0, sizeof(info));
	irq = __irq_domain_alloc_irqs(x86_vector_domain, -1, 1, NUMA_NO_NODE,
				      &info, false, NULL);
	if (irq <= 0) {
		pr_err("no interrupt for backend events: %d\n", irq);
		return irq < 0 ? irq : -ENOSPC;
	}
	irq_set_handler(irq, handle_edge_irq);
	ret = request_irq(irq, hvpriv_event_interrupt, 0, "hvpriv-events",
			  NULL);
	if (ret) {
		pr_err("cannot request irq %d for backend events: %d\n", irq,
		       ret);
		irq_dispose_mapping(irq);
		return ret;
	}
	/*
	 * irqd_cfg()'s dest_apicid is what Linux writes into a message's
	 * destination, which in its flat logical mode (up to 8 CPUs) is a
	 * logical ID (1 << cpu), not the local APIC ID the hypervisor wants.
	 * So: the CPU the vector was put on, and that CPU's APIC ID.
	 */
	irqd = irq_get_irq_data(irq);
	vector = irqd_cfg(irqd)->vector;
	cpu = cpumask_first(irq_data_get_effective_affinity_mask(irqd));
	apic_id = cpu_physical_id(cpu);
	hv = hvpriv_set_event_vector(vector, apic_id);
	if (hv != 0) {
		pr_err("HVCALL_EVENT_VECTOR (vector 0x%x, cpu %u, apic %u) failed: %ld\n",
		       vector, cpu, apic_id, hv);
		free_irq(irq, NULL);
		irq_dispose_mapping(irq);
		return -EIO;
	}
	hvpriv_event_irq = irq;
	pr_info("backend events on irq %d, vector 0x%x, apic %u\n", irq,
		vector, apic_id);
	return 0;
}

void hvpriv_events_exit(void)
{
	if (!hvpriv_event_irq)
		return;
	/* No more events first, then the vector can go. */
	if (hvpriv_set_event_vector(0, 0) != 0)
		pr_warn("HVCALL_EVENT_VECTOR 0 failed\n");
	free_irq(hvpriv_event_irq, NULL);
	irq_dispose_mapping(hvpriv_event_irq);
	hvpriv_event_irq = 0;
}

int hvpriv_open(struct inode *inode, struct file *file)
{
	struct hvpriv_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	init_waitqueue_head(&f->wait);
	INIT_LIST_HEAD(&f->bound);
	file->private_data = f;
	return 0;
}

/* A refusal of the hypervisor as an errno. */
static int hvpriv_errno(long hv)
{
	switch (-hv) {
	case HV_EPERM:	return -EPERM;
	case HV_EFAULT:	return -EFAULT;
	case HV_EINVAL:	return -EINVAL;
	case HV_ENOSPC:	return -ENOSPC;
	case HV_ENOMEM:	return -ENOMEM;
	case HV_ESRCH:	return -ESRCH;
	case HV_EBUSY:	return -EBUSY;
	default:	return -EIO;
	}
}

/* HVCALL_BACKEND_BIND with op UNBIND; the hypervisor's answer. */
static long hvpriv_unbind_call(u32 domid)
{
	struct hv_backend_bind *req = kzalloc(sizeof(*req), GFP_KERNEL);
	long ret;

	if (!req)
		return -HV_ENOMEM;
	req->domid = domid;
	req->op = HV_BACKEND_UNBIND;
	ret = hvpriv_hypercall(HVCALL_BACKEND_BIND, virt_to_phys(req),
			       sizeof(*req), 0, 0);
	kfree(req);
	return ret;
}

/*
 * HVCALL_BACKEND_BIND with op BIND and room for max extents; on success
 * *out (kmalloc'd) holds the extents, *count of them.  Returns the
 * hypervisor's answer, or -HV_ENOMEM.
 */
static long hvpriv_bind_call(u32 domid, u64 page_pa, u32 max,
			     struct hv_ram_extent **out, u32 *count)
{
	size_t size = struct_size((struct hv_backend_bind *)NULL, extents, max);
	struct hv_backend_bind *req;
	long ret;

	req = size <= PAGE_SIZE ? kzalloc(size, GFP_KERNEL) :
	      alloc_pages_exact(size, GFP_KERNEL | __GFP_ZERO);
	if (!req)
		return -HV_ENOMEM;
	req->domid = domid;
	req->op = HV_BACKEND_BIND;
	req->page_gpa = page_pa;
	req->max = max;
	ret = hvpriv_hypercall(HVCALL_BACKEND_BIND, virt_to_phys(req), size,
			       0, 0);
	*count = req->count;
	if (ret == 0) {
		*out = kmemdup(req->extents, req->count * sizeof(req->extents[0]),
			       GFP_KERNEL);
		if (!*out) {
			hvpriv_unbind_call(domid);
			ret = -HV_ENOMEM;
		}
	}
	if (size <= PAGE_SIZE)
		kfree(req);
	else
		free_pages_exact(req, size);
	return ret;
}

/*
 * The extents must be the domain's RAM from guest-physical 0 on, in
 * order, page-aligned, without gaps but the platform's MMIO hole
 * [HVP_RAM_LOW_TOP, HVP_RAM_HIGH_BASE) (hvplatform.h): what the mapping
 * promises the backend, which never touches the hole.  Sets *ram_bytes to
 * the mapping's length, guest-physical 0 to the end of the last extent;
 * false when the answer does not fit.
 */
static bool hvpriv_extents_valid(const struct hv_ram_extent *e, u32 n,
				 u64 *ram_bytes)
{
	u64 next = 0;
	u32 i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (next == HVP_RAM_LOW_TOP && e[i].gpa == HVP_RAM_HIGH_BASE)
			next = HVP_RAM_HIGH_BASE;
		if (e[i].gpa != next || e[i].len == 0 ||
		    !PAGE_ALIGNED(e[i].hpa) || !PAGE_ALIGNED(e[i].len) ||
		    e[i].gpa + e[i].len < next ||
		    e[i].hpa + e[i].len < e[i].hpa)
			return false;
		next += e[i].len;
	}
	if (next >= HVPRIV_PAGE_OFFSET)
		return false;
	*ram_bytes = next;
	return true;
}

long hvpriv_ioctl_backend_bind(struct file *file, void __user *uarg)
{
	struct hvpriv_file *f = file->private_data;
	struct hvpriv_backend_bind arg;
	struct hv_ram_extent *extents = NULL;
	struct hv_backend_page *page;
	u32 count = 0;
	u64 ram_bytes = 0;
	long hv;
	int ret = 0;

	BUILD_BUG_ON(HVPRIV_PAGE_SIZE != PAGE_SIZE);
	BUILD_BUG_ON(sizeof(struct hv_backend_page) > PAGE_SIZE);

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;

	mutex_lock(&f->lock);
	if (f->page) {
		ret = -EBUSY;
		goto out_unlock;
	}
	page = (struct hv_backend_page *)get_zeroed_page(GFP_KERNEL);
	if (!page) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	hv = hvpriv_bind_call(arg.domid, virt_to_phys(page),
			      HVPRIV_EXTENTS_FIRST, &extents, &count);
	if (hv == -HV_ENOSPC && count > HVPRIV_EXTENTS_FIRST &&
	    count <= HVPRIV_EXTENTS_MAX)
		hv = hvpriv_bind_call(arg.domid, virt_to_phys(page), count,
				      &extents, &count);
	if (hv != 0) {
		free_page((unsigned long)page);
		ret = hvpriv_errno(hv);
		goto out_unlock;
	}
	if (!hvpriv_extents_valid(extents, count, &ram_bytes)) {
		pr_err("d%u: the hypervisor's extents make no sense: unbinding\n",
		       arg.domid);
		if (hvpriv_unbind_call(arg.domid) == 0)
			free_page((unsigned long)page);
		kfree(extents);
		ret = -EPROTO;
		goto out_unlock;
	}

	f->domid = arg.domid;
	f->extents = extents;
	f->nr_extents = count;
	f->ram_bytes = ram_bytes;
	spin_lock_irq(&hvpriv_bound_lock);
	f->page = page;
	list_add(&f->bound, &hvpriv_bound_files);
	spin_unlock_irq(&hvpriv_bound_lock);

	arg.nr_extents = count;
	arg.ram_bytes = ram_bytes;
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		ret = -EFAULT;	/* still bound: the close unbinds */
out_unlock:
	mutex_unlock(&f->lock);
	return ret;
}

int hvpriv_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct hvpriv_file *f = file->private_data;
	unsigned long len = vma->vm_end - vma->vm_start;
	u64 offset = (u64)vma->vm_pgoff << PAGE_SHIFT;
	int ret = 0;
	u32 i;

	/* A private mapping would copy the guest's pages on write. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;

	mutex_lock(&f->lock);
	if (!f->page) {
		ret = -EINVAL;
		goto out;
	}
	vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
	if (offset == 0 && len == f->ram_bytes) {
		for (i = 0; i < f->nr_extents && !ret; i++)
			ret = remap_pfn_range(vma,
					      vma->vm_start + f->extents[i].gpa,
					      f->extents[i].hpa >> PAGE_SHIFT,
					      f->extents[i].len,
					      vma->vm_page_prot);
	} else if (offset == HVPRIV_PAGE_OFFSET && len == HVPRIV_PAGE_SIZE) {
		ret = remap_pfn_range(vma, vma->vm_start,
				      virt_to_phys(f->page) >> PAGE_SHIFT,
				      PAGE_SIZE, vma->vm_page_prot);
	} else {
		ret = -EINVAL;
	}
out:
	mutex_unlock(&f->lock);
	return ret;
}

__poll_t hvpriv_poll(struct file *file, poll_table *wait)
{
	struct hvpriv_file *f = file->private_data;
	struct hv_backend_page *page;

	poll_wait(file, &f->wait, wait);
	page = READ_ONCE(f->page);
	if (!page)
		return EPOLLERR;	/* not bound: nothing will ever come */
	/* Looked at after poll_wait() queued us: no post is missed. */
	smp_mb();
	return hvpriv_page_pending(page) ? EPOLLIN | EPOLLRDNORM : 0;
}

int hvpriv_release(struct inode *inode, struct file *file)
{
	struct hvpriv_file *f = file->private_data;
	long hv;

	if (f->page) {
		spin_lock_irq(&hvpriv_bound_lock);
		list_del(&f->bound);
		spin_unlock_irq(&hvpriv_bound_lock);
		hv = hvpriv_unbind_call(f->domid);
		if (hv == 0) {
			free_page((unsigned long)f->page);
		} else {
			/* The hypervisor may still write it: never reuse it. */
			pr_err("d%u: HVCALL_BACKEND_BIND unbind failed (%ld); its page is kept\n",
			       f->domid, hv);
		}
		kfree(f->extents);
	}
	kfree(f);
	return 0;
}
