/*
 * utf8_check.h: what fuzz targets that rewrite text check of it: valid
 * UTF-8 in, valid UTF-8 out.
 */
#ifndef MINGLE_FUZZ_UTF8_CHECK_H
#define MINGLE_FUZZ_UTF8_CHECK_H

/* Whether s is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
static inline int valid_utf8(const unsigned char *s)
{
    while (*s) {
        unsigned char c = *s;
        size_t n, i;
        unsigned long cp;
        if (c < 0x80) {
            s++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            n = 1;
        else if (c >= 0xe0 && c <= 0xef)
            n = 2;
        else if (c >= 0xf0 && c <= 0xf4)
            n = 3;
        else
            return 0;
        cp = c & (0x3f >> n);
        for (i = 1; i <= n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return 0;
        s += n + 1;
    }
    return 1;
}

#endif
