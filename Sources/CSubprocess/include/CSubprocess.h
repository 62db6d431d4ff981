#ifndef C_SUBPROCESS_H
#define C_SUBPROCESS_H
#include <spawn.h>
#include <sys/types.h>

/// Linux calls that Swift's Glibc module hides behind _GNU_SOURCE.
int subprocess_pipe_cloexec(int fds[2]);
int subprocess_setsid_flag(void);
int subprocess_addchdir(posix_spawn_file_actions_t *actions, const char *path);
int subprocess_wait_exited_nowait(pid_t pid);
int subprocess_addclosefrom(posix_spawn_file_actions_t *actions, int lowest);
/// 1 when a tmpfs is mounted at `path`, 0 when not, -1 when it cannot be looked at.
int subprocess_is_tmpfs(const char *path);

#endif
