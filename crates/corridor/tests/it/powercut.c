/*
 * powercut.c — an LD_PRELOAD shim that lets the crash harness (crash_server.rs) simulate a
 * power cut, not just a killed process.
 *
 * SIGKILL ends a process but leaves its writes in the operating system's page cache, where they
 * reach the disk sooner or later: a database that acknowledged a commit before syncing it would
 * still pass a SIGKILL test. A power cut loses everything written after the last sync. This shim
 * records, for every file directly inside the directory named by CORRIDOR_POWERCUT_DIR, what the
 * file held when it was last synced: after each successful fsync(2) or fdatasync(2) of such a
 * file it copies the file's whole content to `FILE.synced` (through a temporary name and a
 * rename, so a copy is either complete or absent). At the "power cut" the harness kills the
 * processes and puts every `FILE.synced` in place of `FILE`; a file that was never synced is
 * deleted, and SQLite's `-shm` index (shared memory, rebuilt from the WAL on recovery) is deleted.
 *
 * The model, written as what is lost: every write to a file after that file's last successful
 * fsync or fdatasync is lost; a file never synced is lost whole. A file's directory entry is kept
 * once its content has been synced (a stricter model would also demand a sync of the directory;
 * SQLite syncs the directory after creating its WAL, so it would not change the outcome here).
 * Deleting a file is not durable: a file deleted after it was synced comes back. sync(2),
 * syncfs(2), sync_file_range(2), msync(2) and O_SYNC are not treated as syncs: a program relying on
 * them would be reported as losing data (SQLite uses none of them by default).
 *
 * With CORRIDOR_POWERCUT_IGNORE_SYNCS=1 no copy is made: a disk that acknowledges syncs and keeps
 * nothing, with which the harness shows it notices lost writes.
 *
 * The copy is made after the real sync returns and before the caller sees it return, under an
 * flock(2) on `powercut.lock` in the directory, so copies from several processes are taken and
 * renamed in order. A copy that cannot be made aborts the process: a wrong model must not pass.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCK_NAME "powercut.lock"
#define SHADOW_SUFFIX ".synced"

static pthread_mutex_t snapshot_mutex = PTHREAD_MUTEX_INITIALIZER;
static unsigned long snapshot_counter = 0;

static int ends_with(const char *text, const char *suffix) {
    size_t text_length = strlen(text);
    size_t suffix_length = strlen(suffix);
    return text_length >= suffix_length &&
           strcmp(text + text_length - suffix_length, suffix) == 0;
}

static void fail(const char *what, const char *path) {
    fprintf(stderr, "powercut: %s `%s`: %s\n", what, path, strerror(errno));
    abort();
}

/* Whether `fd` is a regular file directly inside the watched directory (and not one of the
 * shim's own files or SQLite's shared-memory index); its path goes to `path`. */
static int tracked(int fd, char *path, size_t size) {
    const char *dir = getenv("CORRIDOR_POWERCUT_DIR");
    if (dir == NULL || *dir == '\0') {
        return 0;
    }
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t length = readlink(link, path, size - 1);
    if (length <= 0) {
        return 0;
    }
    path[length] = '\0';
    size_t dir_length = strlen(dir);
    if (strncmp(path, dir, dir_length) != 0 || path[dir_length] != '/') {
        return 0;
    }
    const char *name = path + dir_length + 1;
    if (strchr(name, '/') != NULL || strcmp(name, LOCK_NAME) == 0 ||
        strstr(name, SHADOW_SUFFIX) != NULL || ends_with(name, "-shm") ||
        ends_with(name, " (deleted)")) {
        return 0;
    }
    struct stat status;
    return fstat(fd, &status) == 0 && S_ISREG(status.st_mode);
}

/* Copies the content of `fd`'s file, as it is now, to `path.synced`. */
static void snapshot(int fd, const char *path) {
    const char *dir = getenv("CORRIDOR_POWERCUT_DIR");
    char lock_path[PATH_MAX];
    char temporary[PATH_MAX + 64];
    char shadow[PATH_MAX + 16];
    char link[64];
    snprintf(lock_path, sizeof lock_path, "%s/%s", dir, LOCK_NAME);
    snprintf(shadow, sizeof shadow, "%s%s", path, SHADOW_SUFFIX);
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);

    pthread_mutex_lock(&snapshot_mutex);
    snprintf(temporary, sizeof temporary, "%s%s.tmp.%ld.%lu", path, SHADOW_SUFFIX,
             (long)getpid(), snapshot_counter++);
    int lock = open(lock_path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (lock < 0) {
        fail("cannot open the lock", lock_path);
    }
    while (flock(lock, LOCK_EX) != 0) {
        if (errno != EINTR) {
            fail("cannot lock", lock_path);
        }
    }
    /* Reopened through /proc so the copy reads this very file, whatever its name is now. */
    int source = open(link, O_RDONLY | O_CLOEXEC);
    if (source < 0) {
        fail("cannot reopen", path);
    }
    int target = open(temporary, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
    if (target < 0) {
        fail("cannot create", temporary);
    }
    static char buffer[1 << 20];
    off_t offset = 0;
    for (;;) {
        ssize_t got = pread(source, buffer, sizeof buffer, offset);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            fail("cannot read", path);
        }
        if (got == 0) {
            break;
        }
        ssize_t written = 0;
        while (written < got) {
            ssize_t put = write(target, buffer + written, (size_t)(got - written));
            if (put < 0 && errno == EINTR) {
                continue;
            }
            if (put < 0) {
                fail("cannot write", temporary);
            }
            written += put;
        }
        offset += got;
    }
    close(source);
    if (close(target) != 0) {
        fail("cannot close", temporary);
    }
    if (rename(temporary, shadow) != 0) {
        fail("cannot rename to", shadow);
    }
    flock(lock, LOCK_UN);
    close(lock);
    pthread_mutex_unlock(&snapshot_mutex);
}

static int after_sync(int fd, int result) {
    /* The harness's own test: a disk that acknowledges syncs and keeps nothing. */
    const char *lying = getenv("CORRIDOR_POWERCUT_IGNORE_SYNCS");
    if (lying != NULL && strcmp(lying, "1") == 0) {
        return result;
    }
    if (result == 0) {
        int saved = errno;
        char path[PATH_MAX];
        if (tracked(fd, path, sizeof path)) {
            snapshot(fd, path);
        }
        errno = saved;
    }
    return result;
}

int fsync(int fd) {
    static int (*real)(int) = NULL;
    if (real == NULL) {
        real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    }
    return after_sync(fd, real(fd));
}

int fdatasync(int fd) {
    static int (*real)(int) = NULL;
    if (real == NULL) {
        real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    }
    return after_sync(fd, real(fd));
}
