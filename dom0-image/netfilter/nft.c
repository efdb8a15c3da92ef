// SPDX-License-Identifier: GPL-2.0-only
/*
 * nft.c - rules.h's tables into the kernel with libnftnl + libmnl.
 *
 * Every change is one nftables batch (NFNL_MSG_BATCH_BEGIN .. END), which
 * the kernel applies as a transaction: all of it or none of it, and no
 * packet ever sees a half-applied state.  Replacing a server's rules is
 * "add table; delete table; add table + contents" in that batch: the
 * first add makes the delete valid when the table does not exist yet, so
 * the same command works for a first apply and for every later one, and
 * applying the same configuration twice leaves the same ruleset.
 *
 * Counters carry over a replace: their values are read just before the
 * batch and the new counter objects start from them (a frame counted
 * between the read and the commit is lost; at most a few per apply).
 *
 * Every message asks for an acknowledgement, and the reply loop waits for
 * exactly one per message, so an error anywhere in the batch is reported
 * with the reason the kernel gave.
 */
#include "nft.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/time.h>
#include <time.h>

#define NFT_SOCKET_TIMEOUT_S 10

struct nft_session {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	struct nftnl_batch *batch;
	unsigned messages;	/* messages in the batch that expect an ack */
};

static int session_open(struct nft_session *s, char *err)
{
	memset(s, 0, sizeof(*s));
	s->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!s->nl || mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, NF_ERR_LEN, "netfilter netlink socket: %s", strerror(errno));
		if (s->nl)
			mnl_socket_close(s->nl);
		return -1;
	}
	struct timeval tv = { .tv_sec = NFT_SOCKET_TIMEOUT_S };
	setsockopt(mnl_socket_get_fd(s->nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	s->portid = mnl_socket_get_portid(s->nl);
	s->seq = time(NULL);
	return 0;
}

static void session_close(struct nft_session *s)
{
	if (s->batch)
		nftnl_batch_free(s->batch);
	mnl_socket_close(s->nl);
}

/* Waits for `expected` acks (or errors); returns 0 or -1 with the first
 * error the kernel reported. */
static int wait_acks(struct nft_session *s, unsigned expected, char *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int first_error = 0;

	while (expected > 0) {
		int n = mnl_socket_recvfrom(s->nl, buf, sizeof(buf));
		if (n < 0) {
			snprintf(err, NF_ERR_LEN, "no answer from nftables: %s", strerror(errno));
			return -1;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; mnl_nlmsg_ok(h, n);
		     h = mnl_nlmsg_next(h, &n)) {
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			if (e->error && !first_error)
				first_error = -e->error;
			expected--;
		}
	}
	if (first_error) {
		snprintf(err, NF_ERR_LEN, "nftables refused the change: %s",
			 strerror(first_error));
		return -1;
	}
	return 0;
}

static struct nlmsghdr *msg(struct nft_session *s, uint16_t type, int family,
			    uint16_t flags)
{
	struct nlmsghdr *h = nftnl_nlmsg_build_hdr(nftnl_batch_buffer(s->batch), type,
						   family, flags | NLM_F_ACK, s->seq++);
	s->messages++;
	return h;
}

static void next(struct nft_session *s)
{
	nftnl_batch_update(s->batch);
}

static void put_table(struct nft_session *s, int family, const char *name,
		      uint16_t type, uint16_t flags)
{
	struct nftnl_table *t = nftnl_table_alloc();
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, family);
	nftnl_table_nlmsg_build_payload(msg(s, type, family, flags), t);
	nftnl_table_free(t);
	next(s);
}

static void put_counter(struct nft_session *s, const struct nf_table *tb,
			const char *name, const struct nf_count *start)
{
	struct nftnl_obj *o = nftnl_obj_alloc();
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, tb->name);
	nftnl_obj_set_str(o, NFTNL_OBJ_NAME, name);
	nftnl_obj_set_u32(o, NFTNL_OBJ_FAMILY, tb->family);
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
	nftnl_obj_set_u64(o, NFTNL_OBJ_CTR_PKTS, start->packets);
	nftnl_obj_set_u64(o, NFTNL_OBJ_CTR_BYTES, start->bytes);
	nftnl_obj_nlmsg_build_payload(msg(s, NFT_MSG_NEWOBJ, tb->family,
					  NLM_F_CREATE | NLM_F_EXCL), o);
	nftnl_obj_free(o);
	next(s);
}

static void put_chain(struct nft_session *s, const struct nf_table *tb,
		      const struct nf_chain *c)
{
	struct nftnl_chain *ch = nftnl_chain_alloc();
	nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, tb->name);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, c->name);
	nftnl_chain_set_u32(ch, NFTNL_CHAIN_FAMILY, tb->family);
	if (c->base) {
		nftnl_chain_set_str(ch, NFTNL_CHAIN_TYPE, c->type);
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_HOOKNUM, c->hook);
		nftnl_chain_set_s32(ch, NFTNL_CHAIN_PRIO, c->priority);
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_POLICY,
				    c->policy_drop ? NF_DROP : NF_ACCEPT);
		if (c->has_device)
			nftnl_chain_set_str(ch, NFTNL_CHAIN_DEV, tb->device);
	}
	nftnl_chain_nlmsg_build_payload(msg(s, NFT_MSG_NEWCHAIN, tb->family,
					    NLM_F_CREATE | NLM_F_EXCL), ch);
	nftnl_chain_free(ch);
	next(s);
}

/* A match: load into register 1, mask it if asked, compare. */
static void add_match_exprs(struct nftnl_rule *r, const struct nf_match *m)
{
	struct nftnl_expr *e;

	if (m->source == NF_FIB) {
		e = nftnl_expr_alloc("fib");
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, m->key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
		nftnl_rule_add_expr(r, e);
		e = nftnl_expr_alloc("cmp");
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, m->value, m->len);
		nftnl_rule_add_expr(r, e);
		return;
	}

	if (m->source == NF_PAYLOAD) {
		e = nftnl_expr_alloc("payload");
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, m->base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, m->key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, m->len);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	} else if (m->source == NF_META) {
		e = nftnl_expr_alloc("meta");
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, m->key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	} else {
		e = nftnl_expr_alloc("ct");
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, m->key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	}
	nftnl_rule_add_expr(r, e);

	if (m->masked) {
		static const uint8_t zero[NF_VALUE_MAX];
		e = nftnl_expr_alloc("bitwise");
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, m->len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, m->mask, m->len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, m->len);
		nftnl_rule_add_expr(r, e);
	}

	e = nftnl_expr_alloc("cmp");
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP,
			   m->op == NF_OP_EQ ? NFT_CMP_EQ : m->op == NF_OP_NE ? NFT_CMP_NEQ :
			   m->op == NF_OP_GTE ? NFT_CMP_GTE : NFT_CMP_LTE);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, m->value, m->len);
	nftnl_rule_add_expr(r, e);
}

static void put_rule(struct nft_session *s, const struct nf_table *tb,
		     const struct nf_rule *rl)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *e;

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, tb->name);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, tb->chains[rl->chain].name);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, tb->family);
	for (unsigned i = 0; i < rl->nmatch; i++)
		add_match_exprs(r, &rl->match[i]);
	if (rl->counter) {
		e = nftnl_expr_alloc("objref");
		nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_COUNTER);
		nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, rl->counter);
		nftnl_rule_add_expr(r, e);
	}
	if (rl->verdict == NF_V_MASQUERADE) {
		nftnl_rule_add_expr(r, nftnl_expr_alloc("masq"));
	} else if (rl->verdict == NF_V_DNAT) {
		uint16_t port = htons(rl->dnat_port);
		e = nftnl_expr_alloc("immediate");
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
		nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, rl->dnat_addr, 4);
		nftnl_rule_add_expr(r, e);
		e = nftnl_expr_alloc("immediate");
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_2);
		nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, &port, 2);
		nftnl_rule_add_expr(r, e);
		e = nftnl_expr_alloc("nat");
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_2);
		nftnl_rule_add_expr(r, e);
	} else {
		e = nftnl_expr_alloc("immediate");
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		switch (rl->verdict) {
		case NF_V_ACCEPT:
			nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_ACCEPT);
			break;
		case NF_V_DROP:
			nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_DROP);
			break;
		case NF_V_RETURN:
			nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NFT_RETURN);
			break;
		case NF_V_JUMP:
			nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NFT_JUMP);
			nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN,
					   tb->chains[rl->target_chain].name);
			break;
		case NF_V_MASQUERADE:
		case NF_V_DNAT:
			break;
		}
		nftnl_rule_add_expr(r, e);
	}
	nftnl_rule_nlmsg_build_payload(msg(s, NFT_MSG_NEWRULE, tb->family,
					   NLM_F_CREATE | NLM_F_APPEND), r);
	nftnl_rule_free(r);
	next(s);
}

static void batch_start(struct nft_session *s)
{
	s->batch = nftnl_batch_alloc(MNL_SOCKET_BUFFER_SIZE, MNL_SOCKET_BUFFER_SIZE);
	nftnl_batch_begin(nftnl_batch_buffer(s->batch), s->seq++);
	next(s);
}

static int batch_send(struct nft_session *s, char *err)
{
	nftnl_batch_end(nftnl_batch_buffer(s->batch), s->seq++);
	next(s);
	/* The batch may span several pages: send them as one message. */
	int n = nftnl_batch_iovec_len(s->batch);
	struct iovec iov[n];
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct msghdr m = { .msg_name = &kernel, .msg_namelen = sizeof(kernel),
			    .msg_iov = iov, .msg_iovlen = n };
	nftnl_batch_iovec(s->batch, iov, n);
	if (sendmsg(mnl_socket_get_fd(s->nl), &m, 0) < 0) {
		snprintf(err, NF_ERR_LEN, "sending to nftables: %s", strerror(errno));
		return -1;
	}
	return wait_acks(s, s->messages, err);
}

int nft_counter(int family, const char *table, const char *name,
		struct nf_count *out, char *err)
{
	struct nft_session s;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int ret = -1;

	if (session_open(&s, err))
		return -1;
	struct nftnl_obj *o = nftnl_obj_alloc();
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, table);
	nftnl_obj_set_str(o, NFTNL_OBJ_NAME, name);
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
	struct nlmsghdr *h = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETOBJ, family,
						   NLM_F_ACK, s.seq);
	nftnl_obj_nlmsg_build_payload(h, o);
	nftnl_obj_free(o);
	if (mnl_socket_sendto(s.nl, h, h->nlmsg_len) < 0) {
		snprintf(err, NF_ERR_LEN, "asking nftables: %s", strerror(errno));
		goto out;
	}
	/* One object message, then the ack; or an error. */
	for (bool acked = false; !acked;) {
		int n = mnl_socket_recvfrom(s.nl, buf, sizeof(buf));
		if (n < 0) {
			snprintf(err, NF_ERR_LEN, "no answer from nftables: %s",
				 strerror(errno));
			goto out;
		}
		for (h = (struct nlmsghdr *)buf; mnl_nlmsg_ok(h, n);
		     h = mnl_nlmsg_next(h, &n)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
				acked = true;
				if (e->error == -ENOENT) {
					ret = 1;
				} else if (e->error) {
					snprintf(err, NF_ERR_LEN, "reading counter %s: %s",
						 name, strerror(-e->error));
					ret = -1;
				}
				continue;
			}
			struct nftnl_obj *got = nftnl_obj_alloc();
			if (nftnl_obj_nlmsg_parse(h, got) == 0) {
				out->packets = nftnl_obj_get_u64(got, NFTNL_OBJ_CTR_PKTS);
				out->bytes = nftnl_obj_get_u64(got, NFTNL_OBJ_CTR_BYTES);
				ret = 0;
			}
			nftnl_obj_free(got);
		}
	}
out:
	session_close(&s);
	return ret;
}

int nft_replace(const struct nf_ruleset *set, const char *ifname,
		bool remove_other_family, char *err)
{
	struct nf_count keep[NF_TABLES_MAX][NF_COUNTERS_MAX];
	struct nft_session s;
	char name[NF_NAME_LEN];

	/* Read the counters to carry over first (a missing one starts at 0). */
	memset(keep, 0, sizeof(keep));
	for (unsigned t = 0; t < set->ntables; t++) {
		const struct nf_table *tb = &set->tables[t];
		for (unsigned c = 0; c < tb->ncounters; c++)
			if (nft_counter(tb->family, tb->name, tb->counters[c],
					&keep[t][c], err) < 0)
				return -1;
	}

	if (session_open(&s, err))
		return -1;
	batch_start(&s);
	for (unsigned t = 0; t < set->ntables; t++) {
		const struct nf_table *tb = &set->tables[t];
		put_table(&s, tb->family, tb->name, NFT_MSG_NEWTABLE, NLM_F_CREATE);
		put_table(&s, tb->family, tb->name, NFT_MSG_DELTABLE, 0);
		put_table(&s, tb->family, tb->name, NFT_MSG_NEWTABLE,
			  NLM_F_CREATE | NLM_F_EXCL);
		for (unsigned c = 0; c < tb->ncounters; c++)
			put_counter(&s, tb, tb->counters[c], &keep[t][c]);
		for (unsigned c = 0; c < tb->nchains; c++)
			put_chain(&s, tb, &tb->chains[c]);
		for (unsigned r = 0; r < tb->nrules; r++)
			put_rule(&s, tb, &tb->rules[r]);
	}
	/* A server whose allow list was dropped loses its inet table. */
	if (remove_other_family && ifname && set->ntables == 1) {
		nf_table_name(ifname, name);
		put_table(&s, NFPROTO_INET, name, NFT_MSG_NEWTABLE, NLM_F_CREATE);
		put_table(&s, NFPROTO_INET, name, NFT_MSG_DELTABLE, 0);
	}
	int ret = batch_send(&s, err);
	session_close(&s);
	return ret;
}

int nft_remove(const char *ifname, char *err)
{
	static const int families[] = { NFPROTO_NETDEV, NFPROTO_INET };
	struct nft_session s;
	char name[NF_NAME_LEN];

	nf_table_name(ifname, name);
	if (session_open(&s, err))
		return -1;
	batch_start(&s);
	for (unsigned i = 0; i < 2; i++) {
		put_table(&s, families[i], name, NFT_MSG_NEWTABLE, NLM_F_CREATE);
		put_table(&s, families[i], name, NFT_MSG_DELTABLE, 0);
	}
	int ret = batch_send(&s, err);
	session_close(&s);
	return ret;
}

int nft_list(void (*fn)(const char *ifname, void *arg), void *arg, char *err)
{
	struct nft_session s;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int ret = -1;

	if (session_open(&s, err))
		return -1;
	struct nlmsghdr *h = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, NFPROTO_NETDEV,
						   NLM_F_DUMP, s.seq);
	if (mnl_socket_sendto(s.nl, h, h->nlmsg_len) < 0) {
		snprintf(err, NF_ERR_LEN, "asking nftables: %s", strerror(errno));
		goto out;
	}
	for (;;) {
		int n = mnl_socket_recvfrom(s.nl, buf, sizeof(buf));
		if (n < 0) {
			snprintf(err, NF_ERR_LEN, "no answer from nftables: %s",
				 strerror(errno));
			goto out;
		}
		for (h = (struct nlmsghdr *)buf; mnl_nlmsg_ok(h, n);
		     h = mnl_nlmsg_next(h, &n)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				ret = 0;
				goto out;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
				snprintf(err, NF_ERR_LEN, "listing tables: %s",
					 strerror(-e->error));
				goto out;
			}
			struct nftnl_table *t = nftnl_table_alloc();
			char ifname[IFNAMSIZ];
			if (nftnl_table_nlmsg_parse(h, t) == 0 &&
			    nf_table_ifname(nftnl_table_get_str(t, NFTNL_TABLE_NAME), ifname))
				fn(ifname, arg);
			nftnl_table_free(t);
		}
	}
out:
	session_close(&s);
	return ret;
}
