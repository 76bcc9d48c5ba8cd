#ifndef MINIC_CLIBCSHIMS_H
#define MINIC_CLIBCSHIMS_H
#include <spawn.h>
#include <stddef.h>

/// posix_spawn_file_actions_addchdir_np, which Swift's Glibc module does not
/// export because it needs _GNU_SOURCE (glibc 2.29+).
int minic_spawn_file_actions_addchdir(posix_spawn_file_actions_t *actions, const char *path);

/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34+): the child gets no
/// descriptor of ours above `lowfd`, so it cannot hold our pipes or files open.
int minic_spawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int lowfd);

/// mallopt(M_TRIM_THRESHOLD) and mallopt(M_TOP_PAD) from <malloc.h>, which Swift's
/// Glibc module does not include. Returns 1 when both were accepted.
int minic_tune_allocator(int trim_threshold, int top_pad);

/// memmem (a GNU extension): the first occurrence of `needle` in `haystack`, or NULL.
const void *minic_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);
#endif
