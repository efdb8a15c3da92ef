// SPDX-License-Identifier: GPL-2.0-only
/* CPU sets as 64-bit masks (see lib/cpuset.h).  Pure, host-tested. */
#include <lib/cpuset.h>

/* Reads a decimal CPU number at s[*i], advancing *i; false if none or >= 64. */
static bool parse_cpu(const char *s, size_t len, size_t *i, unsigned int *cpu)
{
	unsigned int n = 0;
	size_t start = *i;

	while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
		n = n * 10 + (unsigned int)(s[*i] - '0');
		if (n >= CPUSET_MAX_CPUS)
			return false;
		(*i)++;
	}
	*cpu = n;
	return *i > start;
}

bool cpuset_parse(const char *s, size_t len, uint64_t *set)
{
	uint64_t result = 0;
	size_t i = 0;

	for (;;) {
		unsigned int first, last, cpu;

		if (!parse_cpu(s, len, &i, &first))
			return false;
		last = first;
		if (i < len && s[i] == '-') {
			i++;
			if (!parse_cpu(s, len, &i, &last) || last < first)
				return false;
		}
		for (cpu = first; cpu <= last; cpu++)
			result |= cpuset_of(cpu);
		if (i == len)
			break;
		if (s[i] != ',')
			return false;
		i++;		/* a ',' must be followed by another item */
	}
	*set = result;
	return true;
}

/* Appends the decimal n to buf at *at, keeping room for the NUL. */
static bool put_number(char *buf, size_t size, size_t *at, unsigned int n)
{
	char digits[4];
	unsigned int nd = 0;

	do {
		digits[nd++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (nd) {
		if (*at + 1 >= size)
			return false;
		buf[(*at)++] = digits[--nd];
	}
	return true;
}

static bool put_char(char *buf, size_t size, size_t *at, char c)
{
	if (*at + 1 >= size)
		return false;
	buf[(*at)++] = c;
	return true;
}

bool cpuset_format(uint64_t set, char *buf, size_t size)
{
	size_t at = 0;
	unsigned int cpu = 0;
	bool ok = true;

	if (size == 0)
		return false;
	while (ok && cpu < CPUSET_MAX_CPUS) {
		unsigned int last;

		if (!cpuset_has(set, cpu)) {
			cpu++;
			continue;
		}
		last = cpu;
		while (last + 1 < CPUSET_MAX_CPUS && cpuset_has(set, last + 1))
			last++;
		if (at)
			ok = put_char(buf, size, &at, ',');
		ok = ok && put_number(buf, size, &at, cpu);
		if (ok && last >= cpu + 2)
			ok = put_char(buf, size, &at, '-') &&
			     put_number(buf, size, &at, last);
		else if (ok && last == cpu + 1)
			ok = put_char(buf, size, &at, ',') &&
			     put_number(buf, size, &at, last);
		cpu = last + 1;
	}
	buf[at] = '\0';
	return ok;
}

int cpuset_least_loaded(uint64_t allowed, const unsigned int *load,
			unsigned int nr)
{
	unsigned int cpu;
	int best = -1;

	for (cpu = 0; cpu < nr && cpu < CPUSET_MAX_CPUS; cpu++) {
		if (!cpuset_has(allowed, cpu))
			continue;
		if (best < 0 || load[cpu] < load[best])
			best = (int)cpu;
	}
	return best;
}
