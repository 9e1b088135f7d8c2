/* mhd.h: the libmicrohttpd functions `omen serve` calls (server.c, live.c), through a table that
 * server/mhd.c fills with dlopen() and dlsym() when the server starts. omen is not linked with
 * libmicrohttpd: as a NEEDED entry it (and gnutls, nettle, gmp, ... behind it) made every
 * command pay the dynamic loader at start-up (with libcurl and libpq, `omen --help` took 29 ms
 * task-clock linked, 14 ms without; perf stat -r 30), for the one command that serves HTTP.
 * microhttpd.h still gives the types and prototypes at compile time. */
#ifndef OMEN_SERVER_MHD_H
#define OMEN_SERVER_MHD_H

#include <microhttpd.h>

/* Every MHD_* function the server calls. A call that bypasses the table fails at link time. */
#define SV_MHD_FNS(X)                                                                              \
    X(start_daemon)                                                                                \
    X(stop_daemon)                                                                                 \
    X(quiesce_daemon)                                                                              \
    X(get_daemon_info)                                                                             \
    X(create_response_from_buffer)                                                                 \
    X(create_response_from_fd64)                                                                   \
    X(add_response_header)                                                                         \
    X(destroy_response)                                                                            \
    X(queue_response)                                                                              \
    X(lookup_connection_value)                                                                     \
    X(get_connection_info)

/* MHD_name is called as sv_mhd.name, typed by microhttpd.h's own prototype. */
typedef struct {
#define SV_MHD_FIELD(name) __typeof__(MHD_##name) *name;
    SV_MHD_FNS(SV_MHD_FIELD)
#undef SV_MHD_FIELD
} sv_mhd_table;

/* Filled by sv_mhd_load(), read-only after it (the daemon's threads start later). */
extern sv_mhd_table sv_mhd;

/* Loads libmicrohttpd once per process (safe from any thread) and fills sv_mhd. Returns NULL
 * when it is loaded, else why not: each library name tried and dlerror() for it (static text). */
const char *sv_mhd_load(void);

#endif
