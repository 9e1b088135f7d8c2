/* dates.c: civil-date arithmetic and the date parser used by every reader.
 *
 * Day numbers use Howard Hinnant's days_from_civil / civil_from_days, which are exact over the
 * whole int32 range without tables or loops. */
#include "dates.h"

#include "omen/omen.h"

#define MIN_YEAR 1970
#define MAX_YEAR 2199

int32_t omen_date_days(int year, int month, int day)
{
    int y = year - (month <= 2);
    int era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned mp = (unsigned)(month > 2 ? month - 3 : month + 9);
    unsigned doy = (153 * mp + 2) / 5 + (unsigned)day - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + (int)doe - 719468);
}

void omen_date_ymd(int32_t days, int *year, int *month, int *day)
{
    int64_t z = (int64_t)days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)((int64_t)yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *day = (int)d;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool omen_date_valid(int year, int month, int day)
{
    static const unsigned char mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1)
        return false;
    return day <= mdays[month - 1] + (month == 2 && is_leap(year));
}

int omen_date_weekday(int32_t days)
{
    /* 1970-01-01 was a Thursday (3 with Monday = 0). */
    int64_t r = ((int64_t)days + 3) % 7;
    return (int)(r < 0 ? r + 7 : r);
}

int32_t omen_date_week_monday(int32_t days)
{
    return days - omen_date_weekday(days);
}

/* Years outside 0..9999 cannot be written as YYYY; they (and OMEN_NO_DATE) give "". */
void omen_date_format(int32_t days, char out[11])
{
    int y, m, d;
    out[0] = '\0';
    if (days == OMEN_NO_DATE)
        return;
    omen_date_ymd(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        return;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

/* ---------------------------------------------------------------- parsing */

typedef struct {
    const char *p, *end;
} scanner;

/* Exactly n digits. */
static bool digits(scanner *s, int n, int *out)
{
    int v = 0;
    if (s->end - s->p < n)
        return false;
    for (int i = 0; i < n; i++) {
        unsigned c = (unsigned char)s->p[i] - '0';
        if (c > 9)
            return false;
        v = v * 10 + (int)c;
    }
    s->p += n;
    *out = v;
    return true;
}

static bool accept(scanner *s, char c)
{
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return true;
    }
    return false;
}

/* Monday of ISO week 1: the week that holds 4 January. */
static int32_t iso_week1_monday(int year)
{
    return omen_date_week_monday(omen_date_days(year, 1, 4));
}

static int iso_weeks_in_year(int year)
{
    return (iso_week1_monday(year + 1) - iso_week1_monday(year)) / 7;
}

/* After "YYYY-": Www or Www-D. */
static bool parse_iso_week(scanner *s, int year, int32_t *days)
{
    int week, wday = 1;
    if (!accept(s, 'W') || !digits(s, 2, &week))
        return false;
    if (accept(s, '-') && !digits(s, 1, &wday))
        return false;
    if (s->p != s->end || week < 1 || week > iso_weeks_in_year(year) || wday < 1 || wday > 7)
        return false;
    *days = iso_week1_monday(year) + (week - 1) * 7 + (wday - 1);
    return true;
}

/* Z, +hh:mm, -hh:mm (or +hhmm) as minutes east of UTC. */
static bool parse_zone(scanner *s, int *minutes)
{
    int sign, hh, mm = 0;
    if (accept(s, 'Z')) {
        *minutes = 0;
        return true;
    }
    if (accept(s, '+'))
        sign = 1;
    else if (accept(s, '-'))
        sign = -1;
    else
        return false;
    if (!digits(s, 2, &hh))
        return false;
    if (accept(s, ':') ? !digits(s, 2, &mm) : (s->p != s->end && !digits(s, 2, &mm)))
        return false;
    if (hh > 23 || mm > 59)
        return false;
    *minutes = sign * (hh * 60 + mm);
    return true;
}

/* After the date: [T ]HH:MM[:SS[.fff]][zone]. Sets *shift_days to the day change that the zone
 * causes when the instant is moved to UTC. */
static bool parse_time(scanner *s, int *shift_days)
{
    int hh, mi, ss = 0, zone = 0;
    if (!digits(s, 2, &hh) || !accept(s, ':') || !digits(s, 2, &mi))
        return false;
    if (accept(s, ':')) {
        if (!digits(s, 2, &ss))
            return false;
        if (accept(s, '.') || accept(s, ',')) {
            int d;
            if (!digits(s, 1, &d))
                return false;
            while (digits(s, 1, &d))
                ;
        }
    }
    if (hh > 23 || mi > 59 || ss > 60) /* 60: a leap second */
        return false;
    if (s->p != s->end && !parse_zone(s, &zone))
        return false;
    if (s->p != s->end)
        return false;
    int utc_min = hh * 60 + mi - zone;
    *shift_days = utc_min < 0 ? -1 : (utc_min >= 24 * 60 ? 1 : 0);
    return true;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

bool omen_date_parse(const char *str, size_t len, int32_t *days)
{
    scanner s = {str, str + len};
    int y, m, d, shift = 0;
    char sep;
    /* Surrounding blanks are common in hand-edited CSVs and carry no meaning. */
    while (s.p < s.end && is_space(*s.p))
        s.p++;
    while (s.end > s.p && is_space(s.end[-1]))
        s.end--;
    if (!digits(&s, 4, &y) || y < MIN_YEAR || y > MAX_YEAR)
        return false;
    if (s.p < s.end && *s.p == '-' && s.p + 1 < s.end && s.p[1] == 'W') {
        s.p++;
        return parse_iso_week(&s, y, days);
    }
    if (!(accept(&s, '-') || accept(&s, '/')))
        return false;
    sep = s.p[-1];
    if (!digits(&s, 2, &m) || !accept(&s, sep) || !digits(&s, 2, &d))
        return false;
    if (!omen_date_valid(y, m, d))
        return false;
    if (s.p != s.end) {
        /* Times only follow the ISO form, not YYYY/MM/DD. */
        if (sep != '-' || !(accept(&s, 'T') || accept(&s, ' ')) || !parse_time(&s, &shift))
            return false;
    }
    *days = omen_date_days(y, m, d) + shift;
    return true;
}

bool omen_date_parse_timestamp(const char *str, size_t len, int32_t *days, const char **why)
{
    *why = "not a valid date";
    if (omen_date_parse(str, len, days))
        return true;
    while (len && is_space(*str))
        str++, len--;
    while (len && is_space(str[len - 1]))
        len--;
    /* "1714953600.0" is how a float column writes a whole number. */
    size_t n = len;
    if (n > 2 && str[n - 2] == '.' && str[n - 1] == '0')
        n -= 2;
    if (n == 0 || n > 19)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (str[i] < '0' || str[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(str[i] - '0');
    }
    uint64_t per_day;
    if (v < 100000000ull) {
        *why = "an integer too small for an epoch timestamp (seconds would be before 1973)";
        return false;
    } else if (v < 100000000000ull) {
        per_day = 86400ull;
    } else if (v < 100000000000000ull) {
        per_day = 86400000ull;
    } else if (v < 100000000000000000ull) {
        per_day = 86400000000ull;
    } else {
        per_day = 86400000000000ull;
    }
    uint64_t d = v / per_day;
    if (d > (uint64_t)omen_date_days(MAX_YEAR, 12, 31)) {
        *why = "an epoch timestamp after 2199 (read as seconds, milliseconds, microseconds or "
               "nanoseconds by its magnitude)";
        return false;
    }
    *days = (int32_t)d;
    return true;
}
