/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nft.h - installing rules.h's tables in the kernel through libnftnl, in
 * one nftables transaction each, and reading their counters back.
 */
#ifndef HV_NETFILTER_NFT_H
#define HV_NETFILTER_NFT_H

#include <stdbool.h>
#include <stdint.h>

#include "rules.h"

struct nf_count {
	uint64_t packets, bytes;
};

/* Replaces the tables named in set (and, with remove_other_family, the
 * server's table in the family set does not have) by set's contents, in
 * ONE batch: add-table (so the delete cannot fail), delete-table, then the
 * new table, its counters, chains and rules.  keep: counters to carry over
 * (same name and family), or NULL.  Returns 0, or -1 with err. */
int nft_replace(const struct nf_ruleset *set, const char *ifname,
		bool remove_other_family, char *err);

/* Deletes the tables named "hv_<ifname>" of both families, in one batch;
 * a table that does not exist is not an error. */
int nft_remove(const char *ifname, char *err);

/* Reads a named counter; returns 0, 1 if the table or counter does not
 * exist, -1 with err on other errors. */
int nft_counter(int family, const char *table, const char *name,
		struct nf_count *out, char *err);

/* Calls fn for each netdev table named hv_<ifname>; 0 or -1 with err. */
int nft_list(void (*fn)(const char *ifname, void *arg), void *arg, char *err);

#endif
