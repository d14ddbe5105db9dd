/*
 * se-init: the sandbox's process helper (see /work/shared/design/SANDBOX.md).
 *
 * Two modes, both in this one static binary so the chain needs no extra files:
 *
 *   se-init launch [--cgroup PROCS_FILE]... [--uid N --gid N] [--nproc N] -- BWRAP ARGS...
 *     Runs first, as root, outside the sandbox. Moves itself into the run's cgroups (so every
 *     process the sandbox ever makes is counted from the first instruction), drops to the slot
 *     uid/gid with no supplementary groups, and execs bwrap with an empty environment. Node cannot
 *     run code between fork and exec, hence this step.
 *
 *   se-init run --report-fd N [--cpu SEC] [--fsize BYTES] [--nofile N] [--stack BYTES]
 *               [--wall-ms MS] [--data BYTES] [--mem-kb KB]
 *               [--pre-fd FD --pre-wall-ms MS --pre ARG...] -- PROGRAM ARGS...
 *     Runs as PID 1 inside the sandbox (bwrap --as-pid-1). Non-dumpable, so the program can neither
 *     ptrace it nor read its /proc/1/{environ,mem,...}. Forks and execs the program with rlimits,
 *     reaps every process of the pid namespace, kills whatever is left once the program exits (or
 *     the wall timer fires), and writes one JSON line of figures to the report fd, which the
 *     program never sees. fds 3..8 are left open for the program (custom judges use them); every
 *     other inherited fd >= 9 is closed in the child. SIGUSR1 sent from outside the sandbox (the
 *     engine, when the output cap is hit) stops the program the same way the wall timer does.
 *
 *     With --gate-fd: waits for one byte ('g') on FD before anything else (the engine sets the
 *     next stage's sandbox up while the current one runs); end of file instead means the stage
 *     is not wanted, and se-init exits at once, writing no report.
 *     With --pre: before the program, runs the command given by the --pre arguments (at most 16)
 *     with its stdout on FD (one of 3..8), stdin and stderr on /dev/null, capped at its own wall
 *     time, then kills what it left and closes FD, so the program never has it. The program's
 *     timers and figures start after it. The Containers module takes a stage's snapshot of the
 *     workspace this way (the files the stage starts from), without a second sandbox.
 *
 *   se-init guard [--cgroup DIR]... [--remove DIR]...
 *     Started by the engine at start, in its own session, with a pipe on stdin. When the pipe
 *     closes (the engine exited, however it died: SIGKILL included), kills every process left in
 *     the cgroup subtrees DIR (all their descendants), removes them, detaches the program folders'
 *     tmpfs mounts under each folder DIR and removes the folders with
 *     `rm -rf` (which descends with openat, so chains deeper than PATH_MAX go too). Nothing of a
 *     run outlives the engine.
 *
 * Figures come from inside the namespace because wait4() on bwrap loses them once a pid namespace
 * is used (measured: 0.00 s and 1.9 MB for a program that used 0.77 s and 212 MB).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The highest fd the program may inherit (custom judges use 3..8). */
#define LAST_PROGRAM_FD 8

static void die(const char *what) {
  dprintf(2, "se-init: %s: %s\n", what, strerror(errno));
  _exit(125);
}

static void usage(void) {
  dprintf(2, "usage: se-init launch [--cgroup FILE]... [--uid N --gid N] [--nproc N] -- CMD...\n"
             "       se-init run --report-fd N [--cpu S] [--fsize B] [--nofile N] [--stack B]"
             " [--wall-ms MS] [--data B] [--mem-kb KB]"
             " [--gate-fd FD] [--pre-fd FD --pre-wall-ms MS --pre ARG...] -- CMD...\n"
             "       se-init guard [--cgroup DIR]... [--remove DIR]...\n");
  _exit(125);
}

static long long num(const char *s) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || *s == '\0' || *end != '\0' || v < 0) usage();
  return v;
}

static void write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    buf += n;
    len -= (size_t)n;
  }
}

/* Writes a short value into a /proc file; quietly does nothing when it cannot. */
static void write_file(const char *path, const char *value) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;
  if (write(fd, value, strlen(value)) < 0) {
    /* not allowed here (not root, an older kernel): the default stays */
  }
  close(fd);
}

static void close_from(unsigned int first, unsigned int keep) {
  /* close_range(2) exists since Linux 5.9; fall back to a loop on older kernels. */
  if (keep < first) {
    if (syscall(SYS_close_range, first, ~0U, 0) == 0) return;
  } else {
    if (syscall(SYS_close_range, first, keep - 1, 0) == 0 &&
        syscall(SYS_close_range, keep + 1, ~0U, 0) == 0)
      return;
  }
  long max = sysconf(_SC_OPEN_MAX);
  if (max < 0 || max > 65536) max = 65536;
  for (long fd = first; fd < max; fd++)
    if ((unsigned int)fd != keep) close((int)fd);
}

/* ---- launch mode ---------------------------------------------------------------------------- */

static int launch(int argc, char **argv) {
  long long uid = -1, gid = -1, nproc = -1;
  int i = 2;
  pid_t engine = getppid();
  char pid[32];
  snprintf(pid, sizeof pid, "%d\n", (int)getpid());
  for (; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    } else if (strcmp(argv[i], "--cgroup") == 0 && i + 1 < argc) {
      int fd = open(argv[++i], O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0) die(argv[i]);
      if (write(fd, pid, strlen(pid)) < 0) die(argv[i]);
      close(fd);
    } else if (strcmp(argv[i], "--uid") == 0 && i + 1 < argc) {
      uid = num(argv[++i]);
    } else if (strcmp(argv[i], "--gid") == 0 && i + 1 < argc) {
      gid = num(argv[++i]);
    } else if (strcmp(argv[i], "--nproc") == 0 && i + 1 < argc) {
      nproc = num(argv[++i]);
    } else {
      usage();
    }
  }
  if (i >= argc) usage();
  if ((uid < 0) != (gid < 0)) usage();
  /*
   * The OOM killer never picks the chain (this launcher, bwrap, the PID-1 helper): as root, the
   * lowest score, inherited by all of them; the program raises its own back (run mode). Without
   * it, a box full of empty files (kernel memory no process owns) lost bwrap, and the run was 20.
   */
  if (getuid() == 0) write_file("/proc/self/oom_score_adj", "-1000");
  if (uid >= 0) {
    if (setgroups(0, NULL) != 0) die("setgroups");
    if (setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) != 0) die("setresgid");
    if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) != 0) die("setresuid");
    if (getuid() != (uid_t)uid || geteuid() != (uid_t)uid || getgid() != (gid_t)gid) {
      errno = EPERM;
      die("dropping privileges");
    }
  }
  /*
   * Die with the engine from here on (bwrap --die-with-parent takes over after the exec). Set
   * after the credential change, which clears it; an engine that died before this line is seen
   * by getppid().
   */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) die("PR_SET_PDEATHSIG");
  if (getppid() != engine) _exit(125);
  /* Without a pids cgroup: the slot uid's process count (this run's only) is the fork limit. */
  if (nproc >= 0) {
    struct rlimit rl = {(rlim_t)nproc, (rlim_t)nproc};
    if (setrlimit(RLIMIT_NPROC, &rl) != 0) die("setrlimit NPROC");
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("PR_SET_NO_NEW_PRIVS");
  char *empty_env[] = {NULL};
  execve(argv[i], &argv[i], empty_env);
  die(argv[i]);
  return 125;
}

/* ---- run mode (PID 1 in the sandbox) ---------------------------------------------------------- */

static volatile sig_atomic_t wall_killed = 0, stopped = 0;

/*
 * Without a memory cgroup (--mem-kb): the resident memory of every process in the namespace but
 * this one, summed from /proc/N/statm without file-backed pages (anonymous pages a fork shares count
 * once per process: an upper bound),
 * plus what the files in /tmp and /dev/shm hold (their data, and 1 KiB per inode).
 */
static long long namespace_rss_kb(void) {
  DIR *d = opendir("/proc");
  if (!d) return 0;
  long long pages = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9' || strcmp(e->d_name, "1") == 0) continue;
    char path[300], buf[128];
    snprintf(path, sizeof path, "/proc/%s/statm", e->d_name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) continue;
    buf[n] = 0;
    /* resident minus file-backed shared pages (libraries, the interpreter's binary) */
    long long size = 0, resident = 0, shared = 0;
    if (sscanf(buf, "%lld %lld %lld", &size, &resident, &shared) == 3 && resident > shared)
      pages += resident - shared;
  }
  closedir(d);
  long long kb = pages * (sysconf(_SC_PAGESIZE) / 1024);
  /* the box's tmpfs folders are memory too (a memory cgroup charges them); /box only when it is
     a run stage's own tmpfs (a compile stage's /box is the host folder) */
  static const char *const tmpfs[] = {"/tmp", "/dev/shm", "/box"};
  for (size_t i = 0; i < sizeof tmpfs / sizeof tmpfs[0]; i++) {
    struct statfs f;
    if (statfs(tmpfs[i], &f) != 0 || f.f_type != TMPFS_MAGIC) continue;
    struct statvfs v;
    if (statvfs(tmpfs[i], &v) == 0) {
      kb += (long long)(v.f_blocks - v.f_bfree) * (long long)v.f_frsize / 1024;
      /* and every inode there, empty files included: about 1 KiB of kernel memory each */
      kb += (long long)(v.f_files - v.f_ffree);
    }
  }
  return kb;
}

static void on_alarm(int sig, siginfo_t *info, void *ctx) {
  (void)sig;
  (void)ctx;
  /* Only the kernel's timer counts: a kill() from the program (si_code <= 0) is ignored. */
  if (info->si_code <= 0) return;
  wall_killed = 1;
  kill(-1, SIGKILL); /* as PID 1: every process of the namespace but this one */
}

/*
 * SIGUSR1 from the engine (the output cap was hit): stop the program but still report figures.
 * A sender outside this pid namespace shows as si_pid 0; the program itself cannot forge that.
 */
static void on_stop(int sig, siginfo_t *info, void *ctx) {
  (void)sig;
  (void)ctx;
  if (info->si_code != SI_USER || info->si_pid != 0) return;
  stopped = 1;
  kill(-1, SIGKILL);
}

static long long ms_between(const struct timespec *a, const struct timespec *b) {
  return (b->tv_sec - a->tv_sec) * 1000LL + (b->tv_nsec - a->tv_nsec) / 1000000LL;
}

static void set_limit(int resource, rlim_t soft, rlim_t hard) {
  struct rlimit rl = {soft, hard};
  if (setrlimit(resource, &rl) != 0) {
    /* Never raise above what we have: clamp to the current hard limit. */
    struct rlimit cur;
    if (getrlimit(resource, &cur) == 0) {
      if (rl.rlim_max > cur.rlim_max) rl.rlim_max = cur.rlim_max;
      if (rl.rlim_cur > rl.rlim_max) rl.rlim_cur = rl.rlim_max;
      if (setrlimit(resource, &rl) == 0) return;
    }
    die("setrlimit");
  }
}

#define MAX_PRE_ARGS 16

/*
 * The --pre command: forked with stdout on `fd`, waited for at most `wall_ms` (then killed), and
 * everything it left is killed and reaped before this returns, so the program starts alone.
 * Returns its exit code (-1 when a signal ended it); *killed is 1 when its time ran out.
 */
static int run_pre(char **argv, int fd, long long wall_ms, int *killed) {
  sigset_t chld, old;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &old);
  pid_t p = fork();
  if (p < 0) die("fork");
  if (p == 0) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0 || dup2(fd, 1) < 0 || dup2(null, 0) < 0 || dup2(null, 2) < 0) _exit(126);
    close_from(3, 0);
    umask(022);
    execv(argv[0], argv);
    _exit(127);
  }
  struct timespec now, end;
  clock_gettime(CLOCK_MONOTONIC, &end);
  long long ms = wall_ms > 0 ? wall_ms : 20000;
  end.tv_sec += ms / 1000;
  end.tv_nsec += (ms % 1000) * 1000000L;
  if (end.tv_nsec >= 1000000000L) {
    end.tv_sec++;
    end.tv_nsec -= 1000000000L;
  }
  int st = 0, done = 0;
  while (!done) {
    pid_t w = waitpid(p, &st, WNOHANG);
    if (w == p) {
      done = 1;
      break;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long left = (end.tv_sec - now.tv_sec) * 1000000000LL + (end.tv_nsec - now.tv_nsec);
    if (left <= 0) {
      *killed = 1;
      break;
    }
    struct timespec wait = {left / 1000000000LL, left % 1000000000LL};
    sigtimedwait(&chld, NULL, &wait); /* a SIGCHLD, or the time is up */
  }
  kill(-1, SIGKILL); /* the command and whatever it started; PID 1 itself is spared */
  while (wait4(-1, NULL, __WALL, NULL) > 0 || errno == EINTR)
    ;
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (*killed) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int run(int argc, char **argv) {
  long long report_fd = -1, cpu = -1, fsize = -1, nofile = -1, stack = -1, wall_ms = -1, data = -1,
            mem_kb = -1, pre_fd = -1, pre_wall_ms = -1, gate_fd = -1;
  char *pre_argv[MAX_PRE_ARGS + 1];
  int pre_argc = 0;
  int i = 2;
  for (; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    }
    if (i + 1 >= argc) usage();
    if (strcmp(argv[i], "--report-fd") == 0) report_fd = num(argv[++i]);
    else if (strcmp(argv[i], "--cpu") == 0) cpu = num(argv[++i]);
    else if (strcmp(argv[i], "--fsize") == 0) fsize = num(argv[++i]);
    else if (strcmp(argv[i], "--nofile") == 0) nofile = num(argv[++i]);
    else if (strcmp(argv[i], "--stack") == 0) stack = num(argv[++i]);
    else if (strcmp(argv[i], "--wall-ms") == 0) wall_ms = num(argv[++i]);
    else if (strcmp(argv[i], "--data") == 0) data = num(argv[++i]);
    else if (strcmp(argv[i], "--mem-kb") == 0) mem_kb = num(argv[++i]);
    else if (strcmp(argv[i], "--pre-fd") == 0) pre_fd = num(argv[++i]);
    else if (strcmp(argv[i], "--gate-fd") == 0) gate_fd = num(argv[++i]);
    else if (strcmp(argv[i], "--pre-wall-ms") == 0) pre_wall_ms = num(argv[++i]);
    else if (strcmp(argv[i], "--pre") == 0 && pre_argc < MAX_PRE_ARGS) pre_argv[pre_argc++] = argv[++i];
    else usage();
  }
  pre_argv[pre_argc] = NULL;
  if (i >= argc || report_fd <= LAST_PROGRAM_FD) usage();
  if ((pre_argc > 0) != (pre_fd >= 0) || (pre_fd >= 0 && (pre_fd < 3 || pre_fd > LAST_PROGRAM_FD)))
    usage();
  if (fcntl((int)report_fd, F_SETFD, FD_CLOEXEC) != 0) die("report fd");
  if (gate_fd >= 0) {
    if (gate_fd <= LAST_PROGRAM_FD || gate_fd == report_fd) usage();
    char go = 0;
    ssize_t n;
    do n = read((int)gate_fd, &go, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1 || go != 'g') _exit(0); /* not wanted: nothing ran, nothing to report */
    close((int)gate_fd);
  }

  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) die("PR_SET_DUMPABLE");

  /* exec failures travel back on a close-on-exec pipe placed above the program's fds */
  int errpipe[2];
  if (pipe2(errpipe, O_CLOEXEC) != 0) die("pipe");
  for (int k = 0; k < 2; k++) {
    if (errpipe[k] <= LAST_PROGRAM_FD || errpipe[k] == report_fd) {
      int moved = fcntl(errpipe[k], F_DUPFD_CLOEXEC, (int)report_fd + 1);
      if (moved < 0) die("fcntl");
      close(errpipe[k]);
      errpipe[k] = moved;
    }
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_alarm;
  sa.sa_flags = SA_SIGINFO; /* no SA_RESTART: wait4 must see the interruption */
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGALRM, &sa, NULL) != 0) die("sigaction");
  sa.sa_sigaction = on_stop;
  if (sigaction(SIGUSR1, &sa, NULL) != 0) die("sigaction");

  int pre_exit = -1, pre_killed = 0;
  if (pre_argc > 0) {
    pre_exit = run_pre(pre_argv, (int)pre_fd, pre_wall_ms, &pre_killed);
    close((int)pre_fd);
  }

  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGALRM, &dfl, NULL);
    sigaction(SIGUSR1, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    close(errpipe[0]);
    close((int)report_fd);
    close_from(LAST_PROGRAM_FD + 1, (unsigned int)errpipe[1]);
    umask(022);
    /* the program is the OOM killer's first choice (the chain is at -1000 when the engine is
       root); /proc/self is writable only while this process is dumpable, and exec resets that */
    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    write_file("/proc/self/oom_score_adj", "1000");
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (cpu >= 0) set_limit(RLIMIT_CPU, (rlim_t)cpu, (rlim_t)cpu + 1);
    if (fsize >= 0) set_limit(RLIMIT_FSIZE, (rlim_t)fsize, (rlim_t)fsize);
    if (nofile >= 0) set_limit(RLIMIT_NOFILE, (rlim_t)nofile, (rlim_t)nofile);
    if (stack >= 0) set_limit(RLIMIT_STACK, (rlim_t)stack, (rlim_t)stack);
    if (data >= 0) set_limit(RLIMIT_DATA, (rlim_t)data, (rlim_t)data);
    set_limit(RLIMIT_CORE, 0, 0);
    execv(argv[i], &argv[i]);
    int e = errno;
    write_all(errpipe[1], (const char *)&e, sizeof e);
    _exit(127);
  }
  close(errpipe[1]);
  int exec_errno = 0;
  for (;;) {
    ssize_t n = read(errpipe[0], &exec_errno, sizeof exec_errno);
    if (n < 0 && errno == EINTR) continue;
    if (n != (ssize_t)sizeof exec_errno) exec_errno = 0;
    break;
  }
  close(errpipe[0]);

  if (wall_ms > 0) {
    struct itimerval it;
    memset(&it, 0, sizeof it);
    it.it_value.tv_sec = wall_ms / 1000;
    it.it_value.tv_usec = (wall_ms % 1000) * 1000;
    if (setitimer(ITIMER_REAL, &it, NULL) != 0) die("setitimer");
  }

  int status = 0, main_done = 0, reaped = 0, mem_killed = 0;
  long long mem_peak_kb = 0;
  for (;;) {
    int st;
    pid_t p;
    if (mem_kb > 0 && !main_done && !wall_killed && !stopped && !mem_killed) {
      /* the memory watchdog: poll every 2 ms while the program runs */
      p = wait4(-1, &st, __WALL | WNOHANG, NULL);
      if (p == 0) {
        long long kb = namespace_rss_kb();
        if (kb > mem_peak_kb) mem_peak_kb = kb;
        if (kb > mem_kb) {
          mem_killed = 1;
          kill(-1, SIGKILL);
        }
        struct timespec pause = {0, 2000000};
        nanosleep(&pause, NULL);
        continue;
      }
    } else {
      p = wait4(-1, &st, __WALL, NULL);
    }
    if (p < 0) {
      if (errno == EINTR) continue;
      break; /* ECHILD: the namespace is empty */
    }
    reaped++;
    if (p == child) {
      status = st;
      main_done = 1;
      clock_gettime(CLOCK_MONOTONIC, &t1);
    }
    /*
     * Once the program is over (exited, or stopped by a timer), whatever it left behind dies with
     * it. Again after every reap: a fork bomb's processes fork while the first kill(-1) walks
     * the task list, and the children it misses would otherwise keep this loop alive.
     */
    if (main_done || wall_killed || stopped || mem_killed) kill(-1, SIGKILL);
  }
  if (!main_done) clock_gettime(CLOCK_MONOTONIC, &t1);
  struct itimerval off;
  memset(&off, 0, sizeof off);
  setitimer(ITIMER_REAL, &off, NULL);

  struct rusage ru;
  memset(&ru, 0, sizeof ru);
  getrusage(RUSAGE_CHILDREN, &ru);
  long long user_ms = ru.ru_utime.tv_sec * 1000LL + ru.ru_utime.tv_usec / 1000;
  long long sys_ms = ru.ru_stime.tv_sec * 1000LL + ru.ru_stime.tv_usec / 1000;
  int exit_code = main_done && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  int sig = main_done && WIFSIGNALED(status) ? WTERMSIG(status) : 0;

  char line[512];
  int len = snprintf(line, sizeof line,
                     "{\"v\":1,\"exit\":%d,\"signal\":%d,\"user_ms\":%lld,\"sys_ms\":%lld,"
                     "\"cpu_ms\":%lld,\"maxrss_kb\":%ld,\"wall_ms\":%lld,\"wall_killed\":%d,"
                     "\"stopped\":%d,\"exec_errno\":%d,\"reaped\":%d,\"mem_killed\":%d,"
                     "\"mem_peak_kb\":%lld,\"pre_exit\":%d,\"pre_killed\":%d}\n",
                     exit_code, sig, user_ms, sys_ms, user_ms + sys_ms, ru.ru_maxrss,
                     ms_between(&t0, &t1), (int)wall_killed, (int)stopped, exec_errno, reaped,
                     mem_killed, mem_peak_kb, pre_exit, pre_killed);
  write_all((int)report_fd, line, (size_t)len);
  close((int)report_fd);
  return 0;
}

/* ---- guard mode (outlives the engine, cleans up after it) ------------------------------------- */

/* Kills every process of the cgroup folder `dir` and of its descendants; 1 when none was left. */
static int kill_cgroup(const char *dir, int depth) {
  int empty = 1;
  char path[4096];
  if (depth > 16) return 1;
  /* cgroup v2 (Linux 5.14+): one write kills the whole subtree */
  snprintf(path, sizeof path, "%s/cgroup.kill", dir);
  int kfd = open(path, O_WRONLY | O_CLOEXEC);
  if (kfd >= 0) {
    if (write(kfd, "1", 1) < 0) empty = 0;
    close(kfd);
  }
  snprintf(path, sizeof path, "%s/cgroup.procs", dir);
  FILE *f = fopen(path, "re");
  if (f) {
    long pid;
    while (fscanf(f, "%ld", &pid) == 1)
      if (pid > 1) {
        kill((pid_t)pid, SIGKILL);
        empty = 0;
      }
    fclose(f);
  }
  DIR *d = opendir(dir);
  if (!d) return empty;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_type != DT_DIR || e->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (!kill_cgroup(path, depth + 1)) empty = 0;
  }
  closedir(d);
  return empty;
}

/* Removes a cgroup folder and its children, deepest first; 1 when it is gone. */
static int remove_cgroup(const char *dir, int depth) {
  char path[4096];
  if (depth > 16) return 0;
  DIR *d = opendir(dir);
  if (!d) return errno == ENOENT;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_type != DT_DIR || e->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    remove_cgroup(path, depth + 1);
  }
  closedir(d);
  return rmdir(dir) == 0 || errno == ENOENT;
}

/* Detaches every mount at or under `dir` (the program folders' tmpfs), so rm can remove them. */
static void unmount_under(const char *dir) {
  size_t n = strlen(dir);
  for (int round = 0; round < 8; round++) {
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f) return;
    char line[8192], point[4096];
    int found = 0;
    while (fgets(line, sizeof line, f)) {
      /* id parent maj:min root mountpoint ... */
      if (sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1) continue;
      if (strncmp(point, dir, n) == 0 && (point[n] == '\0' || point[n] == '/')) {
        if (umount2(point, MNT_DETACH) == 0) found = 1;
      }
    }
    fclose(f);
    if (!found) return;
  }
}

static int guard(int argc, char **argv) {
  signal(SIGTERM, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  for (int i = 2; i < argc; i++)
    if ((strcmp(argv[i], "--cgroup") != 0 && strcmp(argv[i], "--remove") != 0) || ++i >= argc)
      usage();
  /* wait for the engine to go: its end of the pipe closes however it exits */
  char buf[256];
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n == 0 || (n < 0 && errno != EINTR)) break;
  }
  for (int i = 2; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--cgroup") != 0) continue;
    for (int round = 0; round < 500; round++) {
      kill_cgroup(argv[i + 1], 0);
      if (remove_cgroup(argv[i + 1], 0)) break;
      struct timespec pause = {0, 10000000};
      nanosleep(&pause, NULL);
    }
  }
  for (int i = 2; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--remove") != 0) continue;
    unmount_under(argv[i + 1]);
    pid_t p = fork();
    if (p == 0) {
      char *rm_argv[] = {"rm", "-rf", "--one-file-system", "--", argv[i + 1], NULL};
      char *empty_env[] = {NULL};
      execve("/usr/bin/rm", rm_argv, empty_env);
      execve("/bin/rm", rm_argv, empty_env);
      _exit(127);
    }
    if (p > 0) waitpid(p, NULL, 0);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) usage();
  if (strcmp(argv[1], "launch") == 0) return launch(argc, argv);
  if (strcmp(argv[1], "guard") == 0) return guard(argc, argv);
  if (strcmp(argv[1], "run") == 0) return run(argc, argv);
  usage();
  return 125;
}
