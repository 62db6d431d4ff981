#ifndef C_EXEC_SHIM_H
#define C_EXEC_SHIM_H
#include <spawn.h>
#include <sys/types.h>

/// Linux calls that Swift's Glibc module hides behind _GNU_SOURCE.
int exec_shim_pipe_cloexec(int fds[2]);
int exec_shim_spawn_setsid_flag(void);
int exec_shim_addchdir(posix_spawn_file_actions_t *actions, const char *path);
int exec_shim_wait_exited_nowait(pid_t pid);

#endif
