#!/usr/bin/python3
# gen_countries.py: regenerates src/vocab/countries_table.c from Debian's iso-codes.
#
# Run from the repository root: /usr/bin/python3 scripts/gen_countries.py
# The build never runs this; the generated table is committed. The key normalisation here
# must match make_key() in src/vocab/countries.c: the fold table is emitted into the C file so
# both sides fold accents the same way.

import json
import sys

ISO_JSON = "/usr/share/iso-codes/json/iso_3166-1.json"
OUT = "src/vocab/countries_table.c"

# Latin-1 letters U+00C0..U+00FF folded to ASCII; "" drops the character (x and division sign).
FOLD = [
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
]

SPECIALS = {
    "ONLINE": ("Online", ["Online", "Internet", "Web"]),
    "INTL": ("International", ["International", "Intl", "Intl.", "Multinational",
                               "Global", "Worldwide", "Multiple countries"]),
    "USER": ("Individual", ["User", "Individual", "Unaffiliated", "Individual contributor",
                            "Independent", "Independent researcher", "Private individual"]),
    # "NA" is deliberately absent: an exact upper-case "NA" is Namibia, any other spelling of
    # n/a is UNKNOWN; countries.c decides that before the table lookup.
    "UNKNOWN": ("Unknown", ["Unknown", "None", "Null", "NaN", "Unspecified",
                            "Not specified", "Not available", "-"]),
}

# Not in ISO 3166-1, but the user-assigned code that every data set uses for Kosovo.
EXTRA = {"XK": ("Kosovo", ["Kosovo", "XKX"])}

# What users write (English, informal, former names); code -> names.
ALIASES = {
    "US": ["USA", "US", "U.S.", "U.S.A.", "United States of America", "America",
           "United States"],
    "GB": ["UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales",
           "Northern Ireland", "United Kingdom"],
    "RU": ["Russia"],
    "KR": ["South Korea", "Korea", "Republic of Korea", "Korea South", "Korea (South)"],
    "KP": ["North Korea", "DPRK", "Korea North", "Korea (North)"],
    "TW": ["Taiwan", "Chinese Taipei"],
    "IR": ["Iran", "Persia"],
    "VN": ["Vietnam"],
    "SY": ["Syria"],
    "LA": ["Laos"],
    "BO": ["Bolivia"],
    "VE": ["Venezuela"],
    "TZ": ["Tanzania"],
    "MD": ["Moldova"],
    "CZ": ["Czech Republic", "Czechia"],
    "TR": ["Turkey", "Türkiye", "Turkiye"],
    "HK": ["Hong Kong", "Hong Kong SAR", "Hong Kong, China"],
    "MO": ["Macau", "Macao", "Macau SAR", "Macao SAR"],
    "PS": ["Palestine", "State of Palestine", "Palestinian Territories"],
    "CI": ["Ivory Coast", "Cote d'Ivoire"],
    "NL": ["Holland", "The Netherlands", "Netherlands"],
    "AE": ["UAE", "U.A.E.", "Emirates", "United Arab Emirates"],
    "SA": ["Saudi Arabia", "KSA"],
    "CN": ["People's Republic of China", "PRC", "Mainland China", "China mainland",
           "China (mainland)", "P.R. China", "PR China"],
    "BN": ["Brunei"],
    "CV": ["Cape Verde"],
    "SZ": ["Swaziland"],
    "MK": ["Macedonia", "North Macedonia"],
    "MM": ["Burma"],
    "TL": ["East Timor"],
    "VA": ["Vatican", "Vatican City", "Holy See"],
    "FM": ["Micronesia"],
    "CD": ["DR Congo", "DRC", "Democratic Republic of the Congo", "Congo-Kinshasa",
           "Congo (Kinshasa)"],
    "CG": ["Republic of the Congo", "Congo-Brazzaville", "Congo (Brazzaville)"],
    "BS": ["The Bahamas"],
    "GM": ["The Gambia"],
    "KN": ["Saint Kitts and Nevis", "St Kitts and Nevis", "St. Kitts and Nevis"],
    "LC": ["St Lucia", "St. Lucia"],
    "VC": ["St Vincent and the Grenadines", "St. Vincent and the Grenadines"],
    "VG": ["British Virgin Islands"],
    "VI": ["US Virgin Islands", "U.S. Virgin Islands"],
    "FK": ["Falkland Islands", "Falklands"],
    "DE": ["West Germany"],
    "IE": ["Republic of Ireland"],
    "LY": ["Libyan Arab Jamahiriya"],
    "PH": ["The Philippines"],
    "BA": ["Bosnia", "Bosnia-Herzegovina"],
    "TT": ["Trinidad"],
    "AG": ["Antigua"],
}

# Display names where the ISO "name" is an inverted or official form.
DISPLAY = {
    "RU": "Russia", "KR": "South Korea", "KP": "North Korea", "TW": "Taiwan", "IR": "Iran",
    "VN": "Vietnam", "SY": "Syria", "LA": "Laos", "BO": "Bolivia", "VE": "Venezuela",
    "TZ": "Tanzania", "MD": "Moldova", "PS": "Palestine", "FM": "Micronesia", "BN": "Brunei",
    "CD": "Democratic Republic of the Congo", "CG": "Republic of the Congo",
    "VG": "British Virgin Islands", "VI": "U.S. Virgin Islands", "VA": "Vatican City",
    "FK": "Falkland Islands", "SX": "Sint Maarten", "MF": "Saint Martin",
}


def make_key(text):
    """Lower-case ASCII letters and digits, Latin-1 accents folded, punctuation and spaces
    dropped; other characters kept as UTF-8."""
    out = []
    for ch in text:
        cp = ord(ch)
        if cp < 0x80:
            if ch.isalnum():
                out.append(ch.lower())
        elif 0xC0 <= cp <= 0xFF:
            out.append(FOLD[cp - 0xC0])
        elif 0x80 <= cp <= 0xBF or 0x2000 <= cp <= 0x206F:
            pass
        else:
            out.append(ch)
    return "".join(out).encode("utf-8")


def c_string(b):
    s = '"'
    for byte in b:
        ch = chr(byte)
        if byte < 0x20 or byte >= 0x7F or ch in '"\\?':
            s += "\\%03o" % byte
        else:
            s += ch
    return s + '"'


def main():
    with open(ISO_JSON, encoding="utf-8") as f:
        entries = json.load(f)["3166-1"]

    names = {}   # code -> display name
    keys = {}    # key bytes -> code

    def add(key_text, code):
        k = make_key(key_text)
        if not k:
            return
        if k in keys and keys[k] != code:
            sys.exit("gen_countries: %r maps to both %s and %s" % (key_text, keys[k], code))
        keys[k] = code

    for e in entries:
        code = e["alpha_2"]
        names[code] = DISPLAY.get(code, e.get("common_name", e["name"]))
        for field in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            if field in e:
                add(e[field], code)
    for code, (name, aliases) in list(EXTRA.items()) + list(SPECIALS.items()):
        names[code] = name
        add(code, code)
        for a in aliases:
            add(a, code)
    for code, aliases in ALIASES.items():
        if code not in names:
            sys.exit("gen_countries: alias for unknown code " + code)
        for a in aliases:
            add(a, code)
    # Every display name must find its own code again.
    for code, name in names.items():
        add(name, code)

    codes = sorted(names)
    index = {c: i for i, c in enumerate(codes)}
    sorted_keys = sorted(keys)  # bytewise, as strcmp compares

    out = []
    out.append("/* countries_table.c: GENERATED by scripts/gen_countries.py from Debian's iso-codes")
    out.append(" * (%s)" % ISO_JSON)
    out.append(" * plus hand-written aliases. Do not edit; rerun the script. */")
    out.append('#include "countries.h"')
    out.append("")
    out.append("const omen_country_code omen_country_codes[] = {")
    for c in codes:
        out.append("    {%s, %s}," % (c_string(c.encode()), c_string(names[c].encode("utf-8"))))
    out.append("};")
    out.append("const size_t omen_country_ncodes = sizeof omen_country_codes / "
               "sizeof omen_country_codes[0];")
    out.append("")
    out.append("const omen_country_key omen_country_keys[] = {")
    for k in sorted_keys:
        out.append("    {%s, %d}," % (c_string(k), index[keys[k]]))
    out.append("};")
    out.append("const size_t omen_country_nkeys = sizeof omen_country_keys / "
               "sizeof omen_country_keys[0];")
    out.append("")
    out.append("const char *const omen_country_fold[64] = {")
    # Columns aligned the way clang-format aligns them, so `make format` leaves the file alone.
    cells = [c_string(x.encode()) + "," for x in FOLD]
    rows = [cells[i:i + 16] for i in range(0, 64, 16)]
    widths = [max(len(r[c]) for r in rows) for c in range(16)]
    for r in rows:
        out.append(("    " + " ".join(cell.ljust(widths[c]) for c, cell in enumerate(r))).rstrip())
    out.append("};")
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    print("gen_countries: %d codes, %d keys -> %s" % (len(codes), len(sorted_keys), OUT))


if __name__ == "__main__":
    main()
