#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include "CExecShim.h"

/// pipe2(O_CLOEXEC): both ends close-on-exec from birth, so no concurrent spawn inherits them.
int exec_shim_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

/// POSIX_SPAWN_SETSID (glibc >= 2.26): the child calls setsid() before its file actions.
int exec_shim_spawn_setsid_flag(void) { return POSIX_SPAWN_SETSID; }

/// posix_spawn_file_actions_addchdir_np (glibc >= 2.29): the command starts in the
/// container's working directory.
int exec_shim_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

/// Waits until `pid` has exited *without reaping it*: while it is a zombie its pid, and so
/// its process group id, cannot be reused, so killing the group is safe until it is reaped.
int exec_shim_wait_exited_nowait(pid_t pid) {
    siginfo_t info;
    int rc;
    do { rc = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT); } while (rc < 0 && errno == EINTR);
    return rc;
}
