/*
 * se-pty: the terminal of a workspace (WORKSPACE.md, "Without Docker" and "Terminal protocol").
 *
 *   se-pty --control-fd N [--cols C] [--rows R] -- SHELL ARGS...
 *
 * Runs INSIDE the sandbox, as the program se-init starts (so the shell has the workspace's uid,
 * mounts, limits and seccomp filter). Opens a pty on the sandbox's own devpts (bwrap --dev mounts
 * a fresh instance at /dev/pts; the host's devpts is never reached), forks SHELL as the leader of
 * a new session with the pty as its controlling terminal (setsid + TIOCSCTTY), and relays:
 *
 *   fd 0 (bytes typed)   -> the pty's master
 *   the pty's master     -> fd 1 (the terminal's output)
 *   the control fd       <- lines "resize COLS ROWS" (TIOCSWINSZ) and "signal N" (killpg of the
 *                           foreground process group, tcgetpgrp)
 *   the control fd       -> one line "exit CODE SIGNAL" when the shell ended (CODE -1 when a
 *                           signal ended it, SIGNAL 0 otherwise), after its last output is on fd 1
 *
 * Every fd is non-blocking and served from one poll loop, so a reader that stops reading fd 1
 * (flow control) stops the shell's output without stopping input, resizes or signals. Exits with
 * the shell's code (128 + signal). se-init then kills whatever the shell left behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define BUF 65536

static void die(const char *what) {
  dprintf(2, "se-pty: %s: %s\n", what, strerror(errno));
  _exit(125);
}

static void usage(void) {
  dprintf(2, "usage: se-pty --control-fd N [--cols C] [--rows R] -- SHELL ARGS...\n");
  _exit(125);
}

static long num(const char *s, long max) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *s == '\0' || *end != '\0' || v < 0 || v > max) usage();
  return v;
}

static void nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) die("fcntl");
}

/* Writes all of `len` bytes to a non-blocking fd, waiting for it when full; 0 or -1 (gone). */
static int write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        struct pollfd p = {fd, POLLOUT, 0};
        poll(&p, 1, -1);
        continue;
      }
      return -1;
    }
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

static int sigchld_pipe[2];

static void on_chld(int sig) {
  (void)sig;
  int e = errno;
  if (write(sigchld_pipe[1], "c", 1) < 0) {
    /* the pipe is full: a wake-up is pending anyway */
  }
  errno = e;
}

/* A byte queue between a reader and a non-blocking writer. */
struct queue {
  char data[BUF];
  size_t start, end;
};

static size_t queued(const struct queue *q) { return q->end - q->start; }

/* Moves what the queue holds into `fd`; -1 when fd is gone. */
static int flush(struct queue *q, int fd) {
  while (queued(q) > 0) {
    ssize_t n = write(fd, q->data + q->start, queued(q));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return 0;
      return -1;
    }
    q->start += (size_t)n;
  }
  q->start = q->end = 0;
  return 0;
}

/* Reads into the queue's free room; bytes read, 0 at EOF, -1 EAGAIN, -2 an error (EIO). */
static ssize_t fill(struct queue *q, int fd) {
  if (q->start > 0) {
    memmove(q->data, q->data + q->start, queued(q));
    q->end -= q->start;
    q->start = 0;
  }
  size_t room = BUF - q->end;
  if (room == 0) return -1;
  for (;;) {
    ssize_t n = read(fd, q->data + q->end, room);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EAGAIN ? -1 : -2;
    q->end += (size_t)n;
    return n;
  }
}

static void control_line(char *line, int master) {
  int a, b;
  if (sscanf(line, "resize %d %d", &a, &b) == 2 && a > 0 && b > 0 && a < 65536 && b < 65536) {
    struct winsize ws = {(unsigned short)b, (unsigned short)a, 0, 0};
    ioctl(master, TIOCSWINSZ, &ws);
  } else if (sscanf(line, "signal %d", &a) == 1 && a > 0 && a < 65) {
    pid_t pg = tcgetpgrp(master);
    if (pg > 0) killpg(pg, a);
  }
}

int main(int argc, char **argv) {
  long control = -1, cols = 80, rows = 24;
  int i = 1;
  for (; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    }
    if (i + 1 >= argc) usage();
    if (strcmp(argv[i], "--control-fd") == 0) control = num(argv[++i], 1024);
    else if (strcmp(argv[i], "--cols") == 0) cols = num(argv[++i], 65535);
    else if (strcmp(argv[i], "--rows") == 0) rows = num(argv[++i], 65535);
    else usage();
  }
  if (i >= argc || control < 3) usage();

  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) die("posix_openpt");
  if (grantpt(master) != 0) die("grantpt");
  if (unlockpt(master) != 0) die("unlockpt");
  const char *name = ptsname(master);
  if (!name) die("ptsname");
  struct winsize ws = {(unsigned short)rows, (unsigned short)cols, 0, 0};
  if (ioctl(master, TIOCSWINSZ, &ws) != 0) die("TIOCSWINSZ");
  /* held open until the shell ends, so the master never reads EIO before the shell opened it */
  int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) die(name);

  if (pipe2(sigchld_pipe, O_CLOEXEC | O_NONBLOCK) != 0) die("pipe");
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_chld;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGCHLD, &sa, NULL) != 0) die("sigaction");
  signal(SIGPIPE, SIG_IGN);

  pid_t shell = fork();
  if (shell < 0) die("fork");
  if (shell == 0) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &dfl, NULL);
    sigaction(SIGPIPE, &dfl, NULL);
    if (setsid() < 0) die("setsid");
    if (ioctl(slave, TIOCSCTTY, 0) != 0) die("TIOCSCTTY");
    for (int fd = 0; fd < 3; fd++)
      if (dup2(slave, fd) < 0) die("dup2");
    /* nothing of the relay reaches the shell: not the control fd, not the other extra fds */
    if (syscall(SYS_close_range, 3, ~0U, 0) != 0)
      for (int fd = 3; fd < 1024; fd++) close(fd);
    setenv("TERM", "xterm-256color", 1);
    execvp(argv[i], &argv[i]);
    dprintf(2, "se-pty: cannot execute %s: %s\n", argv[i], strerror(errno));
    _exit(127);
  }

  nonblock(0);
  nonblock(1);
  nonblock(master);
  nonblock((int)control);

  static struct queue in, out;
  char ctl[512];
  size_t ctl_len = 0;
  int in_open = 1, ctl_open = 1, master_open = 1, shell_done = 0, status = 0;
  struct timespec drain_until = {0, 0};

  for (;;) {
    struct pollfd p[5];
    int n = 0, ip = -1, mp = -1, cp = -1, op = -1, sp;
    if (in_open && queued(&in) < BUF) p[ip = n++] = (struct pollfd){0, POLLIN, 0};
    short mev = 0;
    if (master_open && queued(&out) < BUF) mev |= POLLIN;
    if (master_open && queued(&in) > 0) mev |= POLLOUT;
    if (mev) p[mp = n++] = (struct pollfd){master, mev, 0};
    if (queued(&out) > 0) p[op = n++] = (struct pollfd){1, POLLOUT, 0};
    if (ctl_open) p[cp = n++] = (struct pollfd){(int)control, POLLIN, 0};
    p[sp = n++] = (struct pollfd){sigchld_pipe[0], POLLIN, 0};

    int timeout = -1;
    if (shell_done) {
      /* the shell is gone: its last output is read until the pty is quiet (or after 1 s) */
      if (!master_open && queued(&out) == 0) break;
      struct timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      long left = (drain_until.tv_sec - now.tv_sec) * 1000 +
                  (drain_until.tv_nsec - now.tv_nsec) / 1000000;
      if (left <= 0) break;
      timeout = queued(&out) > 0 ? (int)left : (left < 50 ? (int)left : 50);
    }
    int r = poll(p, (nfds_t)n, timeout);
    if (r < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    if (r == 0 && shell_done && queued(&out) == 0) break;

    if (ip >= 0 && p[ip].revents) {
      ssize_t k = fill(&in, 0);
      if (k == 0 || k == -2) in_open = 0;
    }
    if (mp >= 0 && (p[mp].revents & POLLOUT)) {
      if (flush(&in, master) < 0) in.start = in.end = 0;
    }
    if (mp >= 0 && (p[mp].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t k = fill(&out, master);
      /* EIO: no process holds the pty's other side any more */
      if (k == 0 || k == -2) master_open = 0;
    }
    if (queued(&out) > 0 && flush(&out, 1) < 0) {
      /* nobody reads the output any more: the engine is gone */
      out.start = out.end = 0;
      kill(shell, SIGKILL);
    }
    if (cp >= 0 && p[cp].revents) {
      ssize_t k = read((int)control, ctl + ctl_len, sizeof ctl - 1 - ctl_len);
      if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR)) ctl_open = 0;
      else if (k > 0) {
        ctl_len += (size_t)k;
        ctl[ctl_len] = 0;
        char *nl;
        while ((nl = memchr(ctl, '\n', ctl_len)) != NULL) {
          *nl = 0;
          control_line(ctl, master);
          size_t used = (size_t)(nl - ctl) + 1;
          memmove(ctl, nl + 1, ctl_len - used);
          ctl_len -= used;
        }
        if (ctl_len == sizeof ctl - 1) ctl_len = 0; /* an overlong line: dropped */
      }
    }
    if (p[sp].revents) {
      char b[64];
      while (read(sigchld_pipe[0], b, sizeof b) > 0) {
      }
      int st;
      pid_t w;
      while ((w = waitpid(-1, &st, WNOHANG)) > 0)
        if (w == shell && !shell_done) {
          shell_done = 1;
          status = st;
          close(slave);
          clock_gettime(CLOCK_MONOTONIC, &drain_until);
          drain_until.tv_sec += 1;
        }
    }
  }
  /* the shell's output first (fd 1 back to blocking), then its end on the control fd */
  if (queued(&out) > 0) write_all(1, out.data + out.start, queued(&out));
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  char line[64];
  int len = snprintf(line, sizeof line, "exit %d %d\n", code, sig);
  write_all((int)control, line, (size_t)len);
  return sig ? 128 + sig : code;
}
