/*
 * se-seccomp-gen OUT: writes the sandbox's seccomp filter (BPF, native architecture) to OUT,
 * with libseccomp. The engine does not use it: it generates the same policy itself
 * (src/engine/sandbox/seccomp.ts), and test/engine/sandbox/seccomp.test.ts builds this program
 * where libseccomp's headers are present and checks that both filters decide every call alike. A denylist (default allow) as SANDBOX.md specifies: Python, g++, Java and Node
 * run unmodified, while the calls that reach the kernel's larger attack surface or other
 * processes are refused.
 *
 *   kill the process (the run reports SIGSYS, status 19): debugging and cross-process access,
 *     mounts and namespaces, bpf/perf/userfaultfd, keyrings, io_uring, kexec and modules,
 *     reboot/swap/syslog/acct/quota, open_by_handle_at, personality, clock setters, iopl/ioperm,
 *     socket(AF_VSOCK);
 *   EPERM: clone with a namespace flag, ioctl(TIOCSTI);
 *   ENOSYS: clone3 (its flags live in memory a filter cannot read; glibc falls back to clone).
 *
 * Only the native architecture is allowed: any other ABI (i386 int 0x80, x32) hits libseccomp's
 * bad-architecture action, which kills.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

static const char *const killed[] = {
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
    /* mounts, the new mount API, root changes, namespaces */
    "mount", "umount", "umount2", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount",
    "open_tree", "mount_setattr", "pivot_root", "chroot", "unshare", "setns",
    /* kernel attack surface */
    "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "create_module", "reboot", "swapon", "swapoff", "syslog", "acct", "quotactl", "quotactl_fd",
    "open_by_handle_at", "name_to_handle_at", "personality", "lookup_dcookie", "nfsservctl",
    "uselib", "vhangup",
    /* clocks */
    "settimeofday", "stime", "clock_settime", "clock_adjtime", "adjtimex",
    /* raw port I/O */
    "iopl", "ioperm",
};

static const unsigned long long namespace_flags[] = {
    CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
    CLONE_NEWCGROUP,
};

static int fail(const char *what, int rc) {
  fprintf(stderr, "se-seccomp-gen: %s: %s\n", what, strerror(rc < 0 ? -rc : rc));
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: se-seccomp-gen OUT.bpf\n");
    return 2;
  }
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) return fail("seccomp_init", ENOMEM);
  /* another ABI (i386 int 0x80, x32) kills the whole process, not only the calling thread */
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  if (rc < 0) return fail("badarch action", rc);

  for (size_t i = 0; i < sizeof killed / sizeof killed[0]; i++) {
    int nr = seccomp_syscall_resolve_name(killed[i]);
    if (nr == __NR_SCMP_ERROR) continue; /* not a call on this architecture */
    rc = seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, nr, 0);
    /* -EDOM/-EFAULT: a pseudo-syscall libseccomp knows but cannot filter here */
    if (rc < 0 && rc != -EDOM && rc != -EFAULT) return fail(killed[i], rc);
  }

  /* Any namespace flag on clone: one rule per flag, as libseccomp compares masked equality. */
  for (size_t i = 0; i < sizeof namespace_flags / sizeof namespace_flags[0]; i++) {
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                          SCMP_A0(SCMP_CMP_MASKED_EQ, namespace_flags[i], namespace_flags[i]));
    if (rc < 0) return fail("clone", rc);
  }
  rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  if (rc < 0) return fail("clone3", rc);

  /* The kernel reads ioctl's request as 32 bits: compare only those, so high bits cannot slip by. */
  rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                        SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, (unsigned long long)TIOCSTI));
  if (rc < 0) return fail("ioctl", rc);

  rc = seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(socket), 1,
                        SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffULL, AF_VSOCK));
  if (rc < 0) return fail("socket", rc);

  /* prlimit64 on another process: EPERM (the box's PID-1 helper shares the program's uid). */
  rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(prlimit64), 1,
                        SCMP_A0(SCMP_CMP_NE, 0));
  if (rc < 0) return fail("prlimit64", rc);

  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]) >= (int)sizeof tmp) return fail("path", ENAMETOOLONG);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail(tmp, errno);
  rc = seccomp_export_bpf(ctx, fd);
  if (rc < 0) return fail("seccomp_export_bpf", rc);
  if (fsync(fd) != 0 || close(fd) != 0) return fail(tmp, errno);
  /* rename: an engine starting meanwhile never reads half a filter */
  if (rename(tmp, argv[1]) != 0) return fail(argv[1], errno);
  seccomp_release(ctx);
  return 0;
}
