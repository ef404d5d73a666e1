/* calendar.c - snapshot names as UTC times and back, and the periods of
 * the --keep rules: the calendar by arithmetic, without gmtime and
 * strftime, which would bring printf and the time zone code into a
 * static build.
 */
#include "snapshot.h"

/* Days since 1970-01-01 of the date Y-M-D (proleptic Gregorian), and
 * back. */
static long long
days_of(long long y, int m, int d)
{
	long long era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static void
date_of(long long days, long long *y, int *m, int *d)
{
	long long z = days + 719468, era, doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

static long long
floor_div(long long a, long long b)
{
	return a / b - (a % b < 0);
}

/* N decimal digits of V at P. */
static void
put_digits(char *p, long long v, int n)
{
	while (n--) {
		p[n] = '0' + v % 10;
		v /= 10;
	}
}

/* T as a snapshot's name, YYYYMMDDTHHMMSSZ, in NAME (17 bytes). */
void
snapshot_time_name(time_t t, char *name)
{
	long long days = floor_div(t, 86400), s = t - days * 86400, y;
	int m, d;

	date_of(days, &y, &m, &d);
	memcpy(name, "00000000T000000Z", 17);
	put_digits(name, y, 4);
	put_digits(name + 4, m, 2);
	put_digits(name + 6, d, 2);
	put_digits(name + 9, s / 3600, 2);
	put_digits(name + 11, s / 60 % 60, 2);
	put_digits(name + 13, s % 60, 2);
}

/* The N digits of NAME at AT, as a number; -1 if one is no digit. */
static int
digits(const char *name, size_t at, size_t n)
{
	int v = 0;

	for (; n--; at++) {
		if (name[at] < '0' || name[at] > '9')
			return -1;
		v = v * 10 + name[at] - '0';
	}
	return v;
}

/* A snapshot's name as its time, or -1 if it is not of that form. */
time_t
snapshot_name_time(const char *name)
{
	char again[17];
	time_t t;

	if (strlen(name) != 16 || name[8] != 'T' || name[15] != 'Z' ||
	    digits(name, 0, 8) == -1 || digits(name, 9, 6) == -1)
		return -1;
	t = days_of(digits(name, 0, 4), digits(name, 4, 2), digits(name, 6,
	    2)) * 86400 + digits(name, 9, 2) * 3600 + digits(name, 11, 2) *
	    60 + digits(name, 13, 2);
	/* 20261340T256161Z is no time. */
	snapshot_time_name(t, again);
	return strcmp(again, name) ? -1 : t;
}

/* The period of time T that a --keep rule keeps one snapshot of: for
 * last, each snapshot (INDEX); weeks begin on Monday (1970-01-01 was a
 * Thursday), as ISO 8601's. */
long long
snapshot_period(int rule, time_t t, size_t index)
{
	long long days = floor_div(t, 86400), y;
	int m, d;

	date_of(days, &y, &m, &d);
	switch (rule) {
	case KEEP_LAST:
		return index;
	case KEEP_HOURLY:
		return floor_div(t, 3600);
	case KEEP_DAILY:
		return days;
	case KEEP_WEEKLY:
		return floor_div(days + 3, 7);
	case KEEP_MONTHLY:
		return y * 12 + m;
	default:
		return y;
	}
}
