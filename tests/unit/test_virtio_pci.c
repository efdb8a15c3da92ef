// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtio-pci registers behind a device's BARs
 * (hypervisor/common/virtio_pci.c), driven the way a guest drives them
 * (vpci_harness.h): feature negotiation and its refusals, queue set-up and
 * what the backend page shows of it (seq even after every change), resets
 * with and without a backend, MSI-X masking and pending bits, the ISR,
 * notify posting, the hostile forms, and the two hypercalls' checks.
 */
#include "vpci_harness.h"

/* --- common configuration ---------------------------------------------------- */

START_TEST(feature_negotiation)
{
	wr(HVP_VIRTIO_CC_DEVICE_FEATURE_SELECT, 4, 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_FEATURE, 4), (uint32_t)FEATURES);
	wr(HVP_VIRTIO_CC_DEVICE_FEATURE_SELECT, 4, 1);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_FEATURE, 4), 1);	/* VERSION_1 */
	wr(HVP_VIRTIO_CC_DEVICE_FEATURE_SELECT, 4, 2);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_FEATURE, 4), 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_FEATURE_SELECT, 4), 2);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_NUM_QUEUES, 2), 2);

	ck_assert_uint_eq(negotiate(FEATURES), S_ACK | S_DRIVER | S_FEATURES_OK);
	wr(HVP_VIRTIO_CC_DRIVER_FEATURE_SELECT, 4, 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DRIVER_FEATURE, 4), (uint32_t)FEATURES);
	/* After FEATURES_OK the accepted set is fixed. */
	wr(HVP_VIRTIO_CC_DRIVER_FEATURE, 4, 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DRIVER_FEATURE, 4), (uint32_t)FEATURES);
	wr(HVP_VIRTIO_CC_DEVICE_STATUS, 1, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_STATUS, 1), 0xf);
	/* The driver cannot take bits back except by a reset. */
	wr(HVP_VIRTIO_CC_DEVICE_STATUS, 1, S_ACK);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_STATUS, 1), 0xf);
	/* ... nor set NEEDS_RESET itself. */
	wr(HVP_VIRTIO_CC_DEVICE_STATUS, 1, 0xf | VIRTIO_STATUS_NEEDS_RESET);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_STATUS, 1), 0xf);
	wr(HVP_VIRTIO_CC_DEVICE_STATUS, 1, 0xf | VIRTIO_STATUS_FAILED);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_STATUS, 1), 0x8f);
}
END_TEST

START_TEST(feature_refusals)
{
	/* A feature not offered: FEATURES_OK reads back clear. */
	ck_assert_uint_eq(negotiate(FEATURES | (1ULL << 9)), S_ACK | S_DRIVER);
	wr(HVP_VIRTIO_CC_DEVICE_STATUS, 1, 0);
	/* Without VERSION_1 (a legacy driver): refused too. */
	ck_assert_uint_eq(negotiate(FEATURE_BLK_SIZE), S_ACK | S_DRIVER);
	/* DRIVER_OK without FEATURES_OK is refused. */
	wr(HVP_VIRTIO_CC_DEVICE_STATUS, 1, S_ACK | S_DRIVER | S_DRIVER_OK);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_STATUS, 1), S_ACK | S_DRIVER);
	ck_assert_uint_gt(d->vpci.refused, 0);
	/* A subset of what is offered, with VERSION_1, is fine. */
	wr(HVP_VIRTIO_CC_DEVICE_STATUS, 1, 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_STATUS, 1), 0);
	ck_assert_uint_eq(negotiate(VIRTIO_F_VERSION_1),
			  S_ACK | S_DRIVER | S_FEATURES_OK);
}
END_TEST

static void assert_published_consistent(void)
{
	FAST_ASSERT(page.dev[0].seq % 2 == 0);
}

START_TEST(queue_setup_is_published)
{
	const struct hv_device_state *s = &page.dev[0];
	uint32_t seq;

	bound = true;
	virtio_pci_publish_all(d);
	ck_assert_uint_eq(page.nr_devices, 1);
	ck_assert_uint_eq(posted_changed, 1);
	ck_assert_uint_eq(s->vq[0].size, QUEUE_MAX);
	ck_assert_uint_eq(s->vq[0].msix_vector, VIRTIO_MSI_NO_VECTOR);
	assert_published_consistent();

	/* A seq dom0 scribbled odd still ends even. */
	page.dev[0].seq = 7;
	negotiate(FEATURES);
	assert_published_consistent();
	ck_assert_uint_eq(s->status, S_ACK | S_DRIVER | S_FEATURES_OK);
	ck_assert_uint_eq(s->driver_features, FEATURES);

	posted_changed = 0;
	seq = s->seq;
	select_queue(1);
	ck_assert_uint_eq(s->seq, seq);		/* selecting changes nothing */
	wr(HVP_VIRTIO_CC_QUEUE_SIZE, 2, 64);
	assert_published_consistent();
	ck_assert_uint_gt(s->seq, seq);
	ck_assert_uint_eq(posted_changed, 1);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_SIZE, 2), 64);
	ck_assert_uint_eq(s->vq[1].size, 64);
	wr(HVP_VIRTIO_CC_QUEUE_MSIX_VECTOR, 2, 2);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_MSIX_VECTOR, 2), 2);
	ck_assert_uint_eq(s->vq[1].msix_vector, 2);
	set_addresses(1, 0x123456789000ULL, 0x1000, 0x2000);
	assert_published_consistent();
	ck_assert_uint_eq(s->vq[1].desc, 0x123456789000ULL);
	ck_assert_uint_eq(s->vq[1].driver, 0x1000);
	ck_assert_uint_eq(s->vq[1].device, 0x2000);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_DESC + 4, 4), 0x1234);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_DESC, 4), 0x56789000);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_NOTIFY_OFF, 2), 1);
	ck_assert_uint_eq(s->vq[1].enabled, 0);
	wr(HVP_VIRTIO_CC_QUEUE_ENABLE, 2, 1);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_ENABLE, 2), 1);
	ck_assert_uint_eq(s->vq[1].enabled, 1);
	assert_published_consistent();
	/* Queue 0 untouched. */
	ck_assert_uint_eq(s->vq[0].enabled, 0);
	ck_assert_uint_eq(s->vq[0].desc, 0);
	/* An enabled queue's set-up is fixed. */
	wr(HVP_VIRTIO_CC_QUEUE_SIZE, 2, 32);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_SIZE, 2), 64);
	wr(HVP_VIRTIO_CC_DEVICE_STATUS, 1, 0xf);
	ck_assert_uint_eq(s->status, 0xf);
	assert_published_consistent();
}
END_TEST

START_TEST(reset_without_backend)
{
	negotiate(FEATURES);
	set_addresses(0, 0x1000, 0x2000, 0x3000);
	wr(HVP_VIRTIO_CC_QUEUE_ENABLE, 2, 1);
	wr(HVP_VIRTIO_CC_CONFIG_MSIX_VECTOR, 2, 0);
	wr(HVP_VIRTIO_CC_DEVICE_STATUS, 1, 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_STATUS, 1), 0);
	select_queue(0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_ENABLE, 2), 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_SIZE, 2), QUEUE_MAX);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_DESC, 4), 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_CONFIG_MSIX_VECTOR, 2), VIRTIO_MSI_NO_VECTOR);
	wr(HVP_VIRTIO_CC_DRIVER_FEATURE_SELECT, 4, 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DRIVER_FEATURE, 4), 0);
	ck_assert_uint_eq(changed_posts, 0);
	/* And it can be set up again. */
	ck_assert_uint_eq(negotiate(FEATURES), S_ACK | S_DRIVER | S_FEATURES_OK);
}
END_TEST

START_TEST(reset_with_backend)
{
	const struct hv_device_state *s = &page.dev[0];

	bound = true;
	negotiate(FEATURES);
	set_addresses(0, 0x1000, 0x2000, 0x3000);
	wr(HVP_VIRTIO_CC_QUEUE_ENABLE, 2, 1);
	wr(HVP_VIRTIO_CC_DEVICE_STATUS, 1, 0xf);
	posted_changed = 0;
	wr(HVP_VIRTIO_CC_DEVICE_STATUS, 1, 0);
	/* The driver keeps reading the old status: the backend is not done. */
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_STATUS, 1), 0xf);
	ck_assert_uint_eq(s->reset, 1);
	ck_assert_uint_eq(s->status, 0);
	ck_assert_uint_eq(posted_changed, 1);
	assert_published_consistent();
	/* Meanwhile writes change nothing, and interrupts are dropped. */
	wr(HVP_VIRTIO_CC_DEVICE_STATUS, 1, S_ACK);
	select_queue(1);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_SELECT, 2), 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_STATUS, 1), 0xf);
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_INTERRUPT, 1), 0);
	ck_assert_uint_eq(nr_msis, 0);
	/* RESET_DONE: status 0, queues gone, published. */
	posted_changed = 0;
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_RESET_DONE, 0), 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_STATUS, 1), 0);
	ck_assert_uint_eq(s->reset, 0);
	ck_assert_uint_eq(s->vq[0].enabled, 0);
	ck_assert_uint_eq(s->vq[0].desc, 0);
	ck_assert_uint_eq(s->driver_features, 0);
	ck_assert_uint_eq(posted_changed, 1);
	assert_published_consistent();
	/* A second RESET_DONE is harmless. */
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_RESET_DONE, 0), 0);
	ck_assert_uint_eq(negotiate(FEATURES), S_ACK | S_DRIVER | S_FEATURES_OK);

	/* A backend that goes away completes a pending reset. */
	wr(HVP_VIRTIO_CC_DEVICE_STATUS, 1, 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_STATUS, 1), 0xb);
	bound = false;
	virtio_pci_backend_gone(d);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_STATUS, 1), 0);
}
END_TEST

START_TEST(reset_of_a_fresh_device_is_immediate)
{
	/* Linux resets a device first thing at probe: status was 0, so the
	 * backend has nothing to drop and the reset must not stay pending,
	 * or the feature select the driver writes next would be dropped and
	 * it would read the low feature word twice (no VERSION_1). */
	bound = true;
	wr(HVP_VIRTIO_CC_DEVICE_STATUS, 1, 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_STATUS, 1), 0);
	ck_assert_uint_eq(page.dev[0].reset, 0);
	wr(HVP_VIRTIO_CC_DEVICE_FEATURE_SELECT, 4, 1);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_FEATURE, 4), 1);	/* VERSION_1 */
	ck_assert_uint_eq(negotiate(FEATURES), S_ACK | S_DRIVER | S_FEATURES_OK);
}
END_TEST

START_TEST(device_config_is_read_only)
{
	ck_assert_uint_eq(rd(HVP_VIRTIO_DEVICE_OFFSET, 4), 2048);
	ck_assert_uint_eq(rd(HVP_VIRTIO_DEVICE_OFFSET + 4, 4), 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_DEVICE_OFFSET, 8), 2048);
	ck_assert_uint_eq(rd(HVP_VIRTIO_DEVICE_OFFSET + 1, 1), 8);
	ck_assert_uint_eq(rd(HVP_VIRTIO_DEVICE_OFFSET + 1, 2), 0xffff);	/* misaligned */
	ck_assert_uint_eq(rd(HVP_VIRTIO_DEVICE_OFFSET + 8, 1), 0xff);	/* beyond */
	wr(HVP_VIRTIO_DEVICE_OFFSET, 4, 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_DEVICE_OFFSET, 4), 2048);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_CONFIG_GENERATION, 1), 0);
}
END_TEST

/* --- MSI-X, ISR and notify ----------------------------------------------------- */

START_TEST(msix_masking_and_pending)
{
	uint32_t pba = HVP_VIRTIO_PBA_OFFSET;

	/* Entries start masked. */
	ck_assert_uint_eq(rd(HVP_VIRTIO_MSIX_OFFSET + 12, 4), 1);
	negotiate(FEATURES);
	wr(HVP_VIRTIO_CC_CONFIG_MSIX_VECTOR, 2, 0);
	select_queue(0);
	wr(HVP_VIRTIO_CC_QUEUE_MSIX_VECTOR, 2, 1);
	select_queue(1);
	wr(HVP_VIRTIO_CC_QUEUE_MSIX_VECTOR, 2, 2);
	msix_entry(0, 0, 0x40, false);
	msix_entry(1, 1, 0x41, true);
	msix_entry(2, 0, 0x42, false);
	ck_assert_uint_eq(rd(HVP_VIRTIO_MSIX_OFFSET + 16 + 8, 4), 0x41);

	/* MSI-X off: nothing sent, the ISR says it. */
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_INTERRUPT, 1), 0);
	ck_assert_uint_eq(nr_msis, 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_ISR_OFFSET, 1), 1);
	ck_assert_uint_eq(rd(HVP_VIRTIO_ISR_OFFSET, 1), 0);	/* read clears */

	msix_enable(MSIX_CTRL_ENABLE);
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_INTERRUPT, 2), 0);
	ck_assert_uint_eq(nr_msis, 1);
	ck_assert_uint_eq(msis[0].address, 0xfee00000U);
	ck_assert_uint_eq(msis[0].data, 0x42);
	/* Queue 0's entry (1) is masked: pending, then sent on unmask. */
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_INTERRUPT, 1), 0);
	ck_assert_uint_eq(nr_msis, 1);
	ck_assert_uint_eq(rd(pba, 4), 1U << 1);
	ck_assert_uint_eq(rd(pba, 8), 1U << 1);
	wr(pba, 4, 0);					/* PBA is read-only */
	ck_assert_uint_eq(rd(pba, 4), 1U << 1);
	wr(HVP_VIRTIO_MSIX_OFFSET + 16 + 12, 4, 0);
	ck_assert_uint_eq(nr_msis, 2);
	ck_assert_uint_eq(msis[1].address, 0xfee01000U);
	ck_assert_uint_eq(msis[1].data, 0x41);
	ck_assert_uint_eq(rd(pba, 4), 0);

	/* The function mask holds everything; clearing it flushes. */
	msix_enable(MSIX_CTRL_ENABLE | MSIX_CTRL_FUNCTION_MASK);
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_INTERRUPT,
					HV_DEVCTL_CONFIG_BIT | 3), 0);
	ck_assert_uint_eq(nr_msis, 2);
	ck_assert_uint_eq(rd(pba, 4), 7);
	msix_enable(MSIX_CTRL_ENABLE);
	ck_assert_uint_eq(nr_msis, 5);
	ck_assert_uint_eq(rd(pba, 4), 0);

	/* No vector chosen: dropped. */
	select_queue(0);
	wr(HVP_VIRTIO_CC_QUEUE_MSIX_VECTOR, 2, VIRTIO_MSI_NO_VECTOR);
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_INTERRUPT, 1), 0);
	ck_assert_uint_eq(nr_msis, 5);
	ck_assert_uint_eq(rd(pba, 4), 0);
	/* A vector beyond the table reads back as none. */
	wr(HVP_VIRTIO_CC_QUEUE_MSIX_VECTOR, 2, 3);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_MSIX_VECTOR, 2), VIRTIO_MSI_NO_VECTOR);

	/* Entries beyond the table and narrow accesses are refused. */
	ck_assert_uint_eq(rd(HVP_VIRTIO_MSIX_OFFSET + 16 * 3, 4), 0xffffffffU);
	ck_assert_uint_eq(rd(HVP_VIRTIO_MSIX_OFFSET + 8, 2), 0xffff);
	wr(HVP_VIRTIO_MSIX_OFFSET + 8, 2, 0x99);
	ck_assert_uint_eq(rd(HVP_VIRTIO_MSIX_OFFSET + 8, 4), 0x40);
}
END_TEST

START_TEST(needs_reset)
{
	negotiate(FEATURES);
	wr(HVP_VIRTIO_CC_DEVICE_STATUS, 1, 0xf);
	wr(HVP_VIRTIO_CC_CONFIG_MSIX_VECTOR, 2, 0);
	msix_entry(0, 1, 0x50, false);
	msix_enable(MSIX_CTRL_ENABLE);
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_NEEDS_RESET, 0), 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_STATUS, 1), 0xf | VIRTIO_STATUS_NEEDS_RESET);
	ck_assert_uint_eq(nr_msis, 1);
	ck_assert_uint_eq(msis[0].data, 0x50);
	ck_assert_uint_eq(rd(HVP_VIRTIO_ISR_OFFSET, 1), 2);
	wr(HVP_VIRTIO_CC_DEVICE_STATUS, 1, 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_STATUS, 1), 0);
}
END_TEST

START_TEST(notify_posts_queue_bits)
{
	unsigned int i;

	ck_assert_int_eq(add_device(HV_VIRTIO_NET, 3, FEATURES), 1);
	for (i = 0; i < 10000; i++)
		vpci_io_write(d, BAR2 + 2, 2, 1);
	ck_assert_uint_eq(notify_posts, 10000);
	ck_assert_uint_eq(posted_notify, 1ULL << 1);
	/* Device 1's BAR2 follows device 0's; any width notifies. */
	vpci_io_write(d, BAR2 + HVP_VIRTIO_BAR2_SIZE + 4, 1, 0);
	vpci_io_write(d, BAR2 + HVP_VIRTIO_BAR2_SIZE, 4, 0);
	ck_assert_uint_eq(posted_notify, (1ULL << 1) | 1ULL << (8 + 2) | 1ULL << 8);
	/* No such queue, an odd port, a port between the BARs: nothing. */
	posted_notify = 0;
	vpci_io_write(d, BAR2 + 4, 2, 2);
	vpci_io_write(d, BAR2 + 1, 1, 0);
	vpci_io_write(d, BAR2 + 3 * HVP_VIRTIO_BAR2_SIZE, 2, 0);
	ck_assert_uint_eq(posted_notify, 0);
	ck_assert(vpci_is_io(BAR2) && !vpci_is_io(BAR2 - 1) &&
		  !vpci_is_io(BAR2 + HVP_PCI_IO_SIZE));
}
END_TEST

/* --- hostile forms ------------------------------------------------------------ */

START_TEST(hostile_queue_registers)
{
	negotiate(FEATURES);
	/* No such queue: size reads 0, writes change nothing. */
	select_queue(2);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_SIZE, 2), 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_MSIX_VECTOR, 2), VIRTIO_MSI_NO_VECTOR);
	wr(HVP_VIRTIO_CC_QUEUE_SIZE, 2, 16);
	wr(HVP_VIRTIO_CC_QUEUE_ENABLE, 2, 1);
	wr(HVP_VIRTIO_CC_QUEUE_DESC, 4, 0x1000);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_SIZE, 2), 0);
	select_queue(0xffff);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_SIZE, 2), 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_DESC, 4), 0);
	/* Sizes: not a power of two, above the maximum, zero. */
	select_queue(0);
	wr(HVP_VIRTIO_CC_QUEUE_SIZE, 2, 3);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_SIZE, 2), QUEUE_MAX);
	wr(HVP_VIRTIO_CC_QUEUE_SIZE, 2, QUEUE_MAX * 2);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_SIZE, 2), QUEUE_MAX);
	wr(HVP_VIRTIO_CC_QUEUE_SIZE, 2, 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_SIZE, 2), QUEUE_MAX);
	wr(HVP_VIRTIO_CC_QUEUE_SIZE, 2, 1);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_SIZE, 2), 1);
	/* Enable before the addresses: refused. */
	wr(HVP_VIRTIO_CC_QUEUE_DESC, 4, 0x1000);
	wr(HVP_VIRTIO_CC_QUEUE_ENABLE, 2, 1);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_ENABLE, 2), 0);
	/* Addresses outside RAM are the backend's to judge. */
	set_addresses(0, 0xfff0000000000ULL, 0xfff0000001000ULL, 0xfff0000002000ULL);
	wr(HVP_VIRTIO_CC_QUEUE_ENABLE, 2, 2);				/* only 1 enables */
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_ENABLE, 2), 0);
	wr(HVP_VIRTIO_CC_QUEUE_ENABLE, 2, 1);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_ENABLE, 2), 1);
	ck_assert_uint_gt(d->vpci.refused, 5);
}
END_TEST

START_TEST(hostile_widths_and_read_only)
{
	uint32_t refused;

	/* Read-only registers keep their value. */
	wr(HVP_VIRTIO_CC_DEVICE_FEATURE, 4, 0);
	wr(HVP_VIRTIO_CC_DEVICE_FEATURE_SELECT, 4, 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_FEATURE, 4), (uint32_t)FEATURES);
	wr(HVP_VIRTIO_CC_NUM_QUEUES, 2, 7);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_NUM_QUEUES, 2), 2);
	wr(HVP_VIRTIO_CC_CONFIG_GENERATION, 1, 5);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_CONFIG_GENERATION, 1), 0);
	wr(HVP_VIRTIO_CC_QUEUE_NOTIFY_OFF, 2, 5);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_NOTIFY_OFF, 2), 0);
	wr(HVP_VIRTIO_ISR_OFFSET, 1, 0xff);
	ck_assert_uint_eq(rd(HVP_VIRTIO_ISR_OFFSET, 1), 0);

	/* Bad widths and crossing: all-ones, no change. */
	refused = d->vpci.refused;
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_FEATURE, 2), 0xffff);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_NUM_QUEUES, 4), 0xffffffffU);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_STATUS, 2), 0xffff);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_FEATURE + 2, 4), 0xffffffffU);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_DESC, 8), ~0ULL);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_SIZE + 1, 1), 0xff);
	wr(HVP_VIRTIO_CC_DEVICE_STATUS, 4, S_ACK);
	wr(HVP_VIRTIO_CC_QUEUE_SELECT, 4, 1);
	wr(HVP_VIRTIO_CC_QUEUE_SIZE, 1, 16);
	wr(HVP_VIRTIO_CC_QUEUE_DESC, 8, 0x1000);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_DEVICE_STATUS, 1), 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_SELECT, 2), 0);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_SIZE, 2), QUEUE_MAX);
	ck_assert_uint_eq(rd(HVP_VIRTIO_CC_QUEUE_DESC, 4), 0);
	ck_assert_uint_eq(d->vpci.refused - refused, 10);
	/* Past the registers: reserved, reads 0. */
	ck_assert_uint_eq(rd(0x38, 4), 0);
	ck_assert_uint_eq(rd(0xffc, 4), 0);
	/* The window's empty parts read all-ones. */
	ck_assert_uint_eq(vpci_mmio_read(d, BAR0 + 2 * HVP_VIRTIO_BAR0_SIZE, 4),
			  0xffffffffU);
	ck_assert_uint_eq(vpci_mmio_read(d, BAR0 + 2 * HVP_VIRTIO_BAR0_SIZE, 8), ~0ULL);
}
END_TEST

START_TEST(device_add_and_ctl_refusals)
{
	struct hv_device_add add;
	unsigned int i;

	memset(&add, 0, sizeof(add));
	add.type = HV_VIRTIO_BLK;
	add.nr_queues = 1;
	add.queue_size = 128;
	add.features = VIRTIO_F_VERSION_1;
	add.type = 3;
	ck_assert_int_eq(virtio_pci_add(d, &add), -HV_EINVAL);
	add.type = HV_VIRTIO_BLK;
	add.nr_queues = 0;
	ck_assert_int_eq(virtio_pci_add(d, &add), -HV_EINVAL);
	add.nr_queues = HV_DEVICE_QUEUES_MAX + 1;
	ck_assert_int_eq(virtio_pci_add(d, &add), -HV_EINVAL);
	add.nr_queues = 1;
	add.queue_size = 96;
	ck_assert_int_eq(virtio_pci_add(d, &add), -HV_EINVAL);
	add.queue_size = HV_DEVICE_QUEUE_SIZE_MAX * 2;
	ck_assert_int_eq(virtio_pci_add(d, &add), -HV_EINVAL);
	add.queue_size = 1;
	ck_assert_int_eq(virtio_pci_add(d, &add), -HV_EINVAL);
	add.queue_size = 128;
	add.config_len = HV_DEVICE_CONFIG_MAX + 1;
	ck_assert_int_eq(virtio_pci_add(d, &add), -HV_EINVAL);
	add.config_len = 0;
	add.features = 1;
	ck_assert_int_eq(virtio_pci_add(d, &add), -HV_EINVAL);
	add.features = VIRTIO_F_VERSION_1;
	/* RAM beyond the low top is above 4 GiB: a big domain has devices. */
	dom.ram_bytes = 8ULL << 30;
	ck_assert_int_eq(virtio_pci_add(d, &add), 1);
	dom.ram_bytes = 64 << 20;
	ck_assert_uint_eq(d->vpci.nr_devices, 2);
	for (i = 2; i < HV_DOMAIN_DEVICES_MAX; i++)
		ck_assert_int_eq(virtio_pci_add(d, &add), i);
	ck_assert_int_eq(virtio_pci_add(d, &add), -HV_ENOSPC);
	/* Without device configuration there is no device capability. */
	ck_assert_uint_eq(walk_caps(2 << 3).count, 4);

	ck_assert_int_eq(virtio_pci_ctl(d, HV_DOMAIN_DEVICES_MAX, HV_DEVCTL_INTERRUPT, 1),
			 -HV_EINVAL);
	ck_assert_int_eq(virtio_pci_ctl(d, 0, 99, 0), -HV_EINVAL);
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_INTERRUPT, 1U << 2), -HV_EINVAL);
	ck_assert_int_eq(virtio_pci_ctl(d, 1, HV_DEVCTL_INTERRUPT, 1U << 1), -HV_EINVAL);
	ck_assert_int_eq(virtio_pci_ctl(d, 0, HV_DEVCTL_INTERRUPT, 3), 0);
}
END_TEST

Suite *virtio_pci_suite(void)
{
	Suite *s = suite_create("virtio_pci");
	TCase *tc = tcase_create("virtio");

	tcase_add_checked_fixture(tc, vpci_setup, NULL);
	tcase_add_test(tc, feature_negotiation);
	tcase_add_test(tc, feature_refusals);
	tcase_add_test(tc, queue_setup_is_published);
	tcase_add_test(tc, reset_without_backend);
	tcase_add_test(tc, reset_with_backend);
	tcase_add_test(tc, reset_of_a_fresh_device_is_immediate);
	tcase_add_test(tc, device_config_is_read_only);
	tcase_add_test(tc, msix_masking_and_pending);
	tcase_add_test(tc, needs_reset);
	tcase_add_test(tc, notify_posts_queue_bits);
	tcase_add_test(tc, hostile_queue_registers);
	tcase_add_test(tc, hostile_widths_and_read_only);
	tcase_add_test(tc, device_add_and_ctl_refusals);
	suite_add_tcase(s, tc);
	return s;
}
