#ifndef MINIC_CSPAWN_H
#define MINIC_CSPAWN_H
#include <spawn.h>

/// posix_spawn_file_actions_addchdir_np, which Swift's Glibc module does not
/// export because it needs _GNU_SOURCE (glibc 2.29+).
int minic_spawn_file_actions_addchdir(posix_spawn_file_actions_t *actions, const char *path);
#endif
