/* The GEMM tuning store as the Java library reads it (GemmTuning.java): the file named by NK_TUNING_FILE,
 * else $XDG_CACHE_HOME/neurokernels/gemm-tuning.properties, else ~/.cache/neurokernels/...; UTF-8
 * KEY=VALUE lines with the escapes of java.util.Properties; a store that breaks any rule is unusable as a
 * whole and ignored with a reason (the device then uses its default configuration), as on the Java side.
 * The key rule, the defaults and the valid ranges come from nk_plans.h, generated from the Java sources. */
#define _POSIX_C_SOURCE 200809L
#include "tuning.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void nk_tuning_key(const char* platform, const char* device, const char* driver, char* out, size_t cap) {
    const char* parts[3] = {platform, device, driver};
    size_t n = 0;
    for (int p = 0; p < 3; p++) {
        if (p > 0 && n + 1 < cap) out[n++] = '|';
        for (const unsigned char* c = (const unsigned char*) parts[p]; *c; c++) {
            if (n + 1 >= cap) break;
            out[n++] = (*c < 0x80 && *c != 0 && strchr(NK_TUNING_KEY_CHARS, *c)) ? (char) *c : '_';
        }
    }
    if (cap > 0) out[n < cap ? n : cap - 1] = '\0';
}

int nk_tuning_file(char* out, size_t cap) {
    const char* f = getenv("NK_TUNING_FILE");
    if (f && *f) return snprintf(out, cap, "%s", f) < (int) cap ? 0 : -1;
    const char* xdg = getenv("XDG_CACHE_HOME");
    if (xdg && *xdg) return snprintf(out, cap, "%s/neurokernels/gemm-tuning.properties", xdg) < (int) cap ? 0 : -1;
    const char* home = getenv("HOME");
    if (!home || !*home) return -1;
    return snprintf(out, cap, "%s/.cache/neurokernels/gemm-tuning.properties", home) < (int) cap ? 0 : -1;
}

void nk_gemm_default(int cpu, nk_gemm_config* c) {
    if (cpu) {
        c->kernel = NK_GEMM_DEFAULT_CPU_KERNEL; c->mr = NK_GEMM_DEFAULT_CPU_MR; c->nr = NK_GEMM_DEFAULT_CPU_NR; c->ts = NK_GEMM_DEFAULT_CPU_TS;
    } else {
        c->kernel = NK_GEMM_DEFAULT_GPU_KERNEL; c->mr = NK_GEMM_DEFAULT_GPU_MR; c->nr = NK_GEMM_DEFAULT_GPU_NR; c->ts = NK_GEMM_DEFAULT_GPU_TS;
    }
}

void nk_gemm_defines(const nk_gemm_config* c, char* out, size_t cap) {
    snprintf(out, cap, NK_GEMM_DEFINES_FORMAT, c->mr, c->nr, c->ts, c->ts);
}

static const char* const KERNEL_NAMES[] = {"TILED", "PACKED", "DIRECT", "WARP"};

/* "KERNEL mr=N nr=N ts=N" as GemmConfig.decode reads it; 0, or -1 with why */
static int decode(const char* s, nk_gemm_config* c, char* why, size_t cap) {
    char words[4][32];
    int n = 0;
    const char* p = s;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f') p++;
        if (!*p) break;
        const char* start = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '\f') p++;
        if (n == 4 || (size_t) (p - start) >= sizeof words[0]) { snprintf(why, cap, "bad GEMM configuration '%s': expected KERNEL mr=N nr=N ts=N", s); return -1; }
        memcpy(words[n], start, (size_t) (p - start));
        words[n++][p - start] = '\0';
    }
    if (n != 4) { snprintf(why, cap, "bad GEMM configuration '%s': expected KERNEL mr=N nr=N ts=N", s); return -1; }
    c->kernel = -1;
    for (int k = 0; k < 4; k++) if (strcmp(words[0], KERNEL_NAMES[k]) == 0) c->kernel = k;
    if (c->kernel < 0) { snprintf(why, cap, "bad GEMM configuration '%s': unknown kernel '%s'", s, words[0]); return -1; }
    int v[3] = {-1, -1, -1};
    static const char* const names[3] = {"mr", "nr", "ts"};
    for (int i = 1; i < 4; i++) {
        char* eq = strchr(words[i], '=');
        int which = -1;
        if (eq) for (int j = 0; j < 3; j++) if ((size_t) (eq - words[i]) == strlen(names[j]) && strncmp(words[i], names[j], strlen(names[j])) == 0) which = j;
        if (which < 0) { snprintf(why, cap, "bad GEMM configuration '%s': '%s' is not mr=N, nr=N or ts=N", s, words[i]); return -1; }
        if (v[which] >= 0) { snprintf(why, cap, "bad GEMM configuration '%s': %s given twice", s, names[which]); return -1; }
        char* end;
        errno = 0;
        long x = strtol(eq + 1, &end, 10);
        if (end == eq + 1 || *end || errno || x > 2147483647L) { snprintf(why, cap, "bad GEMM configuration '%s': '%s' is not an integer", s, words[i]); return -1; }
        if (x < 0) { snprintf(why, cap, "bad GEMM configuration '%s': '%s' is negative", s, words[i]); return -1; }
        v[which] = (int) x;
    }
    c->mr = v[0]; c->nr = v[1]; c->ts = v[2];
    static const int ts_values[] = NK_GEMM_TS_VALUES;
    int ts_ok = 0;
    for (size_t i = 0; i < sizeof ts_values / sizeof ts_values[0]; i++) ts_ok |= c->ts == ts_values[i];
    if (c->mr < 1 || c->mr > NK_GEMM_MR_MAX || c->nr < NK_GEMM_NR_MIN || c->nr > NK_GEMM_NR_MAX || c->nr % NK_GEMM_NR_STEP != 0 || !ts_ok) {
        snprintf(why, cap, "bad GEMM configuration mr=%d nr=%d ts=%d", c->mr, c->nr, c->ts);
        return -1;
    }
    return 0;
}

/* Properties escapes of one half of a line, in place; 0, or -1 with why */
static int unescape(char* s, int line, char* why, size_t cap) {
    char* w = s;
    for (char* r = s; *r; r++) {
        if (*r != '\\') { *w++ = *r; continue; }
        char e = *++r;
        switch (e) {
            case '\0': snprintf(why, cap, "line %d: bad escape (a lone backslash)", line); return -1;
            case 't': *w++ = '\t'; break;
            case 'n': *w++ = '\n'; break;
            case 'r': *w++ = '\r'; break;
            case 'f': *w++ = '\f'; break;
            case '\\': case '=': case ':': case '#': case '!': case ' ': case '"': case '\'': *w++ = e; break;
            case 'u': {
                unsigned v = 0;
                for (int i = 1; i <= 4; i++) {
                    char h = r[i];
                    int d = (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
                    if (d < 0) { snprintf(why, cap, "line %d: bad escape (\\u needs four hex digits)", line); return -1; }
                    v = v * 16 + (unsigned) d;
                }
                r += 4;
                /* UTF-8 of the code unit (the values of this store are ASCII; keys too) */
                if (v < 0x80) *w++ = (char) v;
                else if (v < 0x800) { *w++ = (char) (0xc0 | (v >> 6)); *w++ = (char) (0x80 | (v & 0x3f)); }
                else { *w++ = (char) (0xe0 | (v >> 12)); *w++ = (char) (0x80 | ((v >> 6) & 0x3f)); *w++ = (char) (0x80 | (v & 0x3f)); }
                break;
            }
            default: snprintf(why, cap, "line %d: bad escape '\\%c'", line, e); return -1;
        }
    }
    *w = '\0';
    return 0;
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

/* a valid UTF-8 text with no control characters but tab, CR, LF and form feed; 0, or -1 with why */
static int check_text(const unsigned char* b, size_t n, char* why, size_t cap) {
    int line = 1;
    for (size_t i = 0; i < n;) {
        unsigned char c = b[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + len > n) { snprintf(why, cap, "not a text file (byte 0x%02x at offset %zu is not UTF-8)", c, i); return -1; }
        for (size_t j = 1; j < len; j++) {
            if ((b[i + j] & 0xc0) != 0x80) { snprintf(why, cap, "not a text file (byte 0x%02x at offset %zu is not UTF-8)", c, i); return -1; }
        }
        if (len == 1) {
            if (c == '\n') line++;
            else if ((c < 0x20 && c != '\t' && c != '\r' && c != '\f') || c == 0x7f) {
                snprintf(why, cap, "not a text file (control character 0x%02x on line %d)", c, line);
                return -1;
            }
        }
        i += len;
    }
    return 0;
}

int nk_tuning_lookup(const char* key, nk_gemm_config* out, char* file, size_t file_cap, char* why, size_t why_cap) {
    if (why_cap) why[0] = '\0';
    if (nk_tuning_file(file, file_cap) != 0) return 0;
    FILE* f = fopen(file, "rb");
    if (!f) {
        if (errno == ENOENT) return 0;
        snprintf(why, why_cap, "it cannot be read (%s)", strerror(errno));
        return -1;
    }
    size_t cap = 4096, n = 0;
    char* text = malloc(cap + 1);
    if (!text) { fclose(f); snprintf(why, why_cap, "out of host memory"); return -1; }
    size_t got;
    while ((got = fread(text + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char* t = cap > (1u << 24) ? NULL : realloc(text, 2 * cap + 1);
            if (!t) { free(text); fclose(f); snprintf(why, why_cap, "it is too large"); return -1; }
            text = t;
            cap *= 2;
        }
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) { free(text); snprintf(why, why_cap, "it cannot be read (is it a directory?)"); return -1; }
    text[n] = '\0';
    int status = 0, found = 0;
    if (check_text((const unsigned char*) text, n, why, why_cap) != 0) { free(text); return -1; }
    /* physical lines; a line ending in an odd number of backslashes continues on the next */
    char* keys_seen = calloc(1, n + 2);  /* "\n"-separated keys seen, to refuse a repeated key */
    size_t keys_len = 0;
    char* logical = malloc(n + 1);
    if (!keys_seen || !logical) { free(text); free(keys_seen); free(logical); snprintf(why, why_cap, "out of host memory"); return -1; }
    int line = 0;
    char* p = text;
    while (*p && status == 0) {
        line++;
        int first_line = line;
        size_t len = 0;
        int continues = 1, first = 1;
        while (continues) {
            char* end = p;
            while (*end && *end != '\n' && *end != '\r') end++;
            char* q = p;
            while (q < end && is_blank(*q)) q++;
            if (first && (q == end || *q == '#' || *q == '!')) { len = 0; continues = 0; }
            else {
                memcpy(logical + len, q, (size_t) (end - q));
                len += (size_t) (end - q);
                size_t bs = 0;
                while (bs < len && logical[len - 1 - bs] == '\\') bs++;
                continues = bs % 2 == 1;
                if (continues) len--;
            }
            first = 0;
            p = end;
            if (*p == '\r' && p[1] == '\n') p += 2;
            else if (*p) p++;
            if (continues) {
                if (!*p) { snprintf(why, why_cap, "line %d: bad escape (a backslash ends the file)", first_line); status = -1; break; }
                line++;
            }
        }
        if (status != 0 || len == 0) continue;
        logical[len] = '\0';
        /* the key ends at the first unescaped '=', ':' or blank; blanks may surround the separator */
        size_t i = 0;
        while (i < len) {
            if (logical[i] == '\\') { i += 2; continue; }
            if (logical[i] == '=' || logical[i] == ':' || is_blank(logical[i])) break;
            i++;
        }
        if (i > len) i = len;
        size_t j = i;
        while (j < len && is_blank(logical[j])) j++;
        if (j >= len || (logical[j] != '=' && logical[j] != ':')) {
            snprintf(why, why_cap, "line %d is not KEY=VALUE: '%.60s%s'", first_line, logical, len > 60 ? "..." : "");
            status = -1;
            break;
        }
        logical[i] = '\0';
        char* value = logical + j + 1;
        while (is_blank(*value)) value++;
        if (unescape(logical, first_line, why, why_cap) != 0 || unescape(value, first_line, why, why_cap) != 0) { status = -1; break; }
        if (!*logical) { snprintf(why, why_cap, "line %d: the key is empty", first_line); status = -1; break; }
        /* a repeated key makes the store unusable, as in Java */
        for (char* k = keys_seen; *k;) {
            char* nl = strchr(k, '\n');
            if ((size_t) (nl - k) == strlen(logical) && strncmp(k, logical, strlen(logical)) == 0) {
                snprintf(why, why_cap, "line %d: key %s repeats an earlier line", first_line, logical);
                status = -1;
                break;
            }
            k = nl + 1;
        }
        if (status != 0) break;
        size_t kl = strlen(logical);
        memcpy(keys_seen + keys_len, logical, kl);
        keys_len += kl;
        keys_seen[keys_len++] = '\n';
        nk_gemm_config c;
        char reason[256];
        if (decode(value, &c, reason, sizeof reason) != 0) { snprintf(why, why_cap, "line %d: %s", first_line, reason); status = -1; break; }
        if (c.kernel == NK_GEMM_WARP) {
            snprintf(why, why_cap, "line %d: '%s': the WARP kernel exists only on CUDA devices; the store holds OpenCL configurations", first_line, value);
            status = -1;
            break;
        }
        if (strcmp(logical, key) == 0) { *out = c; found = 1; }
    }
    free(text);
    free(keys_seen);
    free(logical);
    if (status != 0) return -1;
    return found;
}

const char* nk_gemm_kernel_name(int kernel) {
    return kernel >= 0 && kernel < 4 ? KERNEL_NAMES[kernel] : "?";
}
