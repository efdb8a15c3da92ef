/* SPDX-License-Identifier: GPL-2.0-only */
/* dom0's control of customer domains (common/domctl.c). */
#ifndef HV_DOMCTL_H
#define HV_DOMCTL_H

#include <public/hvabi.h>
#include <lib/types.h>

/* Each takes the caller's checked buffer and its size; returns for RAX. */
int64_t domctl_create(struct hv_domain_create *req);
int64_t domctl_write(struct hv_domain_write *req, uint64_t buf_size);
int64_t domctl_boot(struct hv_domain_boot *req, uint64_t buf_size);
int64_t domctl_ctl(const struct hv_domain_ctl *req);
int64_t domctl_console(struct hv_domain_console *req, uint64_t buf_size);
int64_t domctl_sched(struct hv_domain_sched *req);
int64_t domctl_vcpu_affinity(struct hv_vcpu_affinity *req);
int64_t domctl_input(struct hv_domain_input *req, uint64_t buf_size);
/* HVCALL_BACKEND_BIND: finds the domain (a dying one too), backend.c binds. */
int64_t domctl_backend_bind(struct hv_backend_bind *req, uint64_t buf_size);

#endif
