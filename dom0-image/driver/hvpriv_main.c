// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvpriv - dom0's hypercall device, /dev/hvpriv.
 *
 * The hypervisor accepts its privileged calls only from dom0 in kernel mode
 * (hvabi.h), so dom0's user space (libhv, hvctl, provisiond) cannot make
 * them itself.  This module makes them on its behalf, like Xen's privcmd:
 *
 *   HVPRIV_IOCTL_CALL  a call that takes a structure: the structure is
 *                      copied into a physically contiguous kernel buffer,
 *                      whose physical address the hypervisor gets, and back;
 *   HVPRIV_IOCTL_RAW   the caller's numbers, unchanged (for tests);
 *   HVPRIV_IOCTL_BACKEND_BIND  the file becomes a customer domain's device
 *                      backend: mmap of its RAM and of the event page,
 *                      poll for events (hvpriv_backend.c).
 *
 * The ioctl ABI is in hvpriv.h, the hypercall ABI in hvabi.h.  Only root may
 * use the device: mode 0600 and a CAP_SYS_ADMIN check, because these calls
 * can see and (later) change every domain on the machine.
 *
 * VMMCALL outside our hypervisor raises #UD, so the module refuses to load
 * unless CPUID says that our hypervisor is the one underneath.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tsc.h>

#include "hvabi.h"
#include "hvpriv.h"
#include "hvpriv_internal.h"

/* CPUID leaf of the hypervisor's identification (EBX, ECX, EDX). */
#define HVPRIV_CPUID_LEAF	0x40000000

/*
 * The bounce buffer must be physically contiguous: the hypervisor gets one
 * physical address and a size.  kmalloc memory always is; above a page,
 * alloc_pages_exact gives back the unused tail of the power-of-two block
 * that kmalloc would keep.  Zeroed, so that nothing stale can leak out.
 * __GFP_NOWARN: the size comes from user space, and failing a large request
 * with -ENOMEM is normal, not worth a warning with a stack trace.
 */
static void *hvpriv_buf_alloc(size_t size)
{
	if (size <= PAGE_SIZE)
		return kzalloc(size, GFP_KERNEL);
	return alloc_pages_exact(size, GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);
}

static void hvpriv_buf_free(void *buf, size_t size)
{
	if (!buf)
		return;
	if (size <= PAGE_SIZE)
		kfree(buf);
	else
		free_pages_exact(buf, size);
}

static long hvpriv_ioctl_call(struct hvpriv_call __user *ucall)
{
	struct hvpriv_call call;
	void __user *ubuf;
	void *buf = NULL;
	u64 arg0 = 0, arg1 = 0;
	long ret = 0;

	if (copy_from_user(&call, ucall, sizeof(call)))
		return -EFAULT;
	ubuf = u64_to_user_ptr(call.buf);

	if (call.size == 0) {
		/* A call without a structure: no buffer, arguments 0. */
		if (call.buf != 0)
			return -EINVAL;
	} else {
		if (call.size > HVPRIV_MAX_BUF)
			return -EINVAL;
		buf = hvpriv_buf_alloc(call.size);
		if (!buf)
			return -ENOMEM;
		if (copy_from_user(buf, ubuf, call.size)) {
			ret = -EFAULT;
			goto out;
		}
		/* dom0's guest-physical addresses are the host-physical ones. */
		arg0 = virt_to_phys(buf);
		arg1 = call.size;
	}

	call.result = hvpriv_hypercall(call.nr, arg0, arg1, 0, 0);

	if (buf && copy_to_user(ubuf, buf, call.size)) {
		ret = -EFAULT;
		goto out;
	}
	if (put_user(call.result, &ucall->result))
		ret = -EFAULT;
out:
	hvpriv_buf_free(buf, call.size);
	return ret;
}

static long hvpriv_ioctl_raw(struct hvpriv_raw __user *uraw)
{
	struct hvpriv_raw raw;

	if (copy_from_user(&raw, uraw, sizeof(raw)))
		return -EFAULT;

	raw.result = hvpriv_hypercall(raw.nr, raw.args[0], raw.args[1],
				      raw.args[2], raw.args[3]);

	if (put_user(raw.result, &uraw->result))
		return -EFAULT;
	return 0;
}

static long hvpriv_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	/* The device is mode 0600 already; this also stops a root process
	 * that dropped its capabilities, and an fd passed to someone else. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	switch (cmd) {
	case HVPRIV_IOCTL_CALL:
		return hvpriv_ioctl_call(uarg);
	case HVPRIV_IOCTL_RAW:
		return hvpriv_ioctl_raw(uarg);
	case HVPRIV_IOCTL_BACKEND_BIND:
		return hvpriv_ioctl_backend_bind(file, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations hvpriv_fops = {
	.owner		= THIS_MODULE,
	.open		= hvpriv_open,
	.release	= hvpriv_release,
	.unlocked_ioctl	= hvpriv_ioctl,
	.mmap		= hvpriv_mmap,
	.poll		= hvpriv_poll,
	/* The structures are the same for 32-bit callers (hvpriv.h). */
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice hvpriv_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "hvpriv",
	.fops	= &hvpriv_fops,
	.mode	= 0600,
};

/*
 * Is our hypervisor underneath?  CPUID leaf 1 ECX bit 31 says that there is
 * a hypervisor at all; leaf 0x40000000 then names it in EBX, ECX, EDX.
 */
static bool hvpriv_on_appliance_hv(void)
{
	unsigned int eax, sig[3];

	BUILD_BUG_ON(sizeof(HV_CPUID_SIGNATURE) - 1 != sizeof(sig));

	if (!(cpuid_ecx(1) & BIT(31))) {
		pr_err("not running on the appliance hypervisor (no hypervisor: CPUID.1:ECX bit 31 is clear)\n");
		return false;
	}

	cpuid(HVPRIV_CPUID_LEAF, &eax, &sig[0], &sig[1], &sig[2]);
	if (memcmp(sig, HV_CPUID_SIGNATURE, sizeof(sig)) != 0) {
		pr_err("not running on the appliance hypervisor (CPUID 0x%x signature \"%*pE\", expected \"%s\")\n",
		       HVPRIV_CPUID_LEAF, (int)sizeof(sig), sig,
		       HV_CPUID_SIGNATURE);
		return false;
	}
	return true;
}

/*
 * dom0's clock for the customer domains' kvmclocks (HVCALL_SET_TIME): the
 * rate at which dom0's clock runs against the TSC, and dom0's wall clock at
 * one TSC reading.
 *
 * The rate is measured, not taken from the kernel's tsc_khz: that figure is
 * the rate of dom0's clock only while dom0's clocksource is the TSC.  When
 * Linux finds the TSCs unsynchronised (as it does under QEMU's TCG) it runs
 * on the HPET and never refines tsc_khz past its first quick PIT look,
 * which can be off by several hundred ppm; a domain given that rate drifts
 * from dom0 by as much.  So the driver reads the TSC and CLOCK_MONOTONIC
 * together at load (the anchor) and again HVPRIV_RATE_BASELINE_MS later,
 * always on CPU 0 because the TSCs of different CPUs need not agree, and
 * sends the ratio before any domain can be made.  Every minute after that
 * it sends the ratio over the whole time since the anchor, which only
 * grows more exact, and follows NTP's corrections of dom0's clock.
 * Domains take the rate current when they are made.
 */
#define HVPRIV_TIME_PERIOD	(60 * HZ)
#define HVPRIV_RATE_BASELINE_MS	1000
#define HVPRIV_CLOCK_READS	8

struct hvpriv_clock_pair {
	u64 tsc;
	u64 mono_ns;
};

static struct hvpriv_clock_pair hvpriv_anchor;

/*
 * Runs on CPU 0 with interrupts off.  The clock read sits between two TSC
 * reads; of several tries the tightest bracket is kept, so a host that
 * preempted QEMU in the middle of one costs nothing.
 */
static void hvpriv_read_clock_pair(void *arg)
{
	struct hvpriv_clock_pair *pair = arg;
	u64 best_gap = U64_MAX;
	int i;

	for (i = 0; i < HVPRIV_CLOCK_READS; i++) {
		u64 before = rdtsc_ordered();
		u64 ns = ktime_get_ns();
		u64 after = rdtsc_ordered();

		if (after - before < best_gap) {
			best_gap = after - before;
			pair->tsc = before + (after - before) / 2;
			pair->mono_ns = ns;
		}
	}
}

static void hvpriv_clock_pair_on_cpu0(struct hvpriv_clock_pair *pair)
{
	smp_call_function_single(0, hvpriv_read_clock_pair, pair, 1);
}

/* TSC ticks per millisecond of dom0's clock since the anchor. */
static u64 hvpriv_tsc_khz_since_anchor(const struct hvpriv_clock_pair *now)
{
	u64 ns = now->mono_ns - hvpriv_anchor.mono_ns;

	if (!ns || now->tsc <= hvpriv_anchor.tsc)
		return tsc_khz;
	return mul_u64_u64_div_u64(now->tsc - hvpriv_anchor.tsc,
				   NSEC_PER_MSEC, ns);
}

static void hvpriv_send_time(struct work_struct *work);
static DECLARE_DELAYED_WORK(hvpriv_time_work, hvpriv_send_time);

static void hvpriv_send_time(struct work_struct *work)
{
	struct hv_set_time *t = kzalloc(sizeof(*t), GFP_KERNEL);
	struct hvpriv_clock_pair now;
	unsigned long flags;
	long ret;

	if (t) {
		hvpriv_clock_pair_on_cpu0(&now);
		t->tsc_khz = hvpriv_tsc_khz_since_anchor(&now);
		/* Both readings together, with nothing in between. */
		local_irq_save(flags);
		t->tsc = rdtsc();
		t->wall_ns = ktime_get_real_ns();
		local_irq_restore(flags);
		ret = hvpriv_hypercall(HVCALL_SET_TIME, virt_to_phys(t),
				       sizeof(*t), 0, 0);
		if (ret < 0)
			pr_warn_once("HVCALL_SET_TIME (TSC %llu kHz) failed: %ld\n",
				     t->tsc_khz, ret);
		kfree(t);
	}
	schedule_delayed_work(&hvpriv_time_work, HVPRIV_TIME_PERIOD);
}

static int __init hvpriv_init(void)
{
	long abi;
	int ret;

	if (!hvpriv_on_appliance_hv())
		return -ENODEV;

	/*
	 * Safe now that we know VMMCALL reaches our hypervisor.  The driver
	 * itself fills struct hv_set_time, and every caller above it was
	 * built with the same hvabi.h: on another version none of them
	 * would read the hypervisor's structures right, so refuse to load.
	 */
	abi = hvpriv_hypercall(HVCALL_ABI_VERSION, 0, 0, 0, 0);
	if (abi != HV_ABI_VERSION) {
		if (abi < 0)
			pr_err("HVCALL_ABI_VERSION failed (%ld): not loading\n",
			       abi);
		else
			pr_err("the hypervisor has ABI version %ld, this driver "
			       "was built for %d (hvabi.h): not loading\n",
			       abi, HV_ABI_VERSION);
		return -EPROTO;
	}
	pr_info("hypervisor ABI version %ld\n", abi);

	ret = hvpriv_events_init();
	if (ret)
		return ret;
	ret = misc_register(&hvpriv_misc);
	if (ret) {
		pr_err("cannot register /dev/hvpriv: %d\n", ret);
		hvpriv_events_exit();
		return ret;
	}
	hvpriv_clock_pair_on_cpu0(&hvpriv_anchor);
	msleep(HVPRIV_RATE_BASELINE_MS);
	hvpriv_send_time(NULL);
	return 0;
}

static void __exit hvpriv_exit(void)
{
	cancel_delayed_work_sync(&hvpriv_time_work);
	misc_deregister(&hvpriv_misc);
	hvpriv_events_exit();
}

module_init(hvpriv_init);
module_exit(hvpriv_exit);

MODULE_DESCRIPTION("Hypercall device /dev/hvpriv for the appliance hypervisor's dom0");
MODULE_LICENSE("GPL");
