// SPDX-License-Identifier: GPL-2.0-only
/*
 * printf-style formatting (see hv/format.h).  Pure code: no locks, no I/O,
 * unit-tested on the host.
 */
#include <hv/format.h>

struct out {
	char *buf;
	size_t size;
	size_t len;		/* length the full output has so far */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padded(struct out *o, const char *s, size_t n, int width,
		       bool left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;

	if (!left) {
		/* Zero padding goes after a minus sign, not before it. */
		if (pad == '0' && n > 0 && s[0] == '-') {
			put(o, '-');
			s++;
			n--;
		}
		while (fill-- > 0)
			put(o, pad);
	}
	while (n--)
		put(o, *s++);
	if (left)
		while (fill-- > 0)
			put(o, ' ');
}

/* Writes v in base 10 or 16 into the end of tmp; returns the first digit. */
static char *format_unsigned(char *end, uint64_t v, unsigned int base,
			     bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char *p = end;

	do {
		*--p = digits[v % base];
		v /= base;
	} while (v);
	return p;
}

int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		char tmp[24], *p, *end = tmp + sizeof(tmp);
		bool left = false, is_signed = false, upper = false;
		char pad = ' ';
		int width = 0, longs = 0, precision = -1;
		unsigned int base = 10;
		uint64_t v;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			fmt++;
			precision = 0;
			if (*fmt == '*') {
				precision = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				precision = precision * 10 + (*fmt++ - '0');
		}
		for (;; fmt++) {
			if (*fmt == 'l')
				longs++;
			else if (*fmt == 'z')
				longs = 2;
			else
				break;
		}

		switch (*fmt) {
		case '\0':
			fmt--;	/* a lone '%' at the end: stop cleanly */
			continue;
		case '%':
			put(&o, '%');
			continue;
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			put_padded(&o, tmp, 1, width, left, ' ');
			continue;
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n = 0;

			if (!s)
				s = "(null)";
			/* A precision bounds the bytes read, not just printed. */
			while ((precision < 0 || n < (size_t)precision) && s[n])
				n++;
			put_padded(&o, s, n, width, left, ' ');
			continue;
		}
		case 'p':
			v = (uintptr_t)va_arg(ap, void *);
			p = format_unsigned(end, v, 16, false);
			*--p = 'x';
			*--p = '0';
			put_padded(&o, p, end - p, width, left, ' ');
			continue;
		case 'd':
		case 'i':
			is_signed = true;
			break;
		case 'u':
			break;
		case 'X':
			upper = true;
			/* fall through */
		case 'x':
			base = 16;
			break;
		default:
			/* Unknown conversion: print it as written. */
			put(&o, '%');
			put(&o, *fmt);
			continue;
		}

		if (is_signed) {
			int64_t s = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
			/* Negate in unsigned arithmetic: INT64_MIN has no positive twin. */
			v = s < 0 ? -(uint64_t)s : (uint64_t)s;
			p = format_unsigned(end, v, base, upper);
			if (s < 0)
				*--p = '-';
		} else {
			v = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			p = format_unsigned(end, v, base, upper);
		}
		put_padded(&o, p, end - p, width, left, pad);
	}

	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int hv_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hv_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
