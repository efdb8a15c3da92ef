/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvpriv_internal.h - what hvpriv's two files share: the hypercall itself
 * (hvpriv_main.c has the device and the plain calls) and the backend
 * binding's file operations and event interrupt (hvpriv_backend.c).
 */
#ifndef HVPRIV_INTERNAL_H
#define HVPRIV_INTERNAL_H

#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/types.h>

/*
 * One hypercall, with the register convention of hvabi.h: RAX = number,
 * RBX/RCX/RDX/RSI = arguments 0-3, result in RAX; the hypervisor preserves
 * every other register.  "memory": the hypervisor may read and write the
 * buffer whose address we pass, which the compiler cannot see.
 */
static inline long hvpriv_hypercall(u64 nr, u64 arg0, u64 arg1, u64 arg2,
				    u64 arg3)
{
	long result;

	asm volatile("vmmcall"
		     : "=a" (result)
		     : "a" (nr), "b" (arg0), "c" (arg1), "d" (arg2), "S" (arg3)
		     : "memory");
	return result;
}

/* The event interrupt: allocated and announced at load, freed at unload. */
int hvpriv_events_init(void);
void hvpriv_events_exit(void);

/* The file operations of a backend binding (hvpriv_backend.c). */
int hvpriv_open(struct inode *inode, struct file *file);
int hvpriv_release(struct inode *inode, struct file *file);
long hvpriv_ioctl_backend_bind(struct file *file, void __user *uarg);
int hvpriv_mmap(struct file *file, struct vm_area_struct *vma);
__poll_t hvpriv_poll(struct file *file, poll_table *wait);

#endif /* HVPRIV_INTERNAL_H */
