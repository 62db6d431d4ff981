#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include "CSubprocess.h"

/// pipe2(O_CLOEXEC): both ends close-on-exec from birth, so no concurrent spawn inherits them.
int subprocess_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

/// POSIX_SPAWN_SETSID (glibc >= 2.26): the child calls setsid() before its file actions.
int subprocess_setsid_flag(void) { return POSIX_SPAWN_SETSID; }

/// posix_spawn_file_actions_addchdir_np (glibc >= 2.29): the child starts in its working
/// directory.
int subprocess_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

/// posix_spawn_file_actions_addclosefrom_np (glibc >= 2.34): the child closes every
/// descriptor from `lowest` up, so nothing but its standard three reaches it even when some
/// code in the process (a library, a test runner) opened a descriptor without O_CLOEXEC.
int subprocess_addclosefrom(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

/// Waits until `pid` has exited *without reaping it*: while it is a zombie its pid, and so
/// its process group id, cannot be reused, so killing the group is safe until it is reaped.
int subprocess_wait_exited_nowait(pid_t pid) {
    siginfo_t info;
    int rc;
    do { rc = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT); } while (rc < 0 && errno == EINTR);
    return rc;
}

#include <stdio.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

int subprocess_is_tmpfs(const char *path) {
    struct statfs status;
    if (statfs(path, &status) != 0) return -1;
    if (status.f_type != TMPFS_MAGIC) return 0;
    // A mount point, not a directory that merely lies on a tmpfs: its device differs from
    // its parent's.
    char parent[4096];
    if (snprintf(parent, sizeof parent, "%s/..", path) >= (int)sizeof parent) return -1;
    struct stat self, above;
    if (stat(path, &self) != 0 || stat(parent, &above) != 0) return -1;
    return self.st_dev != above.st_dev ? 1 : 0;
}
