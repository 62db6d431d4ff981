// ordinal-keeper: holds one pod's processes for the agent, and kills them when its lease passes.
//
// The agent spawns one keeper per pod as the leader of a new session, with its end of a
// connected socket pair as fd 0 (its first connection). The keeper then listens at the socket
// path it is given (under the agent's data dir, created with umask 077), where an agent that
// restarted connects again. Every process of the pod
// (containers, exec probes) is the keeper's child in a process group of its own inside the
// keeper's session, so "what holds a pod identity" is exactly that session.
//
// The keeper is deliberately small (one thread, one poll loop, no periodic wake-up) and owns only
// what must outlive the agent:
//   - the lease deadline on CLOCK_MONOTONIC: when it passes, every process of the session gets
//     SIGKILL and the keeper exits, whatever the agent is doing;
//   - the processes: started, signalled and reaped on the agent's request, their exits kept
//     until the agent forgets them, so an agent that restarts and connects again adopts them;
//   - their output, appended to the container's log file and rotated at the agent's limit.
// When the agent's connection closes, nothing else happens: the pod runs on under its lease.
//
// A container pod's processes are containerd's, not the keeper's children: the agent names
// the cgroup its sandbox runs under (an optional argument before the pod's identity, relative
// to each cgroup hierarchy), and when the keeper finishes it freezes that cgroup, SIGKILLs every process in
// it and below, and thaws it, so the lease fences a container exactly as it fences a process.
// Restarts, probes and statuses are the agent's (docs/runtime.md).
//
// Frames, both ways: a 4-byte big-endian length, then fields separated by NUL bytes; the first
// field names the frame. Agent to keeper:
//   launch <blob>                  the agent's record of the pod, returned on every hello
//   lease <ns>                     a later deadline (CLOCK_MONOTONIC nanoseconds)
//   start <id> <exe> <cwd> <log> <rotated> <limit> <argc> <argv...> <envc> <env...>
//   signal <id> <signo>            to the process's group, while its leader is unreaped
//   forget <id>                    drops an exited process's record
//   stop <grace ns>                SIGTERM to every group, SIGKILL after grace, then exit
//   freeze <ns>                    freeze the pod (its cgroup, or SIGSTOP to every group) once
//                                  this long passes without a lease frame; thaw at the next
// Keeper to agent:
//   hello <version> <lease ns> <pid> <blob>, then one proc frame per record:
//   proc <id> <pid> <started> <running 0|1> <wait status> <finished>, then ready
//   started <id> <pid> <started> | failed <id> <errno> <message>
//   exited <id> <pid> <wait status> <finished>
//   expired | stopped              why the keeper exits; only the exits of what it kills follow
//   error <message>                a frame it could not use
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROTOCOL_VERSION "1"
#define MAX_FRAME (1u << 20)
#define MAX_OUTBOX (4u << 20)
#define MAX_PROCS 64
#define MAX_FIELDS 4096
#define LOG_CHUNK 65536

struct proc {
    int used;
    int forgotten;
    char id[64];
    pid_t pid;            // also its process group
    int running;          // until reaped
    int status;           // wait status, once reaped
    long long started;    // wall-clock seconds
    long long finished;
    int out;              // read end of its output pipe, or -1
    int log;              // the log file, or -1
    long long log_size;
    long long log_limit;
    char *log_path;
    char *rotated_path;
};

static struct proc procs[MAX_PROCS];
static const char *socket_path;
static const char *identity;
static uint64_t lease_deadline;
static uint64_t grace_ns;
static int stopping;
static uint64_t freeze_after_ns;  // 0: never
static uint64_t last_renewal;     // CLOCK_MONOTONIC of the last lease frame
static int frozen;
static uint64_t stop_deadline;
static int stop_killed;
static int client = -1;
static int listener = -1;
static int signals = -1;
static unsigned char *inbox;
static size_t inbox_used;
static unsigned char *outbox;
static size_t outbox_used;
static const char *pod_cgroup;
static char *launch_blob;
static size_t launch_size;

static void say(const char *format, ...) {
    char line[512];
    va_list arguments;
    va_start(arguments, format);
    int prefix = snprintf(line, sizeof line, "ordinal-keeper %s: ", identity ? identity : "?");
    vsnprintf(line + prefix, sizeof line - (size_t)prefix - 1, format, arguments);
    va_end(arguments);
    size_t length = strlen(line);
    line[length++] = '\n';
    ssize_t ignored = write(2, line, length);
    (void)ignored;
}

static uint64_t monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}

static int parse_u64(const char *text, uint64_t *value) {
    if (!text || !*text) return 0;
    char *end;
    errno = 0;
    unsigned long long parsed = strtoull(text, &end, 10);
    if (errno || *end || text[0] == '-') return 0;
    *value = parsed;
    return 1;
}

// ---- frames out ------------------------------------------------------------------------------

static void drop_client(void) {
    if (client >= 0) close(client);
    client = -1;
    inbox_used = 0;
    outbox_used = 0;
}

static void flush_outbox(void) {
    while (client >= 0 && outbox_used > 0) {
        ssize_t sent = send(client, outbox, outbox_used, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (sent <= 0) return drop_client();
        memmove(outbox, outbox + sent, outbox_used - (size_t)sent);
        outbox_used -= (size_t)sent;
    }
}

// Queues one frame of `count` fields; a client that lets MAX_OUTBOX pile up is disconnected
// (it reconnects and gets the whole state in its hello).
static void send_frame(int count, const char *const *fields, const size_t *lengths) {
    if (client < 0) return;
    size_t payload = 0;
    for (int index = 0; index < count; index++) payload += lengths[index] + (index > 0);
    if (outbox_used + 4 + payload > MAX_OUTBOX) {
        say("the agent is not reading; dropping its connection");
        return drop_client();
    }
    unsigned char *cursor = outbox + outbox_used;
    cursor[0] = (unsigned char)(payload >> 24);
    cursor[1] = (unsigned char)(payload >> 16);
    cursor[2] = (unsigned char)(payload >> 8);
    cursor[3] = (unsigned char)payload;
    cursor += 4;
    for (int index = 0; index < count; index++) {
        if (index > 0) *cursor++ = 0;
        memcpy(cursor, fields[index], lengths[index]);
        cursor += lengths[index];
    }
    outbox_used += 4 + payload;
    flush_outbox();
}

static void send_text(int count, ...) {
    const char *fields[8];
    size_t lengths[8];
    va_list arguments;
    va_start(arguments, count);
    for (int index = 0; index < count && index < 8; index++) {
        fields[index] = va_arg(arguments, const char *);
        lengths[index] = strlen(fields[index]);
    }
    va_end(arguments);
    send_frame(count < 8 ? count : 8, fields, lengths);
}

static void send_proc(const char *kind, const struct proc *proc) {
    char pid[16], started[24], running[2], status[16], finished[24];
    snprintf(pid, sizeof pid, "%d", proc->pid);
    snprintf(started, sizeof started, "%lld", proc->started);
    snprintf(running, sizeof running, "%d", proc->running);
    snprintf(status, sizeof status, "%d", proc->status);
    snprintf(finished, sizeof finished, "%lld", proc->finished);
    if (strcmp(kind, "exited") == 0) send_text(5, kind, proc->id, pid, status, finished);
    else send_text(7, kind, proc->id, pid, started, running, status, finished);
}

static void send_hello(void) {
    char lease[24], pid[16];
    snprintf(lease, sizeof lease, "%llu", (unsigned long long)lease_deadline);
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    const char *fields[] = {"hello", PROTOCOL_VERSION, lease, pid, launch_blob ? launch_blob : ""};
    size_t lengths[] = {5, strlen(PROTOCOL_VERSION), strlen(lease), strlen(pid), launch_size};
    send_frame(5, fields, lengths);
    for (int index = 0; index < MAX_PROCS; index++) {
        if (procs[index].used && !procs[index].forgotten) send_proc("proc", &procs[index]);
    }
    send_text(1, "ready");
}

// ---- processes -------------------------------------------------------------------------------

static struct proc *find(const char *id) {
    for (int index = 0; index < MAX_PROCS; index++) {
        if (procs[index].used && !procs[index].forgotten && strcmp(procs[index].id, id) == 0) return &procs[index];
    }
    return NULL;
}

static void release(struct proc *proc) {
    if (proc->out >= 0 || proc->running) return;
    if (proc->log >= 0) close(proc->log);
    free(proc->log_path);
    free(proc->rotated_path);
    memset(proc, 0, sizeof *proc);
}

static void open_log(struct proc *proc) {
    proc->log = open(proc->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    struct stat status;
    proc->log_size = proc->log >= 0 && fstat(proc->log, &status) == 0 ? (long long)status.st_size : 0;
}

// Appends to the log, rotating first when the write would pass the limit (a single write larger
// than the limit goes to an empty file). Write errors drop output: the pod must keep running.
static void append_log(struct proc *proc, const unsigned char *bytes, size_t count) {
    if (proc->log_size > 0 && proc->log_size + (long long)count > proc->log_limit) {
        if (proc->log >= 0) close(proc->log);
        rename(proc->log_path, proc->rotated_path);
        open_log(proc);
    }
    size_t offset = 0;
    while (proc->log >= 0 && offset < count) {
        ssize_t written = write(proc->log, bytes + offset, count - offset);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return;
        offset += (size_t)written;
        proc->log_size += written;
    }
}

// Reads one chunk of a process's output into its log; false once nothing more is there now.
static int drain_output(struct proc *proc) {
    unsigned char buffer[LOG_CHUNK];
    ssize_t count = read(proc->out, buffer, sizeof buffer);
    if (count > 0) {
        append_log(proc, buffer, (size_t)count);
        return 1;
    }
    if (count < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
    close(proc->out);
    proc->out = -1;
    if (proc->forgotten) release(proc);
    return 0;
}

static void start(int count, char **fields) {
    // start id exe cwd log rotated limit argc argv... envc env...
    const char *id = count > 1 ? fields[1] : "";
    uint64_t argc = 0, envc = 0, limit = 0;
    if (count < 10 || strlen(id) == 0 || strlen(id) >= sizeof procs[0].id || !parse_u64(fields[6], &limit) ||
        !parse_u64(fields[7], &argc) || argc == 0 || argc > (uint64_t)count - 9 ||
        !parse_u64(fields[8 + argc], &envc) || envc != (uint64_t)count - 9 - argc) {
        return send_text(2, "error", "malformed start frame");
    }
    char code[16];
    if (find(id) || stopping) {
        snprintf(code, sizeof code, "%d", stopping ? ESHUTDOWN : EEXIST);
        return send_text(4, "failed", id, code, stopping ? "the pod is stopping" : "a process with this id is kept already");
    }
    struct proc *proc = NULL;
    for (int index = 0; index < MAX_PROCS && !proc; index++) if (!procs[index].used) proc = &procs[index];
    if (!proc) {
        snprintf(code, sizeof code, "%d", ENOSPC);
        return send_text(4, "failed", id, code, "the keeper holds its limit of processes");
    }
    const char *log_path = fields[4], *rotated = fields[5], *directory = fields[3];
    int pipe_ends[2] = {-1, -1};
    if (*log_path && pipe2(pipe_ends, O_CLOEXEC) != 0) {
        snprintf(code, sizeof code, "%d", errno);
        return send_text(4, "failed", id, code, "pipe2");
    }
    char **argv = calloc(argc + 1, sizeof *argv);
    char **envp = calloc(envc + 1, sizeof *envp);
    for (uint64_t index = 0; argv && index < argc; index++) argv[index] = fields[8 + index];
    for (uint64_t index = 0; envp && index < envc; index++) envp[index] = fields[9 + argc + index];

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (*log_path) {
        posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], 1);
        posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], 2);
    } else {
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
    }
    /* After the dup2s: nothing but 0-2 reaches a container, as Subprocess does in the agent. */
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (*directory) posix_spawn_file_actions_addchdir_np(&actions, directory);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    pid_t pid = 0;
    int result = argv && envp ? posix_spawn(&pid, fields[2], &actions, &attributes, argv, envp) : ENOMEM;
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    free(argv);
    free(envp);
    if (pipe_ends[1] >= 0) close(pipe_ends[1]);
    if (result != 0) {
        if (pipe_ends[0] >= 0) close(pipe_ends[0]);
        snprintf(code, sizeof code, "%d", result);
        return send_text(4, "failed", id, code, strerror(result));
    }
    memset(proc, 0, sizeof *proc);
    proc->used = 1;
    snprintf(proc->id, sizeof proc->id, "%s", id);
    proc->pid = pid;
    proc->running = 1;
    proc->started = (long long)time(NULL);
    proc->out = pipe_ends[0];
    proc->log = -1;
    proc->log_limit = limit > 0 && limit < LLONG_MAX ? (long long)limit : LLONG_MAX;
    if (proc->out >= 0) {
        fcntl(proc->out, F_SETFL, fcntl(proc->out, F_GETFL) | O_NONBLOCK);
        proc->log_path = strdup(log_path);
        proc->rotated_path = strdup(rotated);
        if (proc->log_path && proc->rotated_path) open_log(proc);
    }
    char pid_text[16], started[24];
    snprintf(pid_text, sizeof pid_text, "%d", pid);
    snprintf(started, sizeof started, "%lld", proc->started);
    send_text(4, "started", id, pid_text, started);
}

static void reap(void) {
    for (;;) {
        int status = 0;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid <= 0) return;
        for (int index = 0; index < MAX_PROCS; index++) {
            struct proc *proc = &procs[index];
            if (!proc->used || !proc->running || proc->pid != pid) continue;
            // The group outlives its leader while grandchildren remain; a process ends with all of it.
            kill(-pid, SIGKILL);
            proc->running = 0;
            proc->status = status;
            proc->finished = (long long)time(NULL);
            if (proc->forgotten) release(proc);
            else send_proc("exited", proc);
        }
    }
}

static int any_running(void) {
    for (int index = 0; index < MAX_PROCS; index++) if (procs[index].used && procs[index].running) return 1;
    return 0;
}

static void signal_groups(int signo) {
    for (int index = 0; index < MAX_PROCS; index++) {
        if (procs[index].used && procs[index].running) kill(-procs[index].pid, signo);
    }
}

// SIGKILLs every process of the keeper's session, including any that left its process group,
// found by their session id in /proc.
static void kill_session(void) {
    signal_groups(SIGKILL);
    pid_t self = getpid();
    DIR *directory = opendir("/proc");
    if (!directory) return;
    struct dirent *entry;
    while ((entry = readdir(directory))) {
        char *end;
        long pid = strtol(entry->d_name, &end, 10);
        if (*end || pid <= 0 || pid == self) continue;
        char path[64], text[1024];
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        int descriptor = open(path, O_RDONLY | O_CLOEXEC);
        if (descriptor < 0) continue;
        ssize_t length = read(descriptor, text, sizeof text - 1);
        close(descriptor);
        if (length <= 0) continue;
        text[length] = 0;
        char *close_paren = strrchr(text, ')');
        char state;
        int parent, group, session;
        if (close_paren && sscanf(close_paren + 1, " %c %d %d %d", &state, &parent, &group, &session) == 4 &&
            session == self) {
            kill((pid_t)pid, SIGKILL);
        }
    }
    closedir(directory);
}

// The hierarchies a container's processes appear in: cgroup v1's controllers (runc joins every
// one it finds), then v2's unified tree. Killing through one that holds the pod is enough;
// trying each covers hosts that mount only some of them.
static const char *const hierarchies[] = {
    "/sys/fs/cgroup/pids", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/freezer", "/sys/fs/cgroup/systemd",
    "/sys/fs/cgroup/unified", "/sys/fs/cgroup",
};

// SIGKILLs every process in the cgroup at `path` and its descendants (to a bounded depth).
// Returns how many it signalled.
static int kill_tree(const char *path, int depth) {
    int signalled = 0;
    char file[PATH_MAX];
    if (snprintf(file, sizeof file, "%s/cgroup.procs", path) >= (int)sizeof file) return 0;
    FILE *procs_file = fopen(file, "re");
    if (procs_file) {
        long pid;
        while (fscanf(procs_file, "%ld", &pid) == 1) {
            if (pid > 0 && pid != getpid() && kill((pid_t)pid, SIGKILL) == 0) signalled++;
        }
        fclose(procs_file);
    }
    if (depth >= 8) return signalled;
    DIR *directory = opendir(path);
    if (!directory) return signalled;
    struct dirent *entry;
    while ((entry = readdir(directory))) {
        if (entry->d_type != DT_DIR || entry->d_name[0] == '.') continue;
        if (snprintf(file, sizeof file, "%s/%s", path, entry->d_name) >= (int)sizeof file) continue;
        signalled += kill_tree(file, depth + 1);
    }
    closedir(directory);
    return signalled;
}

static void write_freezer(const char *state) {
    char file[PATH_MAX];
    if (snprintf(file, sizeof file, "/sys/fs/cgroup/freezer/%s/freezer.state", pod_cgroup) >= (int)sizeof file) return;
    int descriptor = open(file, O_WRONLY | O_CLOEXEC);
    if (descriptor < 0) return;
    ssize_t ignored = write(descriptor, state, strlen(state));
    (void)ignored;
    close(descriptor);
}

// Kills every process of the pod's cgroup, frozen first so none can fork past the kill, for up
// to two seconds (a process in uninterruptible sleep dies when it wakes).
static void kill_cgroup(void) {
    if (!pod_cgroup) return;
    write_freezer("FROZEN");
    uint64_t until = monotonic_ns() + 2000000000ull;
    for (int round = 0; monotonic_ns() < until; round++) {
        int signalled = 0;
        for (size_t index = 0; index < sizeof hierarchies / sizeof hierarchies[0]; index++) {
            char path[PATH_MAX];
            if (snprintf(path, sizeof path, "%s/%s", hierarchies[index], pod_cgroup) >= (int)sizeof path) continue;
            signalled += kill_tree(path, 0);
        }
        if (round == 0) write_freezer("THAWED");
        if (signalled == 0) break;
        usleep(10000);
    }
    write_freezer("THAWED");
}

// Says why, kills what is left, reaps it for up to half a second (the agent hears each exit
// after the reason, so it restarts none of them), and exits.
static void finish(const char *why) {
    send_text(1, why);
    kill_session();
    kill_cgroup();
    uint64_t until = monotonic_ns() + 500000000ull;
    while (any_running() && monotonic_ns() < until) {
        reap();
        if (any_running()) usleep(5000);
    }
    // What the processes wrote before they died; a pipe still held open from outside the
    // session is read as far as it goes now, never waited for.
    for (int index = 0; index < MAX_PROCS; index++) {
        for (int round = 0; round < 64 && procs[index].used && procs[index].out >= 0; round++) {
            if (!drain_output(&procs[index])) break;
        }
    }
    until = monotonic_ns() + 1000000000ull;
    while (client >= 0 && outbox_used > 0 && monotonic_ns() < until) {
        struct pollfd descriptor = {client, POLLOUT, 0};
        poll(&descriptor, 1, 50);
        flush_outbox();
    }
    if (socket_path) unlink(socket_path);
    if (strcmp(why, "stopped") != 0) say("exiting: %s", why);
    exit(0);
}

// A pod whose writes must ship before the lease can end (a replicated volume) is frozen once
// its agent has not renewed for a while, so nothing is written that cannot be replicated, and
// thawed at the next renewal: the cgroup freezer for a container pod, SIGSTOP and SIGCONT to
// every process group for a pod of processes.
static void set_frozen(int on) {
    if (frozen == on) return;
    frozen = on;
    if (pod_cgroup) {
        write_freezer(on ? "FROZEN" : "THAWED");
    } else {
        signal_groups(on ? SIGSTOP : SIGCONT);
    }
    say(on ? "froze the pod: no lease renewal for %llu ms" : "thawed the pod (%llu ms since the previous renewal)",
        (unsigned long long)((monotonic_ns() - last_renewal) / 1000000ull));
}

static void begin_stop(uint64_t grace) {
    if (stopping) return;
    stopping = 1;
    uint64_t now = monotonic_ns();
    stop_deadline = grace > UINT64_MAX - now ? UINT64_MAX : now + grace;
    signal_groups(SIGTERM);
}

// ---- frames in -------------------------------------------------------------------------------

static void handle_frame(unsigned char *payload, size_t length) {
    static char *fields[MAX_FIELDS];
    int count = 0;
    fields[count++] = (char *)payload;
    for (size_t index = 0; index < length; index++) {
        if (payload[index] != 0) continue;
        if (count == MAX_FIELDS) return send_text(2, "error", "too many fields");
        fields[count++] = (char *)payload + index + 1;
    }
    payload[length] = 0;
    const char *kind = fields[0];
    uint64_t value = 0;
    if (strcmp(kind, "launch") == 0 && count == 2) {
        size_t size = strlen(fields[1]);
        char *copy = malloc(size + 1);
        if (!copy) return send_text(2, "error", "out of memory");
        memcpy(copy, fields[1], size + 1);
        free(launch_blob);
        launch_blob = copy;
        launch_size = size;
    } else if (strcmp(kind, "lease") == 0 && count == 2 && parse_u64(fields[1], &value)) {
        if (value > lease_deadline) lease_deadline = value;
        if (frozen) set_frozen(0);
        last_renewal = monotonic_ns();
    } else if (strcmp(kind, "freeze") == 0 && count == 2 && parse_u64(fields[1], &value) && value > 0) {
        freeze_after_ns = value;
    } else if (strcmp(kind, "start") == 0) {
        start(count, fields);
    } else if (strcmp(kind, "signal") == 0 && count == 3 && parse_u64(fields[2], &value) && value > 0 && value < 65) {
        struct proc *proc = find(fields[1]);
        if (proc && proc->running) kill(-proc->pid, (int)value);
    } else if (strcmp(kind, "forget") == 0 && count == 2) {
        struct proc *proc = find(fields[1]);
        if (proc && !proc->running) {
            proc->forgotten = 1;
            release(proc);
        }
    } else if (strcmp(kind, "stop") == 0 && count == 2 && parse_u64(fields[1], &value)) {
        begin_stop(value);
    } else {
        send_text(2, "error", "unknown or malformed frame");
    }
}

static void read_client(void) {
    ssize_t count = recv(client, inbox + inbox_used, MAX_FRAME + 5 - inbox_used, MSG_DONTWAIT);
    if (count < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (count <= 0) return drop_client();
    inbox_used += (size_t)count;
    size_t offset = 0;
    while (inbox_used - offset >= 4) {
        const unsigned char *header = inbox + offset;
        size_t length = (size_t)header[0] << 24 | (size_t)header[1] << 16 | (size_t)header[2] << 8 | header[3];
        if (length > MAX_FRAME) {
            say("the agent sent a frame of %zu bytes (at most %u); dropping its connection", length, MAX_FRAME);
            return drop_client();
        }
        if (inbox_used - offset - 4 < length) break;
        unsigned char saved = inbox[offset + 4 + length];
        handle_frame(inbox + offset + 4, length);
        if (client < 0) return;
        inbox[offset + 4 + length] = saved;
        offset += 4 + length;
    }
    memmove(inbox, inbox + offset, inbox_used - offset);
    inbox_used -= offset;
}

// A new connection replaces the current one: it is the agent, restarted. Only the keeper's own
// user may connect (the socket's directory is the agent's, 0700, and SO_PEERCRED says so again).
static void accept_client(void) {
    int connection = accept4(listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (connection < 0) return;
    struct ucred peer;
    socklen_t size = sizeof peer;
    if (getsockopt(connection, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0 || peer.uid != geteuid()) {
        close(connection);
        return;
    }
    drop_client();
    client = connection;
    send_hello();
}

static void close_inherited(void) {
    DIR *directory = opendir("/proc/self/fd");
    if (!directory) return;
    int own = dirfd(directory);
    int open_descriptors[1024];
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(directory)) && count < 1024) {
        char *end;
        long descriptor = strtol(entry->d_name, &end, 10);
        if (!*end && descriptor > 2 && descriptor != own) open_descriptors[count++] = (int)descriptor;
    }
    closedir(directory);
    for (int index = 0; index < count; index++) close(open_descriptors[index]);
}

// Listens at `path`, which must not exist: the agent removes a socket nobody listens at and
// never starts a second keeper where one listens. Only the owner may enter it (umask 077).
static int listen_at(const char *path) {
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof address.sun_path) {
        say("socket path too long: %s", path);
        return -1;
    }
    strcpy(address.sun_path, path);
    int descriptor = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    umask(077);
    if (descriptor < 0 || bind(descriptor, (struct sockaddr *)&address, sizeof address) != 0 || listen(descriptor, 8) != 0) {
        say("cannot listen at %s: %s", path, strerror(errno));
        return -1;
    }
    return descriptor;
}

static void exit_quietly(int signo) {
    (void)signo;
    _exit(0);
}

static void reap_children(int signo) {
    (void)signo;
    int saved = errno;
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
    errno = saved;
}

// `ordinal-keeper pause`: the image `ordinal/pause` and the sandboxes' pause container, as small
// as Kubernetes' own pause (a Swift process costs a pod about 2 MiB more). SIGTERM and SIGINT
// end it with status 0; as a pod's PID 1 it reaps the orphans it inherits.
static int pause_forever(void) {
    signal(SIGTERM, exit_quietly);
    signal(SIGINT, exit_quietly);
    signal(SIGCHLD, reap_children);
    for (;;) pause();
}

int main(int argc, char **argv) {
    // ordinal-keeper <socket path> <lease ns> <grace ns> [<cgroup>] <namespace/name> <uid> <epoch>
    // (the identity stays last, where outside checkers read it)
    if (argc == 2 && strcmp(argv[1], "pause") == 0) return pause_forever();
    uint64_t lease = 0;
    if ((argc != 7 && argc != 8) || !parse_u64(argv[2], &lease) || !parse_u64(argv[3], &grace_ns) ||
        (argc == 8 && (argv[4][0] == 0 || argv[4][0] == '/' || strstr(argv[4], "..")))) {
        fprintf(stderr, "usage: ordinal-keeper <socket> <lease ns> <grace ns> [<cgroup>] <namespace/name> <uid> <epoch>\n"
                        "(the agent starts keepers; fd 0 must be a connected stream socket; the cgroup is\n"
                        "relative to each hierarchy, without ..)\n");
        return 64;
    }
    if (argc == 8) pod_cgroup = argv[4];
    identity = argv[argc - 3];
    lease_deadline = lease;
    close_inherited();
    int type = 0;
    socklen_t size = sizeof type;
    if (getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &size) != 0 || type != SOCK_STREAM) {
        say("fd 0 is not a stream socket");
        return 64;
    }
    fcntl(0, F_SETFD, FD_CLOEXEC);
    fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
    listener = listen_at(argv[1]);
    if (listener < 0) return 69;
    socket_path = argv[1];
    client = 0;
    inbox = malloc(MAX_FRAME + 6);
    outbox = malloc(MAX_OUTBOX);
    if (!inbox || !outbox) return 70;
    sigset_t handled;
    sigemptyset(&handled);
    sigaddset(&handled, SIGCHLD);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGINT);
    sigprocmask(SIG_BLOCK, &handled, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signals = signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK);
    if (signals < 0) return 71;
    last_renewal = monotonic_ns();
    send_hello();

    struct pollfd descriptors[3 + MAX_PROCS];
    struct proc *streams[MAX_PROCS];
    for (;;) {
        uint64_t now = monotonic_ns();
        if (now >= lease_deadline) finish("expired");
        if (stopping && !stop_killed && now >= stop_deadline) {
            stop_killed = 1;
            signal_groups(SIGKILL);
        }
        if (stopping && !any_running()) finish("stopped");
        // A stopping pod is thawed so its processes can take the stop signal.
        uint64_t freeze_at = freeze_after_ns && last_renewal <= UINT64_MAX - freeze_after_ns ? last_renewal + freeze_after_ns : UINT64_MAX;
        if (stopping && frozen) set_frozen(0);
        if (freeze_after_ns && !stopping && !frozen && now >= freeze_at) set_frozen(1);
        uint64_t wake = lease_deadline;
        if (stopping && !stop_killed && stop_deadline < wake) wake = stop_deadline;
        if (freeze_after_ns && !stopping && !frozen && freeze_at < wake) wake = freeze_at;
        uint64_t wait_ms = (wake - now) / 1000000ull + 1;
        int timeout = wait_ms > INT_MAX ? INT_MAX : (int)wait_ms;

        int count = 0;
        descriptors[count++] = (struct pollfd){listener, POLLIN, 0};
        descriptors[count++] = (struct pollfd){signals, POLLIN, 0};
        descriptors[count++] = (struct pollfd){client, (short)(POLLIN | (outbox_used ? POLLOUT : 0)), 0};
        int stream_count = 0;
        for (int index = 0; index < MAX_PROCS; index++) {
            if (!procs[index].used || procs[index].out < 0) continue;
            streams[stream_count++] = &procs[index];
            descriptors[count++] = (struct pollfd){procs[index].out, POLLIN, 0};
        }
        if (poll(descriptors, (nfds_t)count, timeout) < 0 && errno != EINTR) usleep(10000);

        if (descriptors[1].revents) {
            struct signalfd_siginfo info;
            while (read(signals, &info, sizeof info) == sizeof info) {
                if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) begin_stop(grace_ns);
            }
            reap();
        }
        for (int index = 0; index < stream_count; index++) {
            if (descriptors[3 + index].revents) drain_output(streams[index]);
        }
        if (client >= 0 && descriptors[2].revents & POLLOUT) flush_outbox();
        if (client >= 0 && descriptors[2].revents & (POLLIN | POLLHUP | POLLERR)) read_client();
        if (descriptors[0].revents) accept_client();
    }
}
