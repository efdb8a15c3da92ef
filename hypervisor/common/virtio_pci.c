// SPDX-License-Identifier: GPL-2.0-only
/*
 * The registers of a customer domain's virtio-pci devices (see
 * hv/virtio_pci.h and docs/virtio.md): what lies behind each function's
 * BAR0 (common configuration, ISR, device configuration, MSI-X table and
 * PBA) and BAR2 (queue notify).
 *
 * What it promises:
 *  - No guest access waits on dom0.  The hypervisor holds the common
 *    configuration and tells the backend about changes afterwards, through
 *    the backend page (struct hv_device_state, written with the seq
 *    protocol, then the device's changed bit posted).
 *  - The status state machine of virtio 1.2 (2.1, 3.1.1): the driver only
 *    adds bits; FEATURES_OK is refused (stays clear) if the driver accepted
 *    a feature the device did not offer or did not accept VERSION_1;
 *    DRIVER_OK needs FEATURES_OK.  Writing 0 resets: with a backend bound
 *    and a status that was not 0, the device reads back its old status
 *    until the backend answers HV_DEVCTL_RESET_DONE (the driver polls for
 *    0, as the spec says it must); with none, or from status 0, at once.
 *  - Every register is accessed at its natural width (64-bit addresses as
 *    two 32-bit halves).  Any other form, a read-only register written, a
 *    queue register with no queue selected, a queue size that is not a
 *    power of two up to the maximum, and an enable with addresses unset
 *    are refused: writes change nothing, reads give all-ones (no queue
 *    selected: 0, as the spec says for queue_size), with a rate-limited
 *    log line.  Queue addresses are not checked against the domain's RAM:
 *    the backend judges what it reads.
 *  - A notify completes at once and posts the queue's bit to the backend.
 */
#include <public/hvplatform.h>
#include <hv/arch.h>
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/virtio_pci.h>
#include <lib/string.h>

/* The BARs lie in the MMIO hole, where no domain has RAM. */
_Static_assert(HVP_RAM_LOW_TOP <= HVP_PCI_MMIO_BASE &&
	       HVP_PCI_MMIO_BASE + HVP_PCI_MMIO_SIZE <= HVP_IOAPIC_BASE &&
	       HVP_LAPIC_BASE < HVP_RAM_HIGH_BASE,
	       "the PCI window, IOAPIC and LAPIC are in the RAM hole");

/* The common configuration (virtio 1.2, 4.1.4.3): register offsets. */

#define ISR_QUEUE		1
#define ISR_CONFIG		2

/*
 * The width of the common configuration register that starts at offset,
 * or 0 when none does.
 */
static unsigned int cc_width(uint32_t offset)
{
	unsigned int width;

	if (offset >= HVP_VIRTIO_CC_END)
		return 0;
	if (offset == HVP_VIRTIO_CC_DEVICE_STATUS || offset == HVP_VIRTIO_CC_CONFIG_GENERATION)
		return 1;
	if (offset < HVP_VIRTIO_CC_CONFIG_MSIX_VECTOR || offset >= HVP_VIRTIO_CC_QUEUE_DESC)
		width = 4;
	else
		width = 2;
	return offset % width ? 0 : width;
}

static uint64_t ones(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

void virtio_pci_dev_init(struct virtio_dev *dev, const struct hv_device_add *add,
			 unsigned int index)
{
	unsigned int q;

	memset(dev, 0, sizeof(*dev));
	dev->type = add->type;
	dev->nr_queues = (uint16_t)add->nr_queues;
	dev->max_queue_size = (uint16_t)add->queue_size;
	dev->device_features = add->features;
	dev->config_len = add->config_len;
	memcpy(dev->config, add->config, add->config_len);

	/* Placed as firmware would (hvplatform.h), decoding on. */
	dev->bar0 = (uint32_t)(HVP_PCI_MMIO_BASE + index * HVP_VIRTIO_BAR0_SIZE);
	dev->bar2 = (HVP_PCI_IO_BASE + index * HVP_VIRTIO_BAR2_SIZE) | 1;
	dev->command = 0x3;	/* I/O and memory decoding */

	dev->config_msix_vector = VIRTIO_MSI_NO_VECTOR;
	for (q = 0; q < HV_DEVICE_QUEUES_MAX; q++) {
		dev->vq[q].size = q < dev->nr_queues ? dev->max_queue_size : 0;
		dev->vq[q].msix_vector = VIRTIO_MSI_NO_VECTOR;
	}
	for (q = 0; q < VPCI_MSIX_ENTRIES; q++)
		dev->msix[q].control = MSIX_VECTOR_MASKED;
}

/* --- Telling the backend ---------------------------------------------- */

static void publish(struct domain *d, unsigned int index)
{
	struct hv_backend_page *page = backend_page(d);
	const struct virtio_dev *dev = &d->vpci.dev[index];
	struct hv_device_state *s;
	uint32_t seq;

	if (!page)
		return;
	s = &page->dev[index];
	/* dom0 could scribble on seq: make it odd, whatever it holds. */
	seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED) | 1;
	__atomic_store_n(&s->seq, seq, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	s->status = dev->reset_pending ? 0 : dev->status;
	s->driver_features = dev->driver_features;
	s->reset = dev->reset_pending;
	memcpy(s->vq, dev->vq, sizeof(s->vq));
	__atomic_store_n(&s->seq, seq + 1, __ATOMIC_RELEASE);
	backend_post_changed(d, 1ULL << index);
}

void virtio_pci_publish_all(struct domain *d)
{
	struct hv_backend_page *page = backend_page(d);
	unsigned int i;

	if (!page)
		return;
	page->nr_devices = d->vpci.nr_devices;
	for (i = 0; i < d->vpci.nr_devices; i++)
		publish(d, i);
}

/* Back to the state after DEVICE_ADD, as far as the driver sees it. */
static void reset_now(struct virtio_dev *dev)
{
	unsigned int q;

	dev->reset_pending = false;
	dev->status = 0;
	dev->device_feature_select = 0;
	dev->driver_feature_select = 0;
	dev->driver_features = 0;
	dev->config_msix_vector = VIRTIO_MSI_NO_VECTOR;
	dev->queue_select = 0;
	dev->isr = 0;
	dev->msix_pending = 0;	/* messages of the old driver's session */
	for (q = 0; q < HV_DEVICE_QUEUES_MAX; q++) {
		memset(&dev->vq[q], 0, sizeof(dev->vq[q]));
		dev->vq[q].size = q < dev->nr_queues ? dev->max_queue_size : 0;
		dev->vq[q].msix_vector = VIRTIO_MSI_NO_VECTOR;
	}
}

void virtio_pci_backend_gone(struct domain *d)
{
	unsigned int i;

	for (i = 0; i < d->vpci.nr_devices; i++)
		if (d->vpci.dev[i].reset_pending)
			reset_now(&d->vpci.dev[i]);
}

/* --- MSI-X ---------------------------------------------------------------- */

static void msix_send(struct domain *d, struct virtio_dev *dev,
		      unsigned int entry)
{
	const struct msix_entry *e = &dev->msix[entry];

	if ((dev->msix_control & MSIX_CTRL_FUNCTION_MASK) ||
	    (e->control & MSIX_VECTOR_MASKED)) {
		dev->msix_pending |= 1U << entry;
		return;
	}
	dev->msix_pending &= ~(1U << entry);
	arch_msi_deliver(d, (uint64_t)e->address_hi << 32 | e->address_lo,
			 e->data);
}

/* Pending messages whose mask is gone go out now. */
static void msix_flush(struct domain *d, struct virtio_dev *dev)
{
	unsigned int n;

	if (!(dev->msix_control & MSIX_CTRL_ENABLE))
		return;
	for (n = 0; n <= dev->nr_queues; n++)
		if (dev->msix_pending & (1U << n))
			msix_send(d, dev, n);
}

void virtio_pci_msix_control(struct domain *d, unsigned int index,
			     uint16_t control)
{
	(void)control;	/* already in dev->msix_control */
	msix_flush(d, &d->vpci.dev[index]);
}

/* Raises a queue's (isr_bit ISR_QUEUE) or the configuration's interrupt. */
static void interrupt(struct domain *d, struct virtio_dev *dev,
		      uint16_t vector, uint8_t isr_bit)
{
	dev->isr |= isr_bit;
	if (!(dev->msix_control & MSIX_CTRL_ENABLE))
		return;		/* no INTx: the ISR is all a driver can see */
	if (vector == VIRTIO_MSI_NO_VECTOR || vector > dev->nr_queues)
		return;		/* the driver chose none */
	msix_send(d, dev, vector);
}

static uint64_t msix_read(const struct virtio_dev *dev, uint32_t offset,
			  unsigned int size)
{
	unsigned int entry = offset / 16;
	uint32_t value;

	if (size != 4 || offset % 4 || entry > dev->nr_queues)
		return ones(size);
	memcpy(&value, (const uint8_t *)&dev->msix[entry] + offset % 16, 4);
	return value;
}

static void msix_write(struct domain *d, struct virtio_dev *dev,
		       uint32_t offset, unsigned int size, uint32_t value)
{
	unsigned int entry = offset / 16;
	struct msix_entry *e;

	if (size != 4 || offset % 4 || entry > dev->nr_queues) {
		vpci_refuse(d, "MSI-X table access", offset);
		return;
	}
	e = &dev->msix[entry];
	switch (offset % 16) {
	case 0:
		e->address_lo = value;
		break;
	case 4:
		e->address_hi = value;
		break;
	case 8:
		e->data = value;
		break;
	case 12:
		e->control = value & MSIX_VECTOR_MASKED;
		if (!e->control && (dev->msix_pending & (1U << entry)) &&
		    (dev->msix_control & MSIX_CTRL_ENABLE))
			msix_send(d, dev, entry);
		break;
	}
}

/* --- The common configuration ----------------------------------------- */

static struct hv_vq_config *selected_queue(struct virtio_dev *dev)
{
	return dev->queue_select < dev->nr_queues ?
	       &dev->vq[dev->queue_select] : NULL;
}

static uint32_t common_read(struct virtio_dev *dev, uint32_t offset)
{
	struct hv_vq_config *vq = selected_queue(dev);
	unsigned int half = (offset - HVP_VIRTIO_CC_QUEUE_DESC) % 8 ? 32 : 0;

	switch (offset) {
	case HVP_VIRTIO_CC_DEVICE_FEATURE_SELECT:
		return dev->device_feature_select;
	case HVP_VIRTIO_CC_DEVICE_FEATURE:
		return dev->device_feature_select < 2 ?
		       (uint32_t)(dev->device_features >>
				  (32 * dev->device_feature_select)) : 0;
	case HVP_VIRTIO_CC_DRIVER_FEATURE_SELECT:
		return dev->driver_feature_select;
	case HVP_VIRTIO_CC_DRIVER_FEATURE:
		return dev->driver_feature_select < 2 ?
		       (uint32_t)(dev->driver_features >>
				  (32 * dev->driver_feature_select)) : 0;
	case HVP_VIRTIO_CC_CONFIG_MSIX_VECTOR:
		return dev->config_msix_vector;
	case HVP_VIRTIO_CC_NUM_QUEUES:
		return dev->nr_queues;
	case HVP_VIRTIO_CC_DEVICE_STATUS:
		return dev->status;	/* the old one while a reset is pending */
	case HVP_VIRTIO_CC_CONFIG_GENERATION:
		return dev->config_generation;
	case HVP_VIRTIO_CC_QUEUE_SELECT:
		return dev->queue_select;
	}
	if (!vq)		/* no such queue: size 0 says so (4.1.4.3) */
		return offset == HVP_VIRTIO_CC_QUEUE_MSIX_VECTOR ? VIRTIO_MSI_NO_VECTOR : 0;
	switch (offset) {
	case HVP_VIRTIO_CC_QUEUE_SIZE:
		return vq->size;
	case HVP_VIRTIO_CC_QUEUE_MSIX_VECTOR:
		return vq->msix_vector;
	case HVP_VIRTIO_CC_QUEUE_ENABLE:
		return vq->enabled;
	case HVP_VIRTIO_CC_QUEUE_NOTIFY_OFF:
		return dev->queue_select;
	case HVP_VIRTIO_CC_QUEUE_DESC:
	case HVP_VIRTIO_CC_QUEUE_DESC + 4:
		return (uint32_t)(vq->desc >> half);
	case HVP_VIRTIO_CC_QUEUE_DRIVER:
	case HVP_VIRTIO_CC_QUEUE_DRIVER + 4:
		return (uint32_t)(vq->driver >> half);
	default:		/* HVP_VIRTIO_CC_QUEUE_DEVICE and its high half */
		return (uint32_t)(vq->device >> half);
	}
}

static void set_half(uint64_t *field, unsigned int half, uint32_t value)
{
	*field = (*field & ~(0xffffffffULL << half)) | (uint64_t)value << half;
}

static bool power_of_two(uint32_t n)
{
	return n && !(n & (n - 1));
}

/* A status write other than 0 (reset, handled by the caller). */
static void status_write(struct domain *d, struct virtio_dev *dev,
			 uint8_t status, uint32_t where)
{
	uint8_t added;

	/* NEEDS_RESET is the device's to set; the driver's copy is ignored. */
	status = (uint8_t)((status & ~VIRTIO_STATUS_NEEDS_RESET) |
			   (dev->status & VIRTIO_STATUS_NEEDS_RESET));
	if (dev->status & ~status) {
		vpci_refuse(d, "device_status clearing bits", where);
		return;
	}
	added = status & ~dev->status;
	if ((added & VIRTIO_STATUS_FEATURES_OK) &&
	    ((dev->driver_features & ~dev->device_features) ||
	     !(dev->driver_features & VIRTIO_F_VERSION_1))) {
		/* Refused: the driver reads FEATURES_OK back clear. */
		status &= ~VIRTIO_STATUS_FEATURES_OK;
	}
	if ((status & VIRTIO_STATUS_DRIVER_OK) &&
	    !(status & VIRTIO_STATUS_FEATURES_OK)) {
		vpci_refuse(d, "DRIVER_OK without FEATURES_OK", where);
		status &= ~VIRTIO_STATUS_DRIVER_OK;
	}
	dev->status = status;
}

/* Returns whether the backend must hear of the change. */
static bool common_write(struct domain *d, struct virtio_dev *dev,
			 uint32_t offset, uint32_t value, uint32_t where)
{
	struct hv_vq_config *vq = selected_queue(dev);
	unsigned int half = (offset - HVP_VIRTIO_CC_QUEUE_DESC) % 8 ? 32 : 0;

	switch (offset) {
	case HVP_VIRTIO_CC_DEVICE_FEATURE_SELECT:
		dev->device_feature_select = value;
		return false;
	case HVP_VIRTIO_CC_DRIVER_FEATURE_SELECT:
		dev->driver_feature_select = value;
		return false;
	case HVP_VIRTIO_CC_DRIVER_FEATURE:
		if (dev->status & VIRTIO_STATUS_FEATURES_OK) {
			vpci_refuse(d, "driver_feature after FEATURES_OK", where);
			return false;
		}
		if (dev->driver_feature_select >= 2)
			return false;	/* no features up there: ignored */
		set_half(&dev->driver_features,
			 32 * dev->driver_feature_select, value);
		return true;
	case HVP_VIRTIO_CC_CONFIG_MSIX_VECTOR:
		dev->config_msix_vector = value <= dev->nr_queues ?
			(uint16_t)value : VIRTIO_MSI_NO_VECTOR;
		return false;
	case HVP_VIRTIO_CC_DEVICE_STATUS:
		if (value == 0) {
			/*
			 * Nothing set up (status 0: a driver's first reset at
			 * probe): the backend holds nothing of this device,
			 * and the driver, which reads 0 at once, goes on
			 * writing registers that a pending reset would drop
			 * (its feature select: it then read no VERSION_1).
			 */
			if (!backend_page(d) || dev->status == 0) {
				reset_now(dev);
				return backend_page(d) != NULL;
			}
			dev->reset_pending = true;
			return true;
		}
		status_write(d, dev, (uint8_t)value, where);
		return true;
	case HVP_VIRTIO_CC_QUEUE_SELECT:
		dev->queue_select = (uint16_t)value;
		return false;
	case HVP_VIRTIO_CC_DEVICE_FEATURE:
	case HVP_VIRTIO_CC_NUM_QUEUES:
	case HVP_VIRTIO_CC_CONFIG_GENERATION:
	case HVP_VIRTIO_CC_QUEUE_NOTIFY_OFF:
		vpci_refuse(d, "write to a read-only register", where);
		return false;
	}
	if (!vq) {
		vpci_refuse(d, "queue register with no such queue selected", where);
		return false;
	}
	if (vq->enabled) {
		/* The spec's driver sets a queue up before enabling it. */
		vpci_refuse(d, "queue register of an enabled queue", where);
		return false;
	}
	switch (offset) {
	case HVP_VIRTIO_CC_QUEUE_SIZE:
		if (!power_of_two(value) || value > dev->max_queue_size) {
			vpci_refuse(d, "queue_size not a power of two up to the maximum",
				    where);
			return false;
		}
		vq->size = (uint16_t)value;
		return true;
	case HVP_VIRTIO_CC_QUEUE_MSIX_VECTOR:
		vq->msix_vector = value <= dev->nr_queues ?
			(uint16_t)value : VIRTIO_MSI_NO_VECTOR;
		return true;
	case HVP_VIRTIO_CC_QUEUE_ENABLE:
		if (value != 1) {
			vpci_refuse(d, "queue_enable other than 1", where);
			return false;
		}
		if (!vq->desc || !vq->driver || !vq->device) {
			vpci_refuse(d, "queue_enable before its addresses", where);
			return false;
		}
		vq->enabled = 1;
		return true;
	case HVP_VIRTIO_CC_QUEUE_DESC:
	case HVP_VIRTIO_CC_QUEUE_DESC + 4:
		set_half(&vq->desc, half, value);
		return true;
	case HVP_VIRTIO_CC_QUEUE_DRIVER:
	case HVP_VIRTIO_CC_QUEUE_DRIVER + 4:
		set_half(&vq->driver, half, value);
		return true;
	default:		/* HVP_VIRTIO_CC_QUEUE_DEVICE and its high half */
		set_half(&vq->device, half, value);
		return true;
	}
}

/* --- BAR0 and BAR2 -------------------------------------------------------- */

uint64_t virtio_pci_bar0_read(struct domain *d, unsigned int index,
			      uint32_t offset, unsigned int size)
{
	struct virtio_dev *dev = &d->vpci.dev[index];
	uint64_t value = 0;

	if (offset < HVP_VIRTIO_ISR_OFFSET) {
		if (offset >= HVP_VIRTIO_CC_END)
			return 0;	/* reserved: reads 0 */
		if (cc_width(offset) != size) {
			vpci_refuse(d, "common configuration access width",
				    offset);
			return ones(size);
		}
		return common_read(dev, offset);
	}
	if (offset < HVP_VIRTIO_DEVICE_OFFSET) {
		if (offset == HVP_VIRTIO_ISR_OFFSET && size == 1) {
			value = dev->isr;
			dev->isr = 0;	/* reading acknowledges */
		}
		return value;
	}
	if (offset < HVP_VIRTIO_MSIX_OFFSET) {
		offset -= HVP_VIRTIO_DEVICE_OFFSET;
		if (size > 8 || offset % size ||
		    offset + size > dev->config_len)
			return ones(size);
		memcpy(&value, dev->config + offset, size);
		return value;
	}
	if (offset < HVP_VIRTIO_PBA_OFFSET)
		return msix_read(dev, offset - HVP_VIRTIO_MSIX_OFFSET, size);
	offset -= HVP_VIRTIO_PBA_OFFSET;
	if (offset % size || offset + size > 8)
		return offset < 8 ? ones(size) : 0;
	return ((uint64_t)dev->msix_pending >> (8 * offset)) & ones(size);
}

void virtio_pci_bar0_write(struct domain *d, unsigned int index,
			   uint32_t offset, unsigned int size, uint64_t value)
{
	struct virtio_dev *dev = &d->vpci.dev[index];

	if (offset < HVP_VIRTIO_ISR_OFFSET) {
		if (offset >= HVP_VIRTIO_CC_END)
			return;
		if (cc_width(offset) != size) {
			vpci_refuse(d, "common configuration access width",
				    offset);
			return;
		}
		if (dev->reset_pending)
			return;		/* the driver waits for status 0 */
		if (common_write(d, dev, offset, (uint32_t)value, offset))
			publish(d, index);
		return;
	}
	if (offset >= HVP_VIRTIO_MSIX_OFFSET && offset < HVP_VIRTIO_PBA_OFFSET) {
		msix_write(d, dev, offset - HVP_VIRTIO_MSIX_OFFSET, size,
			   (uint32_t)value);
		return;
	}
	/* ISR, device configuration and PBA are read-only to the guest. */
	if (offset < HVP_VIRTIO_DEVICE_OFFSET || offset >= HVP_VIRTIO_PBA_OFFSET)
		vpci_refuse(d, "write to a read-only virtio region", offset);
}

void virtio_pci_notify(struct domain *d, unsigned int index, uint32_t offset)
{
	unsigned int q = offset / HVP_VIRTIO_NOTIFY_MULTIPLIER;

	if (offset % HVP_VIRTIO_NOTIFY_MULTIPLIER ||
	    q >= d->vpci.dev[index].nr_queues) {
		vpci_refuse(d, "notify of no queue", offset);
		return;
	}
	backend_post_notify(d, 1ULL << (index * HV_DEVICE_QUEUES_MAX + q));
}

/* --- The hypercalls ------------------------------------------------------- */

int64_t virtio_pci_add(struct domain *d, const struct hv_device_add *add)
{
	unsigned int index = d->vpci.nr_devices;

	if ((add->type != HV_VIRTIO_NET && add->type != HV_VIRTIO_BLK) ||
	    add->nr_queues < 1 || add->nr_queues > HV_DEVICE_QUEUES_MAX ||
	    add->queue_size < 2 || add->queue_size > HV_DEVICE_QUEUE_SIZE_MAX ||
	    !power_of_two(add->queue_size) ||
	    add->config_len > HV_DEVICE_CONFIG_MAX ||
	    !(add->features & VIRTIO_F_VERSION_1))
		return -HV_EINVAL;
	if (index >= HV_DOMAIN_DEVICES_MAX)
		return -HV_ENOSPC;
	virtio_pci_dev_init(&d->vpci.dev[index], add, index);
	d->vpci.nr_devices = index + 1;
	if (backend_page(d)) {
		backend_page(d)->nr_devices = d->vpci.nr_devices;
		publish(d, index);
	}
	return index;
}

int64_t virtio_pci_ctl(struct domain *d, unsigned int index, uint32_t op,
		       uint32_t arg)
{
	struct virtio_dev *dev;
	unsigned int q;

	if (index >= d->vpci.nr_devices)
		return -HV_EINVAL;
	dev = &d->vpci.dev[index];
	switch (op) {
	case HV_DEVCTL_INTERRUPT:
		if (arg & ~HV_DEVCTL_CONFIG_BIT & ~((1U << dev->nr_queues) - 1))
			return -HV_EINVAL;
		if (dev->reset_pending)
			return 0;	/* the driver is gone */
		for (q = 0; q < dev->nr_queues; q++)
			if (arg & (1U << q))
				interrupt(d, dev, dev->vq[q].msix_vector,
					  ISR_QUEUE);
		if (arg & HV_DEVCTL_CONFIG_BIT)
			interrupt(d, dev, dev->config_msix_vector, ISR_CONFIG);
		return 0;
	case HV_DEVCTL_RESET_DONE:
		if (dev->reset_pending) {
			reset_now(dev);
			publish(d, index);
		}
		return 0;
	case HV_DEVCTL_NEEDS_RESET:
		if (dev->reset_pending || !dev->status)
			return 0;	/* nothing set up to fail */
		dev->status |= VIRTIO_STATUS_NEEDS_RESET;
		publish(d, index);
		interrupt(d, dev, dev->config_msix_vector, ISR_CONFIG);
		return 0;
	}
	return -HV_EINVAL;
}
