#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "clibcshims.h"

// Only async-signal-safe calls between fork and exec: the parent may have many threads.
static void fail(int report_fd, int step) {
    int codes[2] = { step, errno };
    (void)!write(report_fd, codes, sizeof codes);
    _exit(127);
}

pid_t minic_spawn_confined(const char *path, char *const argv[], char *const envp[], int stdin_fd, int stdout_fd, int stderr_fd,
                           const int *extra_fds, int extra_count, const int *cgroup_fds, int cgroup_count, const int *rlimit_resources,
                           const unsigned long long *rlimit_values, int rlimit_count, const char *directory, int *error_step,
                           int *error_code) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        *error_step = MINIC_SPAWN_STEP_PIPE;
        *error_code = errno;
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        *error_step = MINIC_SPAWN_STEP_FORK;
        *error_code = errno;
        close(report[0]);
        close(report[1]);
        return -1;
    }
    if (pid == 0) {
        close(report[0]);
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        struct sigaction fallback;
        memset(&fallback, 0, sizeof fallback);
        fallback.sa_handler = SIG_DFL;
        for (int signal_number = 1; signal_number < NSIG; signal_number++) sigaction(signal_number, &fallback, NULL);
        // Its own process group, so that the parent can kill everything it starts.
        if (setpgid(0, 0) != 0) fail(report[1], MINIC_SPAWN_STEP_PGROUP);
        // Joins the cgroups before anything else runs: "0" moves the writing process.
        for (int index = 0; index < cgroup_count; index++) {
            if (write(cgroup_fds[index], "0", 1) != 1) fail(report[1], MINIC_SPAWN_STEP_CGROUP);
        }
        for (int index = 0; index < rlimit_count; index++) {
            struct rlimit limit = { rlimit_values[index], rlimit_values[index] };
            // RLIMIT_CPU: the soft limit sends SIGXCPU, the hard one a second later SIGKILL.
            if (rlimit_resources[index] == RLIMIT_CPU) limit.rlim_max = rlimit_values[index] + 1;
            if (setrlimit(rlimit_resources[index], &limit) != 0) fail(report[1], MINIC_SPAWN_STEP_RLIMIT);
        }
        // Every source is first moved above the targets, so that no dup2 overwrites a source still needed.
        int sources[3 + 8];
        int wanted[3 + 8] = { stdin_fd, stdout_fd, stderr_fd };
        int count = 3 + (extra_count > 8 ? 8 : extra_count);
        for (int index = 3; index < count; index++) wanted[index] = extra_fds[index - 3];
        for (int index = 0; index < count; index++) {
            sources[index] = fcntl(wanted[index], F_DUPFD_CLOEXEC, 64);
            if (sources[index] < 0) fail(report[1], MINIC_SPAWN_STEP_DUP);
        }
        for (int index = 0; index < count; index++) {
            if (dup2(sources[index], index) != index) fail(report[1], MINIC_SPAWN_STEP_DUP);
        }
        // Everything else of ours (other pipes, the queue file) stays out: marked close-on-exec in one
        // call, so the report pipe still works until exec succeeds.
        if (syscall(SYS_close_range, (unsigned)count, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) != 0) {
            for (int fd = count; fd < 1024; fd++) {
                if (fd != report[1]) close(fd);
            }
        }
        if (directory != NULL && chdir(directory) != 0) fail(report[1], MINIC_SPAWN_STEP_CHDIR);
        execve(path, argv, envp);
        fail(report[1], MINIC_SPAWN_STEP_EXEC);
    }
    close(report[1]);
    int codes[2] = { 0, 0 };
    ssize_t got;
    do {
        got = read(report[0], codes, sizeof codes);
    } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof codes) {
        *error_step = codes[0];
        *error_code = codes[1];
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        return -1;
    }
    return pid;
}
