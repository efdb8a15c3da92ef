/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A ticket spinlock: CPUs get the lock in the order they asked for it, so no
 * CPU starves under contention.  Callers that may be interrupted by a handler
 * taking the same lock use the _irqsave variants.
 */
#ifndef HV_SPINLOCK_H
#define HV_SPINLOCK_H

#include <lib/types.h>
#include <hv/arch.h>

struct spinlock {
	uint16_t next;		/* next ticket to hand out */
	uint16_t owner;		/* ticket now holding the lock */
};

#define SPINLOCK_INIT { 0, 0 }

static inline void spin_lock(struct spinlock *l)
{
	uint16_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		arch_cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = arch_irq_save();

	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	spin_unlock(l);
	arch_irq_restore(flags);
}

#endif
