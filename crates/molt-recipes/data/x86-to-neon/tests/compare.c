/*
 * compare: checks check_intrinsics outputs against the x86 reference.
 *
 * usage: compare REF.txt LABEL=CANDIDATE.txt ...
 *
 * Lines must be identical, except lines starting with "~ " (intrinsics
 * that x86 only approximates: rcp, rsqrt), whose lanes must be within
 * x86's documented relative error, 1.5 * 2^-12, of the reference.
 * Prints one "LABEL: N passed, M failed" line per candidate (plus the
 * first mismatches) and exits 1 if any line failed or is missing.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APPROX_RTOL (1.5 / 4096.0) /* Intel: |rel. error| <= 1.5 * 2^-12 */
#define MAX_LINE 4096
#define MAX_SHOWN 10

static float from_hex(const char *tok)
{
    uint32_t u = (uint32_t)strtoul(tok, NULL, 16);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Next space-separated token of *p into tok (capacity 16); 0 at the end. */
static int next_token(const char **p, char *tok)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\n')
        s++;
    size_t n = 0;
    while (*s && *s != ' ' && *s != '\n' && n < 15)
        tok[n++] = *s++;
    tok[n] = '\0';
    *p = s;
    return n > 0;
}

/* Lanes of two "~ NAME #K: v v v" lines within the tolerance? */
static int approx_equal(const char *ref, const char *cand)
{
    const char *rc = strchr(ref, ':'), *cc = strchr(cand, ':');
    if (!rc || !cc || rc - ref != cc - cand || strncmp(ref, cand, (size_t)(rc - ref)) != 0)
        return 0;
    rc++;
    cc++;
    char rt[16], ct[16];
    for (;;) {
        int rmore = next_token(&rc, rt), cmore = next_token(&cc, ct);
        if (!rmore || !cmore)
            return rmore == cmore;
        int rnan = strcmp(rt, "nan") == 0, cnan = strcmp(ct, "nan") == 0;
        if (rnan || cnan) {
            if (!(rnan && cnan))
                return 0;
            continue;
        }
        float r = from_hex(rt), c = from_hex(ct);
        if (isinf(r) || isinf(c) || r == 0.0f || c == 0.0f) {
            if (strcmp(rt, ct) != 0)
                return 0; /* infinities and zeros must match exactly, sign included */
        } else if (!(fabs((double)c - (double)r) <= APPROX_RTOL * fabs((double)r))) {
            return 0;
        }
    }
}

static int compare_one(const char *ref_path, const char *label, const char *cand_path)
{
    FILE *rf = fopen(ref_path, "r"), *cf = fopen(cand_path, "r");
    if (!rf || !cf) {
        printf("%s: cannot open %s\n", label, !rf ? ref_path : cand_path);
        if (rf) fclose(rf);
        if (cf) fclose(cf);
        return 1;
    }
    char r[MAX_LINE], c[MAX_LINE];
    long passed = 0, failed = 0, approx = 0, line = 0;
    for (;;) {
        char *rl = fgets(r, sizeof r, rf), *cl = fgets(c, sizeof c, cf);
        if (!rl && !cl)
            break;
        line++;
        int ok;
        if (!rl || !cl) {
            ok = 0;
        } else if (strcmp(r, c) == 0) {
            ok = 1;
            approx += strncmp(r, "~ ", 2) == 0;
        } else if (strncmp(r, "~ ", 2) == 0) {
            ok = approx_equal(r, c);
            approx += ok;
        } else {
            ok = 0;
        }
        if (ok) {
            passed++;
        } else {
            if (failed < MAX_SHOWN)
                printf("FAIL - %s line %ld:\n  x86:  %s  %s: %s", label, line,
                       rl ? r : "(missing)\n", label, cl ? c : "(missing)\n");
            failed++;
        }
    }
    fclose(rf);
    fclose(cf);
    printf("%s: %ld passed, %ld failed (%ld approximate lines within relative %.3g)\n", label,
           passed, failed, approx, APPROX_RTOL);
    return failed > 0 || passed == 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: compare REF.txt LABEL=CANDIDATE.txt ...\n");
        return 2;
    }
    int bad = 0;
    for (int i = 2; i < argc; i++) {
        char label[256];
        const char *eq = strchr(argv[i], '=');
        if (!eq || (size_t)(eq - argv[i]) >= sizeof label) {
            fprintf(stderr, "compare: expected LABEL=FILE, got %s\n", argv[i]);
            return 2;
        }
        memcpy(label, argv[i], (size_t)(eq - argv[i]));
        label[eq - argv[i]] = '\0';
        bad |= compare_one(argv[1], label, eq + 1);
    }
    return bad;
}
