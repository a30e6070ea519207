/*
 * lvs-tcp-relay: the userspace engine's native data path for ESTABLISHED TCP connections.
 *
 * Why: per keep-alive request the engine's JS relay makes the same syscalls as HAProxy, but each
 * read costs a C++ -> JS callback and a JS -> C++ write in Node (bench/RESULTS.md, session 4): about
 * 1.2x HAProxy's CPU per request. Here the bytes of a connection that proved long-lived never enter
 * JavaScript: the engine (rawTcpForwarder.ts / tcpRelay.ts) hands both connected sockets over and
 * keeps everything else (accept, scheduling, persistence, the connection table, timeouts, counters).
 *
 * One process per engine (per worker), single-threaded, edge-triggered epoll (each socket is added
 * once: no epoll_ctl per read or write). The channel to the
 * engine is the AF_UNIX stream socket of Node's "ipc" stdio (fd from NODE_CHANNEL_FD, default 3);
 * descriptors arrive as SCM_RIGHTS with the bytes of a line (libuv's uv_write2).
 *
 * Engine -> relay, one line each:
 *   F                 only carries a descriptor (queued in arrival order)
 *   H <id>            take the two oldest queued descriptors: client, real server; relay them
 *   K <id>            abort the connection (idle timeout, engine close): close both sockets
 *   Q <n>             report every connection's counters now, then answer "Q <n>" (the engine reads
 *                     exact counters for stats and the connection list)
 * Relay -> engine:
 *   S <id> <inPkts> <inBytes> <outPkts> <outBytes>   counters since the last S of <id> (every
 *                     REPORT_MS for connections with traffic, and before X); one read = one packet
 *   F <id> c|b        read a FIN from the client / the real server
 *   X <id> 1|0        both sockets closed: 1 after FIN both ways, 0 after an error or K
 *   R <id>            hand-off refused (descriptors missing or not TCP sockets): nothing relayed
 *   Q <n>             every report before this line is out; "Q 0" once at start: ready
 * Semantics are the JS relay's (rawTcpForwarder.ts): every read is written to the other side at
 * once; what the kernel does not take stays in a per-direction buffer and reading that direction
 * stops until it is written (backpressure); a FIN read is forwarded with shutdown(SHUT_WR), or by
 * close when the other side already sent its FIN; an error on either side closes both.
 * The engine closing the channel (exit, crash) ends the relay and with it every relayed socket.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define SCRATCH_BYTES (64 * 1024)
#define REPORT_MS 1000
#define MAX_FDS_QUEUED 4096
#define LINE_MAX_BYTES 128
#define BUCKETS 65536

enum { CLIENT = 0, BACKEND = 1 };
#define F_EOF(i) (1u << (i))       /* read the FIN of side i */
#define F_SHUT(i) (4u << (i))      /* sent a FIN to side i */
#define F_CLOSED(i) (16u << (i))   /* side i closed */
#define F_FAILED 64u
#define F_DIRTY 128u
#define F_RD(i) (256u << (i))      /* side i may have bytes (or its FIN) to read */
#define F_WR(i) (1024u << (i))     /* side i may take bytes */
#define F_RDHUP(i) (4096u << (i))  /* the FIN of side i is queued: read until it comes */

struct conn;
struct end {
  struct conn *c;
  int side;
};
/* bytes read from one side and not yet written to the other; the buffer exists only once a write
 * was short (then it is kept: such a connection streams), otherwise reads use the shared scratch */
struct dir {
  char *buf;
  size_t off, len;
};
struct conn {
  uint64_t id;
  int fd[2];
  struct end e[2];
  struct dir d[2]; /* [i]: read from side i, to be written to side 1-i */
  unsigned flags;
  uint64_t pk[2], by[2]; /* since the last report: [CLIENT] read from the client (in), [BACKEND] out */
  struct conn *hnext, *dnext;
};

static int ep, chan, tfd;
static char scratch[SCRATCH_BYTES];
static struct conn *buckets[BUCKETS];
static struct conn *dirty;
static struct conn *graveyard; /* finished in this epoll batch: freed after it (later events may name them) */
static int fdq[MAX_FDS_QUEUED];
static unsigned fdq_head, fdq_len;
static char *out;
static size_t out_len, out_cap;
static int chan_ev = EPOLLIN;
static struct end chan_end = {NULL, -1}, timer_end = {NULL, -2};

static void die(const char *what) {
  fprintf(stderr, "lvs-tcp-relay: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void emit(const char *fmt, ...) {
  if (out_cap - out_len < 160) {
    out_cap = out_cap ? out_cap * 2 : 65536;
    out = realloc(out, out_cap);
    if (!out) die("out of memory");
  }
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out + out_len, out_cap - out_len, fmt, ap);
  va_end(ap);
  if (n > 0) out_len += (size_t)n;
}

static void flush_out(void) {
  while (out_len > 0) {
    ssize_t w = send(chan, out, out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      exit(0); /* the engine is gone */
    }
    memmove(out, out + w, out_len - (size_t)w);
    out_len -= (size_t)w;
  }
  int want = EPOLLIN | (out_len ? EPOLLOUT : 0);
  if (want != chan_ev) {
    struct epoll_event e = {.events = (uint32_t)want, .data.ptr = &chan_end};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, chan, &e) == 0) chan_ev = want;
  }
}

static struct conn **slot(uint64_t id) {
  struct conn **p = &buckets[id & (BUCKETS - 1)];
  while (*p && (*p)->id != id) p = &(*p)->hnext;
  return p;
}

static void mark_dirty(struct conn *c) {
  if (c->flags & F_DIRTY) return;
  c->flags |= F_DIRTY;
  c->dnext = dirty;
  dirty = c;
}

static void report(struct conn *c) {
  if (c->pk[0] | c->pk[1])
    emit("S %llu %llu %llu %llu %llu\n", (unsigned long long)c->id, (unsigned long long)c->pk[0], (unsigned long long)c->by[0],
         (unsigned long long)c->pk[1], (unsigned long long)c->by[1]);
  c->pk[0] = c->pk[1] = c->by[0] = c->by[1] = 0;
}

static void report_dirty(void) {
  for (struct conn *c = dirty; c; c = c->dnext) {
    c->flags &= ~F_DIRTY;
    report(c);
  }
  dirty = NULL;
}

static void close_side(struct conn *c, int i) {
  if (c->flags & F_CLOSED(i)) return;
  c->flags |= F_CLOSED(i);
  /* the engine may still hold its copy for a moment: remove ours from epoll explicitly */
  epoll_ctl(ep, EPOLL_CTL_DEL, c->fd[i], NULL);
  close(c->fd[i]);
}

static void finish(struct conn *c) {
  if ((c->flags & (F_CLOSED(0) | F_CLOSED(1))) != (F_CLOSED(0) | F_CLOSED(1))) return;
  if (c->flags & F_DIRTY) { /* unlink from the dirty list */
    struct conn **p = &dirty;
    while (*p != c) p = &(*p)->dnext;
    *p = c->dnext;
    c->flags &= ~F_DIRTY;
  }
  report(c);
  emit("X %llu %d\n", (unsigned long long)c->id, (c->flags & F_FAILED) ? 0 : 1);
  *slot(c->id) = c->hnext;
  free(c->d[0].buf);
  free(c->d[1].buf);
  c->dnext = graveyard;
  graveyard = c;
}

static void fail(struct conn *c) {
  c->flags |= F_FAILED;
  close_side(c, CLIENT);
  close_side(c, BACKEND);
  finish(c);
}

/* forward the FIN read from side i to side o; close i when it already got our FIN */
static void on_eof(struct conn *c, int i) {
  int o = 1 - i;
  c->flags |= F_EOF(i);
  emit("F %llu %c\n", (unsigned long long)c->id, i == CLIENT ? 'c' : 'b');
  if (c->flags & F_EOF(o)) {
    close_side(c, o);
  } else {
    c->flags |= F_SHUT(o);
    if (shutdown(c->fd[o], SHUT_WR) != 0) return fail(c);
  }
  if (c->flags & F_SHUT(i)) close_side(c, i);
  finish(c);
}

/* write what waits from side i to side o; 1 when nothing waits any more, 0 when o is full, -1 failed */
static int drain(struct conn *c, int i) {
  int o = 1 - i;
  struct dir *d = &c->d[i];
  while (d->len) {
    if (!(c->flags & F_WR(o))) return 0;
    ssize_t w = send(c->fd[o], d->buf + d->off, d->len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) return -1;
      c->flags &= ~F_WR(o);
      return 0;
    }
    d->off += (size_t)w;
    d->len -= (size_t)w;
  }
  d->off = 0;
  return 1;
}

/*
 * Move bytes from side i to side o as far as both sockets allow (edge-triggered: F_RD/F_WR say what
 * the last events allowed; a read shorter than asked drained the socket, unless its FIN is queued).
 * Returns 0 when the connection was finished.
 */
static int pump(struct conn *c, int i) {
  int o = 1 - i;
  for (;;) {
    if (c->flags & (F_CLOSED(i) | F_CLOSED(o) | F_EOF(i))) return 1;
    int r = drain(c, i);
    if (r < 0) return fail(c), 0;
    if (r == 0 || !(c->flags & F_RD(i))) return 1;
    struct dir *d = &c->d[i];
    char *buf = d->buf ? d->buf : scratch;
    ssize_t n = recv(c->fd[i], buf, SCRATCH_BYTES, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) return fail(c), 0;
      c->flags &= ~F_RD(i);
      return 1;
    }
    if (n == 0) {
      on_eof(c, i);
      return !(c->flags & F_CLOSED(i) && c->flags & F_CLOSED(o));
    }
    c->pk[i]++;
    c->by[i] += (uint64_t)n;
    mark_dirty(c);
    ssize_t w = 0;
    if (c->flags & F_WR(o)) {
      w = send(c->fd[o], buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w < 0) {
        if (errno != EAGAIN && errno != EINTR) return fail(c), 0;
        w = 0;
      }
    }
    if (w < n) { /* the rest waits for o (and reading i waits with it: backpressure) */
      if (!d->buf) {
        d->buf = malloc(SCRATCH_BYTES);
        if (!d->buf) return fail(c), 0;
        memcpy(d->buf, scratch + w, (size_t)(n - w));
        d->off = 0;
      } else {
        d->off = (size_t)w;
      }
      d->len = (size_t)(n - w);
      c->flags &= ~F_WR(o);
      return 1;
    }
    if (n < SCRATCH_BYTES && !(c->flags & F_RDHUP(i))) {
      c->flags &= ~F_RD(i); /* drained: the next bytes bring a new edge */
      return 1;
    }
  }
}

static void on_event(struct conn *c, int i, uint32_t ev) {
  int o = 1 - i;
  if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c->flags |= F_RD(i);
  if (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c->flags |= F_RDHUP(i);
  if (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) c->flags |= F_WR(i);
  /* i readable: bytes i -> o; i writable: what waits from o -> i */
  if (pump(c, i)) pump(c, o);
}

static int pop_fd(void) {
  if (!fdq_len) return -1;
  int fd = fdq[fdq_head];
  fdq_head = (fdq_head + 1) % MAX_FDS_QUEUED;
  fdq_len--;
  return fd;
}

static int is_stream_socket(int fd) {
  int type = 0;
  socklen_t len = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) return 0;
  int fl = fcntl(fd, F_GETFL);
  return fl >= 0 && ((fl & O_NONBLOCK) || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0);
}

static void take(uint64_t id) {
  int a = pop_fd(), b = pop_fd();
  if (a < 0 || b < 0 || *slot(id) || !is_stream_socket(a) || !is_stream_socket(b)) {
    if (a >= 0) close(a);
    if (b >= 0) close(b);
    emit("R %llu\n", (unsigned long long)id);
    return;
  }
  struct conn *c = calloc(1, sizeof *c);
  if (!c) die("out of memory");
  c->id = id;
  c->fd[CLIENT] = a;
  c->fd[BACKEND] = b;
  for (int i = 0; i < 2; i++) c->e[i] = (struct end){c, i};
  *slot(id) = c;
  c->flags = F_RD(0) | F_RD(1) | F_WR(0) | F_WR(1); /* bytes may be queued already: try at once */
  for (int i = 0; i < 2; i++) {
    struct epoll_event e = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = &c->e[i]};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd[i], &e) != 0) return fail(c);
  }
  if (pump(c, CLIENT)) pump(c, BACKEND);
}

static void line(char *s) {
  char *end = NULL;
  if ((s[0] == 'H' || s[0] == 'K' || s[0] == 'Q') && s[1] == ' ' && s[2] >= '0' && s[2] <= '9') {
    errno = 0;
    unsigned long long id = strtoull(s + 2, &end, 10);
    if (errno == 0 && *end == '\0') {
      if (s[0] == 'H') take(id);
      else if (s[0] == 'Q') {
        report_dirty();
        emit("Q %llu\n", id);
      }
      else {
        struct conn *c = *slot(id);
        if (c) fail(c);
      }
      return;
    }
  }
  if (s[0] == 'F' && s[1] == '\0') return;
  fprintf(stderr, "lvs-tcp-relay: ignored a bad line from the engine: \"%.40s\"\n", s);
}

static char in[LINE_MAX_BYTES * 64];
static size_t in_len;
static int in_skip; /* inside an over-long line: drop until its newline */

static void on_channel(void) {
  char cbuf[CMSG_SPACE(sizeof(int) * 64)];
  struct iovec iov = {in + in_len, sizeof in - in_len};
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
  ssize_t n = recvmsg(chan, &m, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); n >= 0 && h; h = CMSG_NXTHDR(&m, h)) {
    if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS) continue;
    int k = (int)((h->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    int *fds = (int *)CMSG_DATA(h);
    for (int j = 0; j < k; j++) {
      if (fdq_len == MAX_FDS_QUEUED) close(fds[j]);
      else fdq[(fdq_head + fdq_len++) % MAX_FDS_QUEUED] = fds[j];
    }
  }
  if (n <= 0) exit(0); /* the engine closed the channel: every relayed socket goes with us */
  if (m.msg_flags & MSG_CTRUNC) fprintf(stderr, "lvs-tcp-relay: descriptors truncated\n");
  in_len += (size_t)n;
  size_t start = 0;
  for (size_t j = 0; j < in_len; j++) {
    if (in[j] != '\n') continue;
    in[j] = '\0';
    if (!in_skip && j - start >= LINE_MAX_BYTES) fprintf(stderr, "lvs-tcp-relay: ignored an over-long line from the engine\n");
    else if (!in_skip) line(in + start);
    in_skip = 0;
    start = j + 1;
  }
  memmove(in, in + start, in_len - start);
  in_len -= start;
  if (in_len >= LINE_MAX_BYTES) { /* no newline in sight: not our protocol */
    fprintf(stderr, "lvs-tcp-relay: ignored an over-long line from the engine\n");
    in_len = 0;
    in_skip = 1;
  }
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  signal(SIGPIPE, SIG_IGN);
  const char *cfd = getenv("NODE_CHANNEL_FD");
  chan = cfd ? atoi(cfd) : 3;
  ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  struct epoll_event e = {.events = EPOLLIN, .data.ptr = &chan_end};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, chan, &e) != 0) die("channel");
  tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (tfd < 0) die("timerfd_create");
  struct itimerspec its = {{REPORT_MS / 1000, (REPORT_MS % 1000) * 1000000L}, {REPORT_MS / 1000, (REPORT_MS % 1000) * 1000000L}};
  if (timerfd_settime(tfd, 0, &its, NULL) != 0) die("timerfd_settime");
  e.data.ptr = &timer_end;
  if (epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &e) != 0) die("timer");
  emit("Q 0\n"); /* ready: the engine hands nothing over before this line */
  flush_out();
  struct epoll_event evs[256];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int k = 0; k < n; k++) {
      struct end *x = evs[k].data.ptr;
      uint32_t ev = evs[k].events;
      if (x == &chan_end) {
        if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_channel();
        continue;
      }
      if (x == &timer_end) {
        uint64_t ticks;
        if (read(tfd, &ticks, sizeof ticks) > 0) report_dirty();
        continue;
      }
      struct conn *c = x->c;
      if (c->flags & F_CLOSED(x->side)) continue; /* closed earlier in this batch (freed after it) */
      on_event(c, x->side, ev);
    }
    while (graveyard) {
      struct conn *c = graveyard;
      graveyard = c->dnext;
      free(c);
    }
    if (out_len) flush_out();
  }
}
