/*
 * lvs-ipvs-nl: the agent's fast door to kernel IPVS over generic netlink, on ONE socket.
 *
 * Why: ipvsadm 1.31's libipvs opens a new netlink socket and resolves the IPVS family for every
 * single message (ipvs_nl_send_message), and `ipvsadm -S` asks for every service's real servers on
 * yet another socket. For 10 000 services x 10 real servers that is ~110 000 socket setups for a
 * restore and ~10 000 for a read (about 2 ms each under the lab's QEMU emulation: minutes).
 * This helper resolves the family once, packs many requests into each sendmsg, and dumps the whole
 * table (with thresholds and 64-bit counters, which ipvsadm needs three listings for) in one run.
 *
 *   lvs-ipvs-nl apply     ops on stdin, one per line (below); every op is tried (like ipvsadm -R);
 *                         each failure is one stderr line "op N: <kernel error>"; exit 1 if any failed
 *   lvs-ipvs-nl dump      the table on stdout: S and D lines (below)
 *   lvs-ipvs-nl stats     the same with connection counts, 64-bit counters and rates appended
 *   lvs-ipvs-nl stats-since FILE TOKEN
 *                         `stats` as a difference from the previous call: FILE (on a tmpfs, e.g. /run)
 *                         keeps the last output and its token. When TOKEN is that token, the first line
 *                         is "D <new token>" and only services whose block (S line + its D lines)
 *                         changed follow, then "R K" for each service gone; otherwise (no FILE, "-",
 *                         another token) "F <new token>" and the whole `stats` output. At 10 000
 *                         services x 10 real servers `stats` prints ~11 MB a read: an idle table costs
 *                         the agent (which reads once a second) one short line instead.
 *   lvs-ipvs-nl serve [--listing FILE] ANSWER-FILE
 *                         stays running: each "fields TOKEN BUDGET" line on stdin answers the figures
 *                         that changed as stats.fields numbers (statsServe.c has the format)
 *
 * Service key K = af proto addr port fwmark        (af 2|10; proto 6|17|132, or 0 with a fwmark)
 * Op lines (fields separated by one space; addresses as inet_ntop writes them):
 *   A|E K sched pe flags timeout netmask            (pe "-" = none; flags = kernel IP_VS_SVC_F_* bits;
 *                                                    netmask: IPv4 dotted, IPv6 prefix length)
 *   X K                                             (delete service)
 *   a|e K daf daddr dport fwd weight uthresh lthresh tuntype tunport tunflags
 *                                                   (fwd: 0 masq, 2 tunnel, 3 route)
 *   d K daf daddr dport
 * Dump lines: each service "S K sched pe flags timeout netmask" followed by its real servers "D daf
 * daddr dport fwd weight uthresh lthresh tuntype tunport tunflags"; `stats` appends to S " conns inpkts outpkts inbytes outbytes
 * cps inpps outpps inbps outbps" and to D " activeconns inactconns persistconns" and the same ten.
 * Exit codes: 0 ok, 1 some op failed, 2 usage or bad input line (nothing sent), 3 no IPVS in the kernel.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define BATCH_BYTES (32 * 1024)
#define ALIGN4(n) (((n) + 3u) & ~3u)

static int sock = -1;
static uint16_t family;
static uint32_t seq_next = 1;

static void die(int code, const char *what) {
  fprintf(stderr, "lvs-ipvs-nl: %s\n", what);
  exit(code);
}

/* ------------------------------------------------------------------ message building */

struct buf { unsigned char *p; size_t len, cap; };

static void *put(struct buf *b, size_t n) {
  size_t need = b->len + ALIGN4(n);
  if (need > b->cap) {
    b->cap = need * 2 + 4096;
    b->p = realloc(b->p, b->cap);
    if (!b->p) die(2, "out of memory");
  }
  void *at = b->p + b->len;
  memset(at, 0, ALIGN4(n));
  b->len = need;
  return at;
}

static size_t attr(struct buf *b, uint16_t type, const void *data, size_t n) {
  size_t at = b->len;
  struct nlattr *a = put(b, NLA_HDRLEN + n);
  a->nla_type = type;
  a->nla_len = (uint16_t)(NLA_HDRLEN + n);
  if (n) memcpy((unsigned char *)a + NLA_HDRLEN, data, n);
  return at;
}
static void a_u8(struct buf *b, uint16_t t, uint8_t v) { attr(b, t, &v, 1); }
static void a_u16(struct buf *b, uint16_t t, uint16_t v) { attr(b, t, &v, 2); }
static void a_u32(struct buf *b, uint16_t t, uint32_t v) { attr(b, t, &v, 4); }
static void a_str(struct buf *b, uint16_t t, const char *s) { attr(b, t, s, strlen(s) + 1); }
static size_t nest_start(struct buf *b, uint16_t t) { return attr(b, t | NLA_F_NESTED, NULL, 0); }
static void nest_end(struct buf *b, size_t at) { ((struct nlattr *)(b->p + at))->nla_len = (uint16_t)(b->len - at); }

static size_t msg_start(struct buf *b, uint16_t type, uint16_t flags, uint8_t cmd, uint32_t seq) {
  size_t at = b->len;
  struct nlmsghdr *h = put(b, NLMSG_HDRLEN);
  h->nlmsg_type = type;
  h->nlmsg_flags = flags;
  h->nlmsg_seq = seq;
  struct genlmsghdr *g = put(b, GENL_HDRLEN);
  g->cmd = cmd;
  g->version = cmd >= 1 && type != GENL_ID_CTRL ? IPVS_GENL_VERSION : 1;
  return at;
}
static void msg_end(struct buf *b, size_t at) { ((struct nlmsghdr *)(b->p + at))->nlmsg_len = (uint32_t)(b->len - at); }

/* ------------------------------------------------------------------ socket */

static void send_all(const struct buf *b) {
  struct sockaddr_nl to = { .nl_family = AF_NETLINK };
  if (sendto(sock, b->p, b->len, 0, (struct sockaddr *)&to, sizeof to) != (ssize_t)b->len) die(3, "netlink send failed");
}

static unsigned char rbuf[1 << 17];

/* Receives until `until` says stop; calls on_msg for every message. Returns 0 or -errno of an NLMSG_ERROR the callback did not take. */
typedef int (*msg_cb)(struct nlmsghdr *h, void *arg); /* >0: stop, 0: go on */

#ifndef RECV_LEN
#define RECV_LEN sizeof rbuf
#endif

static void recv_loop(msg_cb cb, void *arg) {
  for (;;) {
    struct iovec iov = { rbuf, RECV_LEN };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t n = recvmsg(sock, &mh, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      die(3, errno == ENOBUFS ? "netlink receive buffer overrun" : "netlink receive failed");
    }
    if (mh.msg_flags & MSG_TRUNC) die(3, "netlink message larger than the receive buffer");
    for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (cb(h, arg) > 0) return;
    }
  }
}

static struct nlattr *attrs_of(void *start, int len, struct nlattr **tb, int max) {
  memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
  for (struct nlattr *a = start; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
       len -= ALIGN4(a->nla_len), a = (struct nlattr *)((char *)a + ALIGN4(a->nla_len))) {
    int t = a->nla_type & NLA_TYPE_MASK;
    if (t <= max) tb[t] = a;
  }
  return NULL;
}
#define PAYLOAD(a) ((void *)((char *)(a) + NLA_HDRLEN))
#define PLEN(a) ((int)(a)->nla_len - NLA_HDRLEN)
static uint16_t g16(const struct nlattr *a) { uint16_t v = 0; if (a) memcpy(&v, PAYLOAD(a), 2); return v; }
static uint32_t g32(const struct nlattr *a) { uint32_t v = 0; if (a) memcpy(&v, PAYLOAD(a), 4); return v; }
static uint64_t g64(const struct nlattr *a) { uint64_t v = 0; if (a) memcpy(&v, PAYLOAD(a), PLEN(a) >= 8 ? 8 : 4); return v; }

static int resolve_cb(struct nlmsghdr *h, void *arg) {
  int *err = arg;
  if (h->nlmsg_type == NLMSG_ERROR) {
    struct nlmsgerr *e = NLMSG_DATA(h);
    *err = e->error;
    return 1;
  }
  if (h->nlmsg_type == GENL_ID_CTRL) {
    struct nlattr *tb[CTRL_ATTR_MAX + 1];
    attrs_of((char *)NLMSG_DATA(h) + GENL_HDRLEN, (int)h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, tb, CTRL_ATTR_MAX);
    if (tb[CTRL_ATTR_FAMILY_ID]) family = g16(tb[CTRL_ATTR_FAMILY_ID]);
  }
  return 0;
}

static void open_socket(void) {
  sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
  if (sock < 0) die(3, "cannot open a generic netlink socket");
  struct sockaddr_nl me = { .nl_family = AF_NETLINK };
  if (bind(sock, (struct sockaddr *)&me, sizeof me) < 0) die(3, "cannot bind the netlink socket");
  int one = 1, big = 4 << 20;
  setsockopt(sock, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  /* root may exceed rmem_max: a dump of a big table or a chunk's errors must not overrun */
  if (setsockopt(sock, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) < 0) setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  struct buf b = { 0 };
  size_t m = msg_start(&b, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_GETFAMILY, seq_next++);
  a_str(&b, CTRL_ATTR_FAMILY_NAME, IPVS_GENL_NAME);
  msg_end(&b, m);
  send_all(&b);
  free(b.p);
  int err = 0;
  /* the reply comes first, then the ACK (an NLMSG_ERROR with error 0) that ends the loop */
  recv_loop(resolve_cb, &err);
  if (!family) die(3, "the kernel has no IPVS generic netlink family (is ip_vs loaded?)");
}

/* ------------------------------------------------------------------ apply */

struct key { int af, proto; unsigned char addr[16]; uint16_t port; uint32_t fwmark; };

/* the last address parsed: a service's address comes back on each of its real servers' lines */
static struct { int af; char text[INET6_ADDRSTRLEN + 1]; unsigned char bytes[16]; } last_addr;

static int parse_addr(int af, const char *s, unsigned char out[16]) {
  if (af == last_addr.af && !strcmp(s, last_addr.text)) { memcpy(out, last_addr.bytes, 16); return 0; }
  memset(out, 0, 16);
  if (inet_pton(af, s, out) != 1) return -1;
  if (strlen(s) < sizeof last_addr.text) { last_addr.af = af; strcpy(last_addr.text, s); memcpy(last_addr.bytes, out, 16); }
  return 0;
}

static char *next_tok(char **cur) {
  char *s = *cur;
  if (!s) return NULL;
  while (*s == ' ') s++;
  if (!*s) return NULL;
  char *e = s; /* tokens are short: a plain loop, not strchr's vector setup per token */
  while (*e && *e != ' ') e++;
  if (*e) { *e = 0; *cur = e + 1; } else *cur = NULL;
  return s;
}

/* a decimal token no greater than max (what strtoull took here: an optional '+', then digits only) */
static int num(char **cur, unsigned long long max, unsigned long long *out) {
  const char *t = next_tok(cur);
  if (!t) return -1;
  if (*t == '+') t++;
  if (!*t) return -1;
  unsigned long long v = 0;
  for (; *t; t++) {
    if (*t < '0' || *t > '9') return -1;
    v = v * 10 + (unsigned)(*t - '0');
    if (v > max) return -1; /* max < 2^32: no overflow before this */
  }
  *out = v;
  return 0;
}

static int parse_key(char **cur, struct key *k) {
  unsigned long long af, proto, port, mark;
  if (num(cur, 10, &af) || (af != AF_INET && af != AF_INET6) || num(cur, 255, &proto)) return -1;
  char *addr = next_tok(cur);
  if (!addr || num(cur, 65535, &port) || num(cur, 0xffffffffull, &mark)) return -1;
  k->af = (int)af; k->proto = (int)proto; k->port = (uint16_t)port; k->fwmark = (uint32_t)mark;
  if (proto == 0) { memset(k->addr, 0, 16); return mark ? 0 : -1; }
  return parse_addr(k->af, addr, k->addr);
}

static void put_key(struct buf *b, const struct key *k) {
  a_u16(b, IPVS_SVC_ATTR_AF, (uint16_t)k->af);
  if (k->fwmark) {
    a_u32(b, IPVS_SVC_ATTR_FWMARK, k->fwmark);
  } else {
    a_u16(b, IPVS_SVC_ATTR_PROTOCOL, (uint16_t)k->proto);
    attr(b, IPVS_SVC_ATTR_ADDR, k->addr, 16);
    a_u16(b, IPVS_SVC_ATTR_PORT, htons(k->port));
  }
}

/* one op line -> one message appended to b; 0 ok, -1 bad line */
static int build_op(struct buf *b, char *line, uint32_t seq) {
  char *cur = line;
  char *op = next_tok(&cur);
  if (!op || op[1]) return -1;
  struct key k;
  if (parse_key(&cur, &k)) return -1;
  size_t m, n;
  switch (op[0]) {
  case 'A': case 'E': {
    char *sched = next_tok(&cur), *pe = next_tok(&cur);
    unsigned long long flags, timeout;
    if (!sched || !pe || strlen(sched) >= IP_VS_SCHEDNAME_MAXLEN || strlen(pe) >= IP_VS_PENAME_MAXLEN) return -1;
    if (num(&cur, 0xffffffffull, &flags) || num(&cur, 0xffffffffull, &timeout)) return -1;
    char *mask = next_tok(&cur);
    if (!mask || cur) return -1;
    uint32_t netmask;
    if (k.af == AF_INET) { if (inet_pton(AF_INET, mask, &netmask) != 1) return -1; }
    else { char *e; unsigned long v = strtoul(mask, &e, 10); if (*e || v < 1 || v > 128) return -1; netmask = (uint32_t)v; }
    m = msg_start(b, family, NLM_F_REQUEST, op[0] == 'A' ? IPVS_CMD_NEW_SERVICE : IPVS_CMD_SET_SERVICE, seq);
    n = nest_start(b, IPVS_CMD_ATTR_SERVICE);
    put_key(b, &k);
    a_str(b, IPVS_SVC_ATTR_SCHED_NAME, sched);
    if (strcmp(pe, "-") != 0) a_str(b, IPVS_SVC_ATTR_PE_NAME, pe);
    struct ip_vs_flags f = { .flags = (uint32_t)flags, .mask = ~0u };
    attr(b, IPVS_SVC_ATTR_FLAGS, &f, sizeof f);
    a_u32(b, IPVS_SVC_ATTR_TIMEOUT, (uint32_t)timeout);
    a_u32(b, IPVS_SVC_ATTR_NETMASK, netmask);
    nest_end(b, n);
    msg_end(b, m);
    return 0;
  }
  case 'X':
    if (cur) return -1;
    m = msg_start(b, family, NLM_F_REQUEST, IPVS_CMD_DEL_SERVICE, seq);
    n = nest_start(b, IPVS_CMD_ATTR_SERVICE);
    put_key(b, &k);
    nest_end(b, n);
    msg_end(b, m);
    return 0;
  case 'a': case 'e': case 'd': {
    unsigned long long daf, dport, fwd = 0, weight = 0, u = 0, l = 0, tt = 0, tp = 0, tf = 0;
    unsigned char daddr[16];
    if (num(&cur, 10, &daf) || (daf != AF_INET && daf != AF_INET6)) return -1;
    char *a = next_tok(&cur);
    if (!a || parse_addr((int)daf, a, daddr) || num(&cur, 65535, &dport)) return -1;
    if (op[0] != 'd') {
      if (num(&cur, 3, &fwd) || num(&cur, 65535, &weight) || num(&cur, 0x7fffffffull, &u) || num(&cur, 0x7fffffffull, &l) ||
          num(&cur, 2, &tt) || num(&cur, 65535, &tp) || num(&cur, 3, &tf)) return -1;
    }
    if (cur) return -1;
    uint8_t cmd = op[0] == 'a' ? IPVS_CMD_NEW_DEST : op[0] == 'e' ? IPVS_CMD_SET_DEST : IPVS_CMD_DEL_DEST;
    m = msg_start(b, family, NLM_F_REQUEST, cmd, seq);
    n = nest_start(b, IPVS_CMD_ATTR_SERVICE);
    put_key(b, &k);
    nest_end(b, n);
    n = nest_start(b, IPVS_CMD_ATTR_DEST);
    attr(b, IPVS_DEST_ATTR_ADDR, daddr, 16);
    a_u16(b, IPVS_DEST_ATTR_PORT, htons((uint16_t)dport));
    a_u16(b, IPVS_DEST_ATTR_ADDR_FAMILY, (uint16_t)daf);
    if (op[0] != 'd') {
      a_u32(b, IPVS_DEST_ATTR_FWD_METHOD, (uint32_t)fwd);
      a_u32(b, IPVS_DEST_ATTR_WEIGHT, (uint32_t)weight);
      a_u32(b, IPVS_DEST_ATTR_U_THRESH, (uint32_t)u);
      a_u32(b, IPVS_DEST_ATTR_L_THRESH, (uint32_t)l);
      if (fwd == IP_VS_CONN_F_TUNNEL) {
        a_u8(b, IPVS_DEST_ATTR_TUN_TYPE, (uint8_t)tt);
        a_u16(b, IPVS_DEST_ATTR_TUN_PORT, htons((uint16_t)tp));
        a_u16(b, IPVS_DEST_ATTR_TUN_FLAGS, (uint16_t)tf);
      }
    }
    nest_end(b, n);
    msg_end(b, m);
    return 0;
  }
  default:
    return -1;
  }
}

/* libipvs ipvs_strerror wording for the errors ops meet, so messages read like ipvsadm's */
static const char *kernel_error(uint8_t cmd, int err) {
  switch (err) {
  case EEXIST: return cmd == IPVS_CMD_NEW_DEST ? "Destination already exists" : "Service already exists";
  case ESRCH: return cmd >= IPVS_CMD_NEW_DEST ? "Service not defined" : "No such service";
  case ENOENT: return cmd >= IPVS_CMD_NEW_DEST ? "No such destination" : "Scheduler or persistence engine not found";
  case ENOMEM: return "Memory allocation problem";
  case EINVAL: return "Invalid operation.  Possibly wrong module version, address not unicast, ...";
  case EPERM: return "Permission denied (you must be root)";
  default: return strerror(err);
  }
}

struct acks { uint32_t first, last, base; int failed; uint8_t *cmds; };

/* Only the chunk's last message asks for an ACK; the kernel answers every failed one with an
 * NLMSG_ERROR anyway, in order, so the last message's answer (ACK or error) ends the chunk. */
static int ack_cb(struct nlmsghdr *h, void *arg) {
  struct acks *a = arg;
  if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq < a->first || h->nlmsg_seq > a->last) return 0;
  struct nlmsgerr *e = NLMSG_DATA(h);
  if (e->error) {
    a->failed++;
    uint32_t i = h->nlmsg_seq - a->first;
    fprintf(stderr, "op %u: %s\n", h->nlmsg_seq - a->base, kernel_error(a->cmds[i], -e->error));
  }
  return h->nlmsg_seq == a->last ? 1 : 0;
}

static int cmd_apply(void) {
  /* read and check every line before sending anything: a bad line never half-applies a batch */
  size_t cap = 1 << 20, len = 0;
  char *all = malloc(cap);
  size_t got;
  while (all && (got = fread(all + len, 1, cap - len - 1, stdin)) > 0) {
    len += got;
    if (cap - len < 2) all = realloc(all, cap *= 2);
  }
  if (!all) die(2, "out of memory");
  all[len] = 0;
  /* the messages come to ~2.4 bytes per byte of op text: one allocation, no growing copies of 15 MB */
  struct buf b = { 0 };
  b.cap = len / 2 * 5 + 4096;
  if (!(b.p = malloc(b.cap))) die(2, "out of memory");
  size_t nlines = 0;
  for (char *p = all; *p; nlines++) { char *e = strchr(p, '\n'); if (!e) { nlines++; break; } p = e + 1; }
  size_t *ends = calloc(nlines + 1, sizeof *ends), *starts = calloc(nlines + 1, sizeof *starts);
  uint8_t *cmds = calloc(nlines + 1, 1);
  uint32_t ops = 0;
  size_t line_no = 0;
  for (char *p = all; *p;) {
    char *e = strchr(p, '\n');
    if (e) *e = 0;
    line_no++;
    if (*p) {
      size_t before = b.len;
      starts[ops] = before;
      if (build_op(&b, p, seq_next + ops)) { fprintf(stderr, "lvs-ipvs-nl: line %zu: bad op\n", line_no); return 2; }
      cmds[ops] = ((struct genlmsghdr *)(b.p + before + NLMSG_HDRLEN))->cmd;
      ends[ops++] = b.len;
    }
    if (!e) break;
    p = e + 1;
  }
  /* send in chunks of whole messages, each chunk's ACKs collected before the next */
  int failed = 0;
  size_t from = 0;
  uint32_t i = 0;
  while (i < ops) {
    uint32_t j = i;
    while (j < ops && (ends[j] - from <= BATCH_BYTES || j == i)) j++;
    ((struct nlmsghdr *)(b.p + starts[j - 1]))->nlmsg_flags |= NLM_F_ACK;
    struct buf chunk = { b.p + from, ends[j - 1] - from, 0 };
    send_all(&chunk);
    struct acks a = { seq_next + i, seq_next + j - 1, seq_next, 0, cmds + i };
    recv_loop(ack_cb, &a);
    failed += a.failed;
    from = ends[j - 1];
    i = j;
  }
  return failed ? 1 : 0;
}

/* ------------------------------------------------------------------ dump */

static int with_stats;
/* where dump/stats lines go: stdout, or a memory stream for stats-since */
static FILE *out;

static void stats_text(const struct nlattr *st, char *out, size_t size) {
  struct nlattr *tb[IPVS_STATS_ATTR_MAX + 1];
  memset(tb, 0, sizeof tb);
  if (st) attrs_of(PAYLOAD(st), PLEN(st), tb, IPVS_STATS_ATTR_MAX);
  /* " %llu" x 10 by hand (at most 10 x 21 bytes + NUL < size): 1.1 M snprintf calls a read at 10 000 x 10 */
  char *w = out;
  for (int t = IPVS_STATS_ATTR_CONNS; t <= IPVS_STATS_ATTR_OUTBPS && (size_t)(w - out) + 22 < size; t++) {
    uint64_t v = g64(tb[t]);
    char d[20];
    int n = 0;
    do { d[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    *w++ = ' ';
    while (n) *w++ = d[--n];
  }
  *w = 0;
}

struct svc { struct key k; char line[400]; };
struct svcs { struct svc *v; size_t n, cap; };

static int svc_cb(struct nlmsghdr *h, void *arg) {
  struct svcs *s = arg;
  if (h->nlmsg_type == NLMSG_DONE) return 1;
  if (h->nlmsg_type == NLMSG_ERROR) { struct nlmsgerr *e = NLMSG_DATA(h); if (e->error) die(3, kernel_error(IPVS_CMD_GET_SERVICE, -e->error)); return 1; }
  struct nlattr *top[IPVS_CMD_ATTR_MAX + 1], *tb[IPVS_SVC_ATTR_MAX + 1];
  attrs_of((char *)NLMSG_DATA(h) + GENL_HDRLEN, (int)h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, top, IPVS_CMD_ATTR_MAX);
  if (!top[IPVS_CMD_ATTR_SERVICE]) return 0;
  attrs_of(PAYLOAD(top[IPVS_CMD_ATTR_SERVICE]), PLEN(top[IPVS_CMD_ATTR_SERVICE]), tb, IPVS_SVC_ATTR_MAX);
  if (s->n == s->cap) { s->cap = s->cap * 2 + 64; s->v = realloc(s->v, s->cap * sizeof *s->v); if (!s->v) die(2, "out of memory"); }
  struct key *k = &s->v[s->n++].k;
  memset(k, 0, sizeof *k);
  k->af = g16(tb[IPVS_SVC_ATTR_AF]);
  k->fwmark = g32(tb[IPVS_SVC_ATTR_FWMARK]);
  if (!k->fwmark) {
    k->proto = g16(tb[IPVS_SVC_ATTR_PROTOCOL]);
    if (tb[IPVS_SVC_ATTR_ADDR]) memcpy(k->addr, PAYLOAD(tb[IPVS_SVC_ATTR_ADDR]), PLEN(tb[IPVS_SVC_ATTR_ADDR]) < 16 ? (size_t)PLEN(tb[IPVS_SVC_ATTR_ADDR]) : 16);
    k->port = ntohs(g16(tb[IPVS_SVC_ATTR_PORT]));
  }
  struct ip_vs_flags f = { 0, 0 };
  if (tb[IPVS_SVC_ATTR_FLAGS]) memcpy(&f, PAYLOAD(tb[IPVS_SVC_ATTR_FLAGS]), sizeof f);
  uint32_t nm = g32(tb[IPVS_SVC_ATTR_NETMASK]);
  char mask[INET_ADDRSTRLEN], a[INET6_ADDRSTRLEN] = "-", st[240] = "";
  if (k->af == AF_INET) inet_ntop(AF_INET, &nm, mask, sizeof mask); else snprintf(mask, sizeof mask, "%u", nm);
  if (!k->fwmark) inet_ntop(k->af, k->addr, a, sizeof a);
  if (with_stats) stats_text(tb[IPVS_SVC_ATTR_STATS64] ? tb[IPVS_SVC_ATTR_STATS64] : tb[IPVS_SVC_ATTR_STATS], st, sizeof st);
  snprintf(s->v[s->n - 1].line, sizeof s->v[s->n - 1].line, "S %d %d %s %u %u %.15s %.15s %u %u %s%s\n", k->af, k->proto, a, k->port, k->fwmark,
           tb[IPVS_SVC_ATTR_SCHED_NAME] ? (char *)PAYLOAD(tb[IPVS_SVC_ATTR_SCHED_NAME]) : "-",
           tb[IPVS_SVC_ATTR_PE_NAME] ? (char *)PAYLOAD(tb[IPVS_SVC_ATTR_PE_NAME]) : "-", f.flags & ~IP_VS_SVC_F_HASHED,
           g32(tb[IPVS_SVC_ATTR_TIMEOUT]), mask, st);
  return 0;
}

/* " %u" */
static char *put_u32(char *w, uint32_t v) {
  char d[10];
  int n = 0;
  do { d[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  *w++ = ' ';
  while (n) *w++ = d[--n];
  return w;
}

/* inet_ntop's text (IPv4 as %u.%u.%u.%u by hand, IPv6 by inet_ntop itself) */
static char *put_addr(char *w, int af, const unsigned char *addr) {
  if (af == AF_INET) {
    for (int i = 0; i < 4; i++) {
      if (i) *w++ = '.';
      unsigned v = addr[i];
      if (v >= 100) *w++ = (char)('0' + v / 100);
      if (v >= 10) *w++ = (char)('0' + v / 10 % 10);
      *w++ = (char)('0' + v % 10);
    }
    return w;
  }
  if (!inet_ntop(af, addr, w, INET6_ADDRSTRLEN)) { *w = 0; }
  return w + strlen(w);
}

static int dest_cb(struct nlmsghdr *h, void *arg) {
  const struct key *k = arg;
  if (h->nlmsg_type == NLMSG_DONE) return 1;
  if (h->nlmsg_type == NLMSG_ERROR) {
    struct nlmsgerr *e = NLMSG_DATA(h);
    /* the service went away between the two dumps: it simply has no real servers now */
    if (e->error && e->error != -ESRCH) die(3, kernel_error(IPVS_CMD_GET_DEST, -e->error));
    return 1;
  }
  struct nlattr *top[IPVS_CMD_ATTR_MAX + 1], *tb[IPVS_DEST_ATTR_MAX + 1];
  attrs_of((char *)NLMSG_DATA(h) + GENL_HDRLEN, (int)h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, top, IPVS_CMD_ATTR_MAX);
  if (!top[IPVS_CMD_ATTR_DEST]) return 0;
  attrs_of(PAYLOAD(top[IPVS_CMD_ATTR_DEST]), PLEN(top[IPVS_CMD_ATTR_DEST]), tb, IPVS_DEST_ATTR_MAX);
  int daf = tb[IPVS_DEST_ATTR_ADDR_FAMILY] ? g16(tb[IPVS_DEST_ATTR_ADDR_FAMILY]) : k->af;
  unsigned char addr[16] = { 0 };
  if (tb[IPVS_DEST_ATTR_ADDR]) memcpy(addr, PAYLOAD(tb[IPVS_DEST_ATTR_ADDR]), PLEN(tb[IPVS_DEST_ATTR_ADDR]) < 16 ? (size_t)PLEN(tb[IPVS_DEST_ATTR_ADDR]) : 16);
  /* "D %d %s %u %u %u %u %u %u %u %u", written by hand: 100 000 lines of printf were most of a dump's own time */
  char line[160], *w = line;
  *w++ = 'D';
  w = put_u32(w, (uint32_t)daf);
  *w++ = ' ';
  w = put_addr(w, daf, addr);
  uint32_t f[8] = { ntohs(g16(tb[IPVS_DEST_ATTR_PORT])), g32(tb[IPVS_DEST_ATTR_FWD_METHOD]) & IP_VS_CONN_F_FWD_MASK,
                    g32(tb[IPVS_DEST_ATTR_WEIGHT]), g32(tb[IPVS_DEST_ATTR_U_THRESH]), g32(tb[IPVS_DEST_ATTR_L_THRESH]),
                    tb[IPVS_DEST_ATTR_TUN_TYPE] ? *(uint8_t *)PAYLOAD(tb[IPVS_DEST_ATTR_TUN_TYPE]) : 0, ntohs(g16(tb[IPVS_DEST_ATTR_TUN_PORT])),
                    g16(tb[IPVS_DEST_ATTR_TUN_FLAGS]) };
  for (int i = 0; i < 8; i++) w = put_u32(w, f[i]);
  fwrite(line, 1, (size_t)(w - line), out);
  if (with_stats) {
    char c3[40], *cw = c3;
    cw = put_u32(cw, g32(tb[IPVS_DEST_ATTR_ACTIVE_CONNS]));
    cw = put_u32(cw, g32(tb[IPVS_DEST_ATTR_INACT_CONNS]));
    cw = put_u32(cw, g32(tb[IPVS_DEST_ATTR_PERSIST_CONNS]));
    fwrite(c3, 1, (size_t)(cw - c3), out);
    char st[240];
    stats_text(tb[IPVS_DEST_ATTR_STATS64] ? tb[IPVS_DEST_ATTR_STATS64] : tb[IPVS_DEST_ATTR_STATS], st, sizeof st);
    fputs(st, out);
  }
  fputc('\n', out);
  return 0;
}

static int cmd_dump(void) {
  struct buf b = { 0 };
  size_t m = msg_start(&b, family, NLM_F_REQUEST | NLM_F_DUMP, IPVS_CMD_GET_SERVICE, seq_next++);
  msg_end(&b, m);
  send_all(&b);
  struct svcs s = { 0 };
  /* the service list first (one dump at a time on a socket), then each service with its real servers */
  static char obuf[1 << 16];
  if (out == stdout) setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
  recv_loop(svc_cb, &s);
  for (size_t i = 0; i < s.n; i++) {
    b.len = 0;
    m = msg_start(&b, family, NLM_F_REQUEST | NLM_F_DUMP, IPVS_CMD_GET_DEST, seq_next++);
    size_t n = nest_start(&b, IPVS_CMD_ATTR_SERVICE);
    put_key(&b, &s.v[i].k);
    nest_end(&b, n);
    msg_end(&b, m);
    send_all(&b);
    fputs(s.v[i].line, out);
    recv_loop(dest_cb, &s.v[i].k);
  }
  if (fflush(out) != 0) die(2, "cannot write the output");
  free(s.v);
  free(b.p);
  return 0;
}

/* ------------------------------------------------------------------ stats-since */

struct block { const char *p; size_t len, keylen; int seen; };

/* the blocks of a stats text: each starts at an "S " line and runs to the next one */
static struct block *blocks_of(const char *t, size_t len, size_t *n) {
  size_t cap = 1024, k = 0;
  struct block *v = malloc(cap * sizeof *v);
  const char *p = t, *end = t + len;
  while (v && p < end) {
    const char *q = p;
    do { const char *nl = memchr(q, '\n', (size_t)(end - q)); q = nl ? nl + 1 : end; } while (q < end && q[0] != 'S');
    const char *ke = p;
    for (int sp = 0; ke < q && *ke != '\n'; ke++) if (*ke == ' ' && ++sp == 6) break;
    if (k == cap) v = realloc(v, (cap *= 2) * sizeof *v);
    if (!v) break;
    v[k++] = (struct block){ p, (size_t)(q - p), (size_t)(ke - p), 0 };
    p = q;
  }
  if (!v) die(2, "out of memory");
  *n = k;
  return v;
}

static uint64_t hash_key(const char *p, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
  return h;
}

static int cmd_stats_since(const char *file, const char *token) {
  char *now = NULL;
  size_t now_len = 0;
  out = open_memstream(&now, &now_len);
  if (!out) die(2, "out of memory");
  with_stats = 1;
  cmd_dump();
  fclose(out);
  out = stdout;

  /* the previous output: "LVSNL <token>\n" then the text */
  char *old = NULL, old_token[32] = "";
  size_t old_len = 0;
  FILE *f = fopen(file, "r");
  if (f) {
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && st.st_size > 0 && (old = malloc((size_t)st.st_size + 1)) && fread(old, 1, (size_t)st.st_size, f) == (size_t)st.st_size) {
      old[st.st_size] = 0;
      old_len = (size_t)st.st_size;
    } else { free(old); old = NULL; }
    fclose(f);
  }
  const char *old_text = NULL;
  if (old && sscanf(old, "LVSNL %31s", old_token) == 1 && (old_text = strchr(old, '\n'))) old_text++;
  unsigned long long next = strtoull(old_token, NULL, 10) + 1;
  if (!old_text) next = (unsigned long long)time(NULL) * 1000 + (unsigned long long)(getpid() % 1000);
  int delta = old_text && strcmp(token, "-") != 0 && strcmp(token, old_token) == 0;

  static char obuf[1 << 16];
  setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
  printf("%c %llu\n", delta ? 'D' : 'F', next);
  if (!delta) {
    fwrite(now, 1, now_len, stdout);
  } else {
    size_t no, nn;
    struct block *ob = blocks_of(old_text, old_len - (size_t)(old_text - old), &no);
    struct block *nb = blocks_of(now, now_len, &nn);
    size_t hcap = 16;
    while (hcap < no * 2 + 2) hcap *= 2;
    size_t *slot = malloc(hcap * sizeof *slot);
    if (!slot) die(2, "out of memory");
    for (size_t i = 0; i < hcap; i++) slot[i] = (size_t)-1;
    for (size_t i = 0; i < no; i++) {
      size_t h = (size_t)hash_key(ob[i].p, ob[i].keylen) & (hcap - 1);
      while (slot[h] != (size_t)-1) h = (h + 1) & (hcap - 1);
      slot[h] = i;
    }
    for (size_t i = 0; i < nn; i++) {
      struct block *b = &nb[i], *o = NULL;
      for (size_t h = (size_t)hash_key(b->p, b->keylen) & (hcap - 1); slot[h] != (size_t)-1; h = (h + 1) & (hcap - 1)) {
        struct block *c = &ob[slot[h]];
        if (c->keylen == b->keylen && !memcmp(c->p, b->p, b->keylen)) { o = c; break; }
      }
      if (o) o->seen = 1;
      if (!o || o->len != b->len || memcmp(o->p, b->p, b->len)) fwrite(b->p, 1, b->len, stdout);
    }
    for (size_t i = 0; i < no; i++)
      if (!ob[i].seen) printf("R %.*s\n", (int)(ob[i].keylen - 2), ob[i].p + 2);
  }
  if (fflush(stdout) != 0) die(2, "cannot write the output");

  /* the new state, replaced atomically (a reader never sees half a file) */
  size_t fl = strlen(file);
  char *tmp = malloc(fl + 8);
  if (!tmp) die(2, "out of memory");
  snprintf(tmp, fl + 8, "%s.tmp", file);
  f = fopen(tmp, "w");
  if (!f || fprintf(f, "LVSNL %llu\n", next) < 0 || fwrite(now, 1, now_len, f) != now_len || fclose(f) != 0 || rename(tmp, file) != 0) {
    /* without a state the next call is a full one (its token will not match): nothing is lost */
    unlink(tmp);
    unlink(file);
  }
  return 0;
}

#include "statsServe.c"

int main(int argc, char **argv) {
  out = stdout;
  if ((argc == 3 || (argc == 5 && !strcmp(argv[2], "--listing"))) && !strcmp(argv[1], "serve")) {
    const char *answer_file = argv[argc - 1];
    if (!answer_file[0]) die(2, "usage: lvs-ipvs-nl serve [--listing FILE] ANSWER-FILE");
    if (argc == 3) open_socket();
    return cmd_serve(answer_file, argc == 5 ? argv[3] : NULL);
  }
  if (argc == 4 && !strcmp(argv[1], "stats-since")) {
    if (!argv[2][0] || strlen(argv[3]) > 30) die(2, "usage: lvs-ipvs-nl stats-since FILE TOKEN");
    open_socket();
    return cmd_stats_since(argv[2], argv[3]);
  }
  if (argc != 2) die(2, "usage: lvs-ipvs-nl apply|dump|stats|stats-since FILE TOKEN");
  if (strcmp(argv[1], "apply") && strcmp(argv[1], "dump") && strcmp(argv[1], "stats")) die(2, "usage: lvs-ipvs-nl apply|dump|stats|stats-since FILE TOKEN");
  open_socket();
  if (!strcmp(argv[1], "apply")) return cmd_apply();
  with_stats = !strcmp(argv[1], "stats");
  return cmd_dump();
}
