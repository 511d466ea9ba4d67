/* bench/bench-util.h - what the in-process benchmarks (idle-calls, soak)
 * share: reading the process's own resident memory.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SC_BENCH_UTIL_H
#define SC_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* VmRSS of this process in KiB, -1 when /proc cannot tell. */
static inline long
bench_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

#endif /* SC_BENCH_UTIL_H */
