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

#include <sys/types.h>
/// Where minic_spawn_confined failed, for the error message.
enum {
    MINIC_SPAWN_STEP_PIPE = 1,
    MINIC_SPAWN_STEP_FORK,
    MINIC_SPAWN_STEP_PGROUP,
    MINIC_SPAWN_STEP_CGROUP,
    MINIC_SPAWN_STEP_RLIMIT,
    MINIC_SPAWN_STEP_DUP,
    MINIC_SPAWN_STEP_CHDIR,
    MINIC_SPAWN_STEP_EXEC,
};

/// fork + exec for the sandbox, which posix_spawn cannot express: in the child,
/// a new process group, joining cgroups (each fd an open `cgroup.procs`), resource
/// limits, stdio, the `extra_fds` (at most 8) placed at descriptors 3, 4, ..., every other descriptor
/// closed, then `directory` and execve. Returns the pid, or -1 with the failed step
/// and errno (a failed exec is reported, not left to a child exit status).
pid_t minic_spawn_confined(const char *path, char *const argv[], char *const envp[], int stdin_fd, int stdout_fd, int stderr_fd,
                           const int *extra_fds, int extra_count, const int *cgroup_fds, int cgroup_count, const int *rlimit_resources,
                           const unsigned long long *rlimit_values, int rlimit_count, const char *directory, int *error_step,
                           int *error_code);
#endif
