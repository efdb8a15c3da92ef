/* SPDX-License-Identifier: GPL-2.0-only */
/* What boot set up and everything after it uses. */
#ifndef HV_SETUP_H
#define HV_SETUP_H

#include <hv/frame.h>
#include <hv/mb2.h>

extern struct boot_info boot_info;	/* the boot loader's information */
extern struct frame_allocator frames;	/* all RAM not given to dom0 */
extern uint64_t usable_ram_bytes;	/* available RAM in the firmware map */

/*
 * True when the whole 4 KiB page holding pa is RAM the firmware map calls
 * available.  A page that is partly RAM and partly firmware (the one below
 * the EBDA, say) is firmware's: nobody allocates it.
 */
bool is_ram_page(uint64_t pa);

/* Once every boot module has been copied: their memory joins the pool. */
void donate_boot_modules(void);

#endif
