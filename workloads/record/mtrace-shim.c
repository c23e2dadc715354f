/*
 * Starts glibc's malloc tracing in any program: LD_PRELOAD this ahead of libc_malloc_debug.so.0.
 *
 * Since glibc 2.34 the tracing hooks live in libc_malloc_debug.so.0, and MALLOC_TRACE alone records nothing:
 * tracing starts only when the program calls mtrace(). This constructor makes that call before main(); the
 * dynamic linker binds it to libc_malloc_debug's mtrace because that library is preloaded too.
 */
#include <mcheck.h>

__attribute__((constructor)) static void dmm_start_mtrace(void) { mtrace(); }
