/* http_load.c: a small HTTP/1.1 load client for bench/http (no wrk needed): C keep-alive
 * connections, each sending GETs back to back for D seconds, round-robin over the targets
 * given; prints requests, errors, req/s and latency p50/p90/p99/max in ms, and with --pid the
 * server's RSS (VmRSS) at the start, its maximum during the run (sampled every 100 ms) and at
 * the end.
 *
 * usage: http_load [-c CONNS] [-d SECONDS] [--pid PID] [--vary PARAM] [--gzip] HOST:PORT TARGET...
 * --gzip sends Accept-Encoding: gzip as browsers do (the server then sends compressed JSON).
 * --vary PARAM appends PARAM=<counter> to each request (e.g. --vary top makes every request a
 * different query, so the server's result cache never hits: the "uncached" figures). */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct {
    char host[64];
    int port;
    int conns;
    double seconds;
    int pid;
    const char *vary;
    const char *extra; /* extra header lines, e.g. Accept-Encoding */
    char **targets;
    int ntargets;
    atomic_long counter;
    double deadline;
} G;

typedef struct {
    double *lat;
    size_t n, cap;
    long errors;
    long bytes;
    int id;
} worker;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dial(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)G.port)};
    inet_pton(AF_INET, G.host, &a.sin_addr);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads one response (headers + Content-Length body); returns body bytes, -1 on error; sets
 * *status and *close_after. */
static long read_response(int fd, char *buf, size_t cap, int *status, int *close_after)
{
    size_t have = 0;
    char *end = NULL;
    while (!end) {
        ssize_t r = recv(fd, buf + have, cap - 1 - have, 0);
        if (r <= 0)
            return -1;
        have += (size_t)r;
        buf[have] = 0;
        end = strstr(buf, "\r\n\r\n");
        if (!end && have >= cap - 1)
            return -1;
    }
    *status = atoi(buf + 9);
    const char *cl = strcasestr(buf, "\r\ncontent-length:");
    long len = cl ? atol(cl + 17) : 0;
    *close_after = strcasestr(buf, "\r\nconnection: close") != NULL;
    size_t head = (size_t)(end + 4 - buf);
    long rest = len - (long)(have - head);
    while (rest > 0) {
        ssize_t r = recv(fd, buf, cap < (size_t)rest ? cap : (size_t)rest, 0);
        if (r <= 0)
            return -1;
        rest -= r;
    }
    return len;
}

static void *run(void *p)
{
    worker *w = p;
    size_t cap = 1 << 20;
    char *buf = malloc(cap), req[4096];
    int fd = -1;
    for (int k = w->id; now() < G.deadline; k++) {
        if (fd < 0 && (fd = dial()) < 0) {
            w->errors++;
            usleep(10000);
            continue;
        }
        const char *t = G.targets[k % G.ntargets];
        int n;
        if (G.vary)
            n = snprintf(req, sizeof req, "GET %s%c%s=%ld HTTP/1.1\r\nHost: %s\r\n%s\r\n", t,
                         strchr(t, '?') ? '&' : '?', G.vary, 1000 + atomic_fetch_add(&G.counter, 1),
                         G.host, G.extra);
        else
            n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", t, G.host,
                         G.extra);
        double t0 = now();
        int status = 0, close_after = 0;
        long len = send(fd, req, (size_t)n, MSG_NOSIGNAL) == n
                       ? read_response(fd, buf, cap, &status, &close_after)
                       : -1;
        double dt = now() - t0;
        if (len < 0 || status != 200) {
            w->errors++;
            close(fd);
            fd = -1;
            continue;
        }
        if (w->n == w->cap) {
            w->cap = w->cap ? 2 * w->cap : 4096;
            w->lat = realloc(w->lat, w->cap * sizeof *w->lat);
        }
        w->lat[w->n++] = dt;
        w->bytes += len;
        if (close_after) {
            close(fd);
            fd = -1;
        }
    }
    if (fd >= 0)
        close(fd);
    free(buf);
    return NULL;
}

static long rss_kb(int pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = atol(line + 6);
    if (f)
        fclose(f);
    return kb;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    G.conns = 32;
    G.seconds = 10;
    G.extra = "";
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            G.conns = atoi(argv[++i]);
        else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc)
            G.seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--pid") == 0 && i + 1 < argc)
            G.pid = atoi(argv[++i]);
        else if (strcmp(argv[i], "--gzip") == 0)
            G.extra = "Accept-Encoding: gzip\r\n";
        else if (strcmp(argv[i], "--vary") == 0 && i + 1 < argc)
            G.vary = argv[++i];
        else
            break;
    }
    if (argc - i < 2 || sscanf(argv[i], "%63[^:]:%d", G.host, &G.port) != 2) {
        fprintf(stderr, "usage: http_load [-c CONNS] [-d SECONDS] [--pid PID] [--vary PARAM] "
                        "HOST:PORT TARGET...\n");
        return 2;
    }
    G.targets = argv + i + 1;
    G.ntargets = argc - i - 1;
    long rss0 = G.pid ? rss_kb(G.pid) : -1, rss_max = rss0;
    double start = now();
    G.deadline = start + G.seconds;
    worker *w = calloc((size_t)G.conns, sizeof *w);
    pthread_t *th = calloc((size_t)G.conns, sizeof *th);
    for (int k = 0; k < G.conns; k++) {
        w[k].id = k;
        pthread_create(&th[k], NULL, run, &w[k]);
    }
    while (now() < G.deadline) {
        usleep(100000);
        long r = G.pid ? rss_kb(G.pid) : -1;
        rss_max = r > rss_max ? r : rss_max;
    }
    size_t total = 0;
    long errors = 0, bytes = 0;
    for (int k = 0; k < G.conns; k++) {
        pthread_join(th[k], NULL);
        total += w[k].n;
        errors += w[k].errors;
        bytes += w[k].bytes;
    }
    double elapsed = now() - start;
    double *all = malloc((total ? total : 1) * sizeof *all);
    size_t n = 0;
    for (int k = 0; k < G.conns; k++) {
        memcpy(all + n, w[k].lat, w[k].n * sizeof *all);
        n += w[k].n;
        free(w[k].lat);
    }
    qsort(all, n, sizeof *all, cmp);
#define PCT(p) (n ? all[(size_t)((double)(n - 1) * (p))] * 1e3 : 0.0)
    printf("requests %zu errors %ld rps %.0f p50_ms %.2f p90_ms %.2f p99_ms %.2f max_ms %.2f "
           "mb %.1f",
           n, errors, (double)n / elapsed, PCT(0.50), PCT(0.90), PCT(0.99),
           n ? all[n - 1] * 1e3 : 0.0, (double)bytes / 1e6);
    if (G.pid)
        printf(" rss_start_mb %.1f rss_max_mb %.1f rss_end_mb %.1f", rss0 / 1024.0,
               rss_max / 1024.0, rss_kb(G.pid) / 1024.0);
    printf("\n");
    free(all);
    free(w);
    free(th);
    return errors && !n ? 1 : 0;
}
