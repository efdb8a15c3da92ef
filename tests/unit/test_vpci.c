// SPDX-License-Identifier: GPL-2.0-only
/*
 * A customer domain's PCI bus 0 (hypervisor/common/vpci.c), driven the way
 * a guest drives it (vpci_harness.h): mechanism #1 and its read-back
 * probe, the host bridge, empty slots, odd sizes and offsets, the virtio
 * function's header and capability list walked as Linux walks it, BAR
 * sizing, relocation and decoding.
 */
#include "vpci_harness.h"

/* --- configuration space ----------------------------------------------------- */

START_TEST(address_register_reads_back)
{
	/* Linux's pci_check_type1(). */
	vpci_config_port_write(d, 0xcfb, 1, 0x01);
	ck_assert_uint_eq(inl(0xcf8), 0);
	outl(0xcf8, 0x80000000U);
	ck_assert_uint_eq(inl(0xcf8), 0x80000000U);
	outl(0xcf8, 0x80fffffcU);
	ck_assert_uint_eq(inl(0xcf8), 0x80fffffcU);
	/* Reserved bits and the two low bits read 0. */
	outl(0xcf8, 0xffffffffU);
	ck_assert_uint_eq(inl(0xcf8), 0x80fffffcU);
	/* Narrow accesses to the address ports neither read nor change it. */
	ck_assert_uint_eq(vpci_config_port_read(d, 0xcf8, 2), 0xffff);
	ck_assert_uint_eq(vpci_config_port_read(d, 0xcfb, 1), 0xff);
	vpci_config_port_write(d, 0xcf8, 2, 0);
	ck_assert_uint_eq(inl(0xcf8), 0x80fffffcU);
	ck_assert(vpci_is_config_port(0xcf8) && vpci_is_config_port(0xcff));
	ck_assert(!vpci_is_config_port(0xcf7) && !vpci_is_config_port(0xd00));
}
END_TEST

START_TEST(host_bridge)
{
	ck_assert_uint_eq(cfg_read(0, 0, 4), 0x00081b36);
	ck_assert_uint_eq(cfg_read(0, 0, 2), 0x1b36);
	ck_assert_uint_eq(cfg_read(0, 2, 2), 0x0008);
	ck_assert_uint_eq(cfg_read(0, 8, 4) >> 8, 0x060000);
	ck_assert_uint_eq(cfg_read(0, 0x0b, 1), 0x06);	/* base class */
	ck_assert_uint_eq(cfg_read(0, 0x0e, 1), 0);	/* header type 0 */
	/* Nothing in it is writable. */
	cfg_write(0, 0, 4, 0);
	cfg_write(0, 4, 2, 0xffff);
	ck_assert_uint_eq(cfg_read(0, 0, 4), 0x00081b36);
	ck_assert_uint_eq(cfg_read(0, 4, 2), 0);
}
END_TEST

START_TEST(empty_slots_read_all_ones)
{
	unsigned int devfn;

	for (devfn = 0; devfn < 256; devfn++) {
		bool exists = devfn == 0 || devfn == VIRTIO_DEVFN;

		FAST_ASSERT((cfg_read(devfn, 0, 4) == 0xffffffffU) == !exists);
	}
	/* Bus 1, and the enable bit clear. */
	outl(0xcf8, 0x80010000U);
	ck_assert_uint_eq(inl(0xcfc), 0xffffffffU);
	outl(0xcf8, 0x00000000U);
	ck_assert_uint_eq(inl(0xcfc), 0xffffffffU);
	ck_assert_uint_eq(vpci_config_port_read(d, 0xcfc, 1), 0xff);
	/* Writes there change nothing that can be seen. */
	cfg_write(2 << 3, 4, 2, 0xffff);
	ck_assert_uint_eq(cfg_read(2 << 3, 0, 4), 0xffffffffU);
}
END_TEST

START_TEST(odd_sizes_and_offsets)
{
	/* Each byte and word of the ID dword through its own data port. */
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0, 1), 0xf4);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 1, 1), 0x1a);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 2, 1), 0x42);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 3, 1), 0x10);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 2, 2), 0x1042);
	/* Crossing the dword, or misaligned: all-ones. */
	outl(0xcf8, 0x80000000U | VIRTIO_DEVFN << 8);
	ck_assert_uint_eq(vpci_config_port_read(d, 0xcfe, 4), 0xffffffffU);
	ck_assert_uint_eq(vpci_config_port_read(d, 0xcfd, 4), 0xffffffffU);
	ck_assert_uint_eq(vpci_config_port_read(d, 0xcfd, 2), 0xffff);
	ck_assert_uint_eq(vpci_config_port_read(d, 0xcff, 2), 0xffff);
	/* A write that crosses changes nothing. */
	outl(0xcf8, 0x80000000U | VIRTIO_DEVFN << 8 | 0x04);
	vpci_config_port_write(d, 0xcfe, 4, 0);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 4, 2), 0x3);
	/* Direct calls with nonsense sizes and registers. */
	ck_assert_uint_eq(vpci_config_read(d, VIRTIO_DEVFN, 256, 4), 0xffffffffU);
	ck_assert_uint_eq(vpci_config_read(d, VIRTIO_DEVFN, 0, 3), 0xffffffU);
	ck_assert_uint_eq(vpci_config_read(d, 300, 0, 4), 0xffffffffU);
	vpci_config_write(d, VIRTIO_DEVFN, 0x10, 3, 0);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x10, 4), (uint32_t)BAR0);
}
END_TEST

START_TEST(virtio_function_header)
{
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0, 4), 0x10421af4);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 8, 1), 1);	/* revision */
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 8, 4) >> 8, 0x010000);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x0e, 1), 0);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x2c, 2), 0x1af4);
	ck_assert_uint_ge(cfg_read(VIRTIO_DEVFN, 0x2e, 2), 0x40);
	ck_assert(cfg_read(VIRTIO_DEVFN, 6, 2) & 0x10);		/* cap list */
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x3d, 1), 0);	/* no INTx */
	/* The interrupt line is a scratch byte the OS may write. */
	cfg_write(VIRTIO_DEVFN, 0x3c, 1, 11);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x3c, 1), 11);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x3d, 1), 0);
	/* IDs are read-only. */
	cfg_write(VIRTIO_DEVFN, 0, 4, 0x12345678);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0, 4), 0x10421af4);
	/* A network device is 0x1041, class network. */
	ck_assert_int_eq(add_device(HV_VIRTIO_NET, 3, FEATURES), 1);
	ck_assert_uint_eq(cfg_read(2 << 3, 0, 4), 0x10411af4);
	ck_assert_uint_eq(cfg_read(2 << 3, 8, 4) >> 8, 0x020000);
}
END_TEST

START_TEST(capability_walk)
{
	struct caps c = walk_caps(VIRTIO_DEVFN);
	unsigned int p;

	ck_assert_uint_eq(c.count, 5);
	/* common: BAR0 at the common offset, at least 0x38 bytes */
	p = c.at[1];
	ck_assert_uint_ge(cfg_read(VIRTIO_DEVFN, p + 2, 1), 16);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 4, 1), 0);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 8, 4), HVP_VIRTIO_COMMON_OFFSET);
	ck_assert_uint_ge(cfg_read(VIRTIO_DEVFN, p + 12, 4), 0x38);
	/* notify: BAR2, 2 queues, the multiplier after the struct */
	p = c.at[2];
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 2, 1), 20);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 4, 1), 2);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 8, 4), 0);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 12, 4),
			  2 * HVP_VIRTIO_NOTIFY_MULTIPLIER);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 16, 4),
			  HVP_VIRTIO_NOTIFY_MULTIPLIER);
	/* ISR */
	p = c.at[3];
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 4, 1), 0);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 8, 4), HVP_VIRTIO_ISR_OFFSET);
	ck_assert_uint_ge(cfg_read(VIRTIO_DEVFN, p + 12, 4), 1);
	/* device configuration: the 8 bytes given */
	p = c.at[4];
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 8, 4), HVP_VIRTIO_DEVICE_OFFSET);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 12, 4), 8);
	/* MSI-X: 3 entries (N - 1 encoded), table and PBA in BAR0 */
	p = c.msix;
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 2, 2), 2);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 4, 4), HVP_VIRTIO_MSIX_OFFSET);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, p + 8, 4), HVP_VIRTIO_PBA_OFFSET);
	/* Capabilities are read-only. */
	cfg_write(VIRTIO_DEVFN, c.at[1] + 8, 4, 0x100);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, c.at[1] + 8, 4), 0);
}
END_TEST

START_TEST(bar_sizing_and_relocation)
{
	/* Sizing as Linux's __pci_read_base(): all-ones, read, restore. */
	cfg_write(VIRTIO_DEVFN, 0x10, 4, 0xffffffffU);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x10, 4),
			  (uint32_t)~(HVP_VIRTIO_BAR0_SIZE - 1));
	cfg_write(VIRTIO_DEVFN, 0x18, 4, 0xffffffffU);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x18, 4),
			  (0xffff & ~(HVP_VIRTIO_BAR2_SIZE - 1)) | 1);
	/* Unimplemented BARs and the ROM stay 0. */
	cfg_write(VIRTIO_DEVFN, 0x14, 4, 0xffffffffU);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x14, 4), 0);
	cfg_write(VIRTIO_DEVFN, 0x30, 4, 0xffffffffU);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x30, 4), 0);
	/* While sized, the BAR is outside the window: nothing decodes. */
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_NUM_QUEUES, 2), 0xffff);

	/* Moved elsewhere in the window: the old place is empty. */
	cfg_write(VIRTIO_DEVFN, 0x10, 4, (uint32_t)(BAR0 + 0x100000));
	cfg_write(VIRTIO_DEVFN, 0x18, 4, BAR2 + 0x800);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x10, 4), (uint32_t)(BAR0 + 0x100000));
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_NUM_QUEUES, 2), 0xffff);
	ck_assert_uint_eq(vpci_mmio_read(d, BAR0 + 0x100000 + HVP_VIRTIO_CC_NUM_QUEUES, 2), 2);
	vpci_io_write(d, BAR2, 2, 0);
	ck_assert_uint_eq(notify_posts, 0);
	vpci_io_write(d, BAR2 + 0x800 + 2, 2, 1);
	ck_assert_uint_eq(notify_posts, 1);
	ck_assert_uint_eq(posted_notify, 1ULL << 1);

	/* Low bits of an address are dropped (alignment), as on hardware. */
	cfg_write(VIRTIO_DEVFN, 0x10, 4, (uint32_t)(BAR0 + 0x4123));
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 0x10, 4), (uint32_t)(BAR0 + 0x4000));
	/* Outside the window (in RAM, say): never decoded. */
	cfg_write(VIRTIO_DEVFN, 0x10, 4, 0x00100000);
	ck_assert_uint_eq(vpci_mmio_read(d, 0x00100000 + HVP_VIRTIO_CC_NUM_QUEUES, 2), 0xffff);
	ck_assert(vpci_is_mmio(HVP_PCI_MMIO_BASE + HVP_PCI_MMIO_SIZE - 1));
	ck_assert(!vpci_is_mmio(HVP_PCI_MMIO_BASE + HVP_PCI_MMIO_SIZE));

	/* Back home, then memory decoding off in the command register. */
	cfg_write(VIRTIO_DEVFN, 0x10, 4, (uint32_t)BAR0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_NUM_QUEUES, 2), 2);
	cfg_write(VIRTIO_DEVFN, 4, 2, 0x1);
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 4, 2), 0x1);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_NUM_QUEUES, 2), 0xffff);
	cfg_write(VIRTIO_DEVFN, 4, 2, 0xffff);	/* only the writable bits */
	ck_assert_uint_eq(cfg_read(VIRTIO_DEVFN, 4, 2), 0x0407);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_NUM_QUEUES, 2), 2);
	/* I/O decoding off: notifies go nowhere. */
	cfg_write(VIRTIO_DEVFN, 4, 2, 0x2);
	vpci_io_write(d, BAR2 + 0x800, 2, 0);
	ck_assert_uint_eq(notify_posts, 1);
}
END_TEST

Suite *vpci_suite(void)
{
	Suite *s = suite_create("vpci");
	TCase *tc = tcase_create("bus");

	tcase_add_checked_fixture(tc, vpci_setup, NULL);
	tcase_add_test(tc, address_register_reads_back);
	tcase_add_test(tc, host_bridge);
	tcase_add_test(tc, empty_slots_read_all_ones);
	tcase_add_test(tc, odd_sizes_and_offsets);
	tcase_add_test(tc, virtio_function_header);
	tcase_add_test(tc, capability_walk);
	tcase_add_test(tc, bar_sizing_and_relocation);
	suite_add_tcase(s, tc);
	return s;
}
