// SPDX-License-Identifier: GPL-2.0-only
/* Command-line option lookup (see hv/cmdline.h).  Pure, host-tested. */
#include <hv/cmdline.h>
#include <lib/string.h>

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

void cmdline_for_each_key(const char *cmdline,
			  void (*fn)(const char *key, size_t len, void *arg),
			  void *arg)
{
	const char *p = cmdline;

	while (*p) {
		const char *word;
		size_t len = 0;

		while (is_space(*p))
			p++;
		if (!*p)
			break;
		word = p;
		while (word[len] && !is_space(word[len]) && word[len] != '=')
			len++;
		fn(word, len, arg);
		while (*p && !is_space(*p))
			p++;
	}
}

struct lookup {
	const char *key;
	const char *found;	/* last word with that key */
};

static void match_key(const char *key, size_t len, void *arg)
{
	struct lookup *l = arg;

	if (len == strlen(l->key) && strncmp(key, l->key, len) == 0)
		l->found = key;
}

bool cmdline_get(const char *cmdline, const char *key, char *val,
		 size_t val_size)
{
	struct lookup l = { key, NULL };
	const char *v;
	size_t n = 0;

	cmdline_for_each_key(cmdline, match_key, &l);
	if (!l.found)
		return false;
	if (!val || val_size == 0)
		return true;

	v = l.found + strlen(key);
	if (*v == '=')
		v++;
	else
		v = "";
	while (v[n] && !is_space(v[n]) && n + 1 < val_size) {
		val[n] = v[n];
		n++;
	}
	val[n] = '\0';
	return true;
}
