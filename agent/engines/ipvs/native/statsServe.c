/*
 * lvs-ipvs-nl serve [--listing FILE] ANSWER: the stats.fields differences computed here, in one
 * process the agent keeps open (included by lvs-ipvs-nl.c; same build).
 *
 * Why: with traffic on every one of 10 000 services x 10 real servers every figure changes every
 * second. Spawning `stats-since` each second and reading its 14.5 MB of text into the agent's columns,
 * then diffing and writing JSON there, cost the agent ~40 % of a core. Here the helper keeps the last
 * figures it answered, in memory, and writes the frame's `fields` numbers (lvs/stats/statsFields.ts)
 * as JSON text itself: the agent only checks and forwards them.
 *
 * Requests, one a line on stdin:  "fields TOKEN BUDGET"  (TOKEN "-" = a full answer)
 * For each, the answer goes into the file ANSWER (rewritten from offset 0), then one line on stdout:
 * "ok BYTES" (the answer's length) or "error TEXT" (nothing kept changed). EOF on stdin: exit 0.
 * Answer:
 *   "F TOKEN\n" or "D TOKEN\n"   F: every service follows whole (slots renumbered from 0); D: only
 *                               the differences from the answer whose token was TOKEN in the request
 *   "R SLOT\n"                  (D) the service in SLOT is gone
 *   "W SLOT\n" + block          a service sent whole: its `stats` block (S line, D lines) — new,
 *                               or its lines before the figures changed (real servers added,
 *                               removed, reordered, re-weighted, any attribute), or a figure past 2^53-1
 *   "X COUNT BYTES\n" + text "\n" (D) COUNT numbers of `fields`, comma-separated JSON numbers: per
 *                               changed row "slot,row,mask" then the difference of each changed figure
 *                               (bit f of mask = figure f: activeconns inactconns persistconns conns
 *                               inpkts outpkts inbytes outbytes cps inpps outpps inbps outbps; row 0 the
 *                               service (no connection counts), 1+i its real server i), slots and
 *                               rows increasing; a segment holds whole slots, at most BUDGET numbers
 *                               unless one slot alone has more
 *   "E\n"                       the end (a cut answer lacks it)
 * With --listing FILE the figures come from FILE (a `stats` listing, re-read on each request) instead
 * of the kernel: tests and benchmarks run this same code without IPVS.
 */

#define NFIG 13
#define SAFE_MAX 9007199254740991ull

struct srec { char *stat; size_t stat_len; uint32_t rows; uint64_t *v; int used; };
/* one block of the listing being answered: where it is, its key, its figures parsed into `vals` */
struct nblk { const char *p; size_t len, keylen; uint32_t rows; size_t vo; int slot; int whole; };
/* per row of the listing (parallel to the figures, one per NFIG): where its line starts in its block and the length of its words before the figures */
static uint32_t *row_off, *row_static;
static size_t rows_cap;

static struct srec *slots;
static size_t nslots, slots_cap;
static int *free_slots;
static size_t nfree;
static unsigned long long last_token;
static int have_state;

struct obuf { char *p; size_t len, cap; };
static void ob_need(struct obuf *b, size_t n) {
  if (b->len + n <= b->cap) return;
  b->cap = (b->len + n) * 2 + 65536;
  b->p = realloc(b->p, b->cap);
  if (!b->p) die(2, "out of memory");
}
static void ob_put(struct obuf *b, const void *s, size_t n) { ob_need(b, n); memcpy(b->p + b->len, s, n); b->len += n; }

/* ", %lld" without printf (1.4 M numbers an answer at full traffic) */
static void ob_num(struct obuf *b, long long v, int comma) {
  ob_need(b, 24);
  char *w = b->p + b->len, d[20];
  if (comma) *w++ = ',';
  unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
  if (v < 0) *w++ = '-';
  int n = 0;
  do { d[n++] = (char)('0' + u % 10); u /= 10; } while (u);
  while (n) *w++ = d[--n];
  b->len = (size_t)(w - b->p);
}

/* the end of the n-th word of the line at p (the space after it), or NULL when the line has fewer */
static const char *after_words(const char *p, const char *end, int n) {
  for (int k = 0; p < end && *p != '\n'; p++) if (*p == ' ' && ++k == n) return p;
  return NULL;
}

/* " n n n" (count numbers) to the line's end into v; -1 when anything else */
static int figures_of(const char *p, const char *end, int count, uint64_t *v, const char **line_end) {
  for (int k = 0; k < count; k++) {
    if (p >= end || *p != ' ') return -1;
    p++;
    const char *s = p;
    uint64_t x = 0;
    while (p < end && *p >= '0' && *p <= '9') {
      if (x > (UINT64_MAX - 9) / 10) return -1;
      x = x * 10 + (uint64_t)(*p++ - '0');
    }
    if (p == s || p - s > 20) return -1;
    v[k] = x;
  }
  if (p < end && *p != '\n') return -1;
  *line_end = p < end ? p + 1 : p;
  return 0;
}

static char serve_err[200];

/* the listing's blocks, each S line's 10 and D lines' 13 figures in `vals`; -1 (serve_err) when malformed */
static int parse_listing(const char *t, size_t len, struct nblk **out_b, size_t *out_n, uint64_t **out_v) {
  /* kept from read to read (a fresh 10 MB a second is page faults, most of the helper's system time) */
  static struct nblk *kb;
  static uint64_t *kv;
  static size_t kcap = 1024, kvcap = 1 << 16;
  size_t cap = kcap, n = 0, vcap = kvcap, vn = 0, line = 0;
  struct nblk *b = kb ? kb : malloc(cap * sizeof *b);
  uint64_t *v = kv ? kv : malloc(vcap * sizeof *v);
  const char *p = t, *end = t + len;
  if (!b || !v) die(2, "out of memory");
  while (p < end) {
    line++;
    if (end - p < 2 || p[0] != 'S' || p[1] != ' ') { snprintf(serve_err, sizeof serve_err, "listing line %zu: not a service line", line); goto bad; }
    const char *ke = after_words(p, end, 6), *fe = ke ? after_words(ke + 1, end, 5) : NULL;
    if (!ke || !fe) { snprintf(serve_err, sizeof serve_err, "listing line %zu: a service line without its figures", line); goto bad; }
    if (n == cap && !(b = realloc(b, (cap *= 2) * sizeof *b))) die(2, "out of memory");
    struct nblk *k = &b[n++];
    k->p = p; k->keylen = (size_t)(ke - p); k->rows = 0; k->vo = vn; k->slot = -1; k->whole = 0;
    for (;;) {
      if (vn + NFIG > vcap && !(v = realloc(v, (vcap *= 2) * sizeof *v))) die(2, "out of memory");
      if (vn / NFIG >= rows_cap) {
        rows_cap = rows_cap * 2 + 4096;
        if (!(row_off = realloc(row_off, rows_cap * sizeof *row_off)) || !(row_static = realloc(row_static, rows_cap * sizeof *row_static))) die(2, "out of memory");
      }
      row_off[vn / NFIG] = (uint32_t)(p - k->p);
      row_static[vn / NFIG] = (uint32_t)(fe - p);
      memset(v + vn, 0, NFIG * sizeof *v);
      const char *q;
      if (k->rows == 0 ? figures_of(fe, end, 10, v + vn + 3, &q) : figures_of(fe, end, NFIG, v + vn, &q)) {
        snprintf(serve_err, sizeof serve_err, "listing line %zu: figures that are not counts", line);
        goto bad;
      }
      vn += NFIG;
      k->rows++;
      p = q;
      if (p >= end || p[0] != 'D') break;
      line++;
      if (end - p < 2 || p[1] != ' ' || !(fe = after_words(p, end, 11))) { snprintf(serve_err, sizeof serve_err, "listing line %zu: not a real-server line", line); goto bad; }
    }
    k->len = (size_t)(p - k->p);
  }
  *out_b = kb = b; *out_n = n; *out_v = kv = v;
  kcap = cap; kvcap = vcap;
  return 0;
bad:
  kb = b; kv = v; kcap = cap; kvcap = vcap;
  return -1;
}

/* whether the block's lines up to their figures are the kept ones */
static int same_static(const struct nblk *k, const struct srec *s) {
  if (s->rows != k->rows) return 0;
  const char *st = s->stat, *se = s->stat + s->stat_len;
  size_t row = k->vo / NFIG;
  for (uint32_t r = 0; r < k->rows; r++) {
    size_t n = row_static[row + r];
    if ((size_t)(se - st) < n + 1 || st[n] != '\n' || memcmp(st, k->p + row_off[row + r], n)) return 0;
    st += n + 1;
  }
  return 1;
}

static void keep(struct srec *s, const struct nblk *k, const uint64_t *vals) {
  free(s->stat); free(s->v);
  s->stat = malloc(k->len + 1); s->v = malloc((size_t)k->rows * NFIG * sizeof *s->v);
  if (!s->stat || !s->v) die(2, "out of memory");
  s->stat_len = 0;
  size_t row = k->vo / NFIG;
  for (uint32_t r = 0; r < k->rows; r++) {
    size_t n = row_static[row + r];
    memcpy(s->stat + s->stat_len, k->p + row_off[row + r], n);
    s->stat_len += n;
    s->stat[s->stat_len++] = '\n';
  }
  s->rows = k->rows;
  memcpy(s->v, vals + k->vo, (size_t)k->rows * NFIG * sizeof *s->v);
  s->used = 1;
}

static void drop_state(void) {
  for (size_t i = 0; i < nslots; i++) { free(slots[i].stat); free(slots[i].v); }
  nslots = 0; nfree = 0; have_state = 0;
}

static int take_slot(void) {
  if (nfree) return free_slots[--nfree];
  if (nslots == slots_cap) {
    slots_cap = slots_cap * 2 + 1024;
    if (!(slots = realloc(slots, slots_cap * sizeof *slots)) || !(free_slots = realloc(free_slots, slots_cap * sizeof *free_slots))) die(2, "out of memory");
  }
  memset(&slots[nslots], 0, sizeof *slots);
  return (int)nslots++;
}

static int any_unsafe(const uint64_t *v, size_t n) {
  for (size_t i = 0; i < n; i++) if (v[i] > SAFE_MAX) return 1;
  return 0;
}

static void put_whole(struct obuf *o, int slot, const struct nblk *k) {
  char h[32];
  ob_put(o, h, (size_t)snprintf(h, sizeof h, "W %d\n", slot));
  ob_put(o, k->p, k->len);
  if (k->len && k->p[k->len - 1] != '\n') ob_put(o, "\n", 1);
}

static void flush_segment(struct obuf *o, struct obuf *seg, size_t count, size_t bytes) {
  char h[64];
  ob_put(o, h, (size_t)snprintf(h, sizeof h, "X %zu %zu\n", count, bytes));
  ob_put(o, seg->p, bytes);
  ob_put(o, "\n", 1);
  memmove(seg->p, seg->p + bytes, seg->len - bytes);
  seg->len -= bytes;
}

/* one answer into o; -1 (serve_err) when the listing is malformed (nothing kept changed) */
static int answer(const char *text, size_t len, int delta, size_t budget, struct obuf *o) {
  struct nblk *b; size_t n; uint64_t *vals;
  if (parse_listing(text, len, &b, &n, &vals)) return -1;
  unsigned long long token = have_state ? last_token + 1 : (unsigned long long)time(NULL) * 1000 + (unsigned long long)(getpid() % 1000);
  char h[64];
  o->len = 0;
  ob_put(o, h, (size_t)snprintf(h, sizeof h, "%c %llu\n", delta ? 'D' : 'F', token));
  if (!delta) {
    drop_state();
    for (size_t i = 0; i < n; i++) {
      b[i].slot = take_slot();
      keep(&slots[b[i].slot], &b[i], vals);
      put_whole(o, b[i].slot, &b[i]);
    }
  } else {
    /* the kept services by key: a hash rebuilt per answer (10 000 keys: nothing next to the figures) */
    size_t hcap = 16;
    while (hcap < nslots * 2 + 2) hcap *= 2;
    int *hash = malloc(hcap * sizeof *hash), *seen = calloc(nslots + 1, sizeof *seen);
    int *of_slot = malloc((nslots + n + 1) * sizeof *of_slot);
    if (!hash || !seen || !of_slot) die(2, "out of memory");
    for (size_t i = 0; i < hcap; i++) hash[i] = -1;
    for (size_t i = 0; i < nslots; i++) {
      if (!slots[i].used) continue;
      size_t kl = (size_t)(after_words(slots[i].stat, slots[i].stat + slots[i].stat_len, 6) - slots[i].stat);
      size_t hh = (size_t)hash_key(slots[i].stat, kl) & (hcap - 1);
      while (hash[hh] >= 0) hh = (hh + 1) & (hcap - 1);
      hash[hh] = (int)i;
    }
    for (size_t i = 0; i < n; i++) {
      struct nblk *k = &b[i];
      for (size_t hh = (size_t)hash_key(k->p, k->keylen) & (hcap - 1); hash[hh] >= 0; hh = (hh + 1) & (hcap - 1)) {
        struct srec *s = &slots[hash[hh]];
        if (!memcmp(s->stat, k->p, k->keylen) && s->stat[k->keylen] == ' ') { k->slot = hash[hh]; break; }
      }
      if (k->slot >= 0 && seen[k->slot]) k->slot = -1; /* the same key twice (never from the kernel): the second is another service */
      else if (k->slot >= 0) seen[k->slot] = 1;
    }
    /* gone first (their slots may be taken again below) */
    size_t before = nslots;
    for (size_t i = 0; i < before; i++) {
      if (!slots[i].used || seen[i]) continue;
      ob_put(o, h, (size_t)snprintf(h, sizeof h, "R %zu\n", i));
      free(slots[i].stat); free(slots[i].v);
      memset(&slots[i], 0, sizeof slots[i]);
      free_slots[nfree++] = (int)i;
    }
    for (size_t i = 0; i < nslots + n; i++) of_slot[i] = -1;
    for (size_t i = 0; i < n; i++) {
      struct nblk *k = &b[i];
      if (k->slot < 0) {
        k->slot = take_slot();
        k->whole = 1;
      } else if (!same_static(k, &slots[k->slot]) || any_unsafe(vals + k->vo, (size_t)k->rows * NFIG) || any_unsafe(slots[k->slot].v, (size_t)k->rows * NFIG)) {
        k->whole = 1;
      }
      of_slot[k->slot] = (int)i;
    }
    for (size_t i = 0; i < nslots; i++) {
      if (of_slot[i] < 0 || !b[of_slot[i]].whole) continue;
      keep(&slots[i], &b[of_slot[i]], vals);
      put_whole(o, (int)i, &b[of_slot[i]]);
    }
    /* the differences, by slot then row; segments of whole slots, at most `budget` numbers each */
    static struct obuf seg;
    seg.len = 0;
    size_t count = 0, cut_bytes = 0, cut_count = 0;
    for (size_t i = 0; i < nslots; i++) {
      if (of_slot[i] < 0 || b[of_slot[i]].whole) continue;
      struct srec *s = &slots[i];
      const uint64_t *nv = vals + b[of_slot[i]].vo;
      size_t slot_count = 0;
      for (uint32_t r = 0; r < s->rows; r++) {
        uint64_t *ov = s->v + (size_t)r * NFIG;
        const uint64_t *x = nv + (size_t)r * NFIG;
        unsigned mask = 0;
        for (int f = 0; f < NFIG; f++) if (x[f] != ov[f]) mask |= 1u << f;
        if (!mask) continue;
        ob_num(&seg, (long long)i, seg.len > 0);
        ob_num(&seg, r, 1);
        ob_num(&seg, mask, 1);
        slot_count += 3;
        for (int f = 0; f < NFIG; f++) {
          if (!(mask & (1u << f))) continue;
          ob_num(&seg, (long long)x[f] - (long long)ov[f], 1);
          ov[f] = x[f];
          slot_count++;
        }
      }
      if (!slot_count) continue;
      if (cut_count && count + slot_count > budget) {
        flush_segment(o, &seg, cut_count, cut_bytes);
        count -= cut_count;
        /* the rest starts with this slot's comma */
        memmove(seg.p, seg.p + 1, --seg.len);
      }
      count += slot_count;
      cut_count = count;
      cut_bytes = seg.len;
    }
    if (count) flush_segment(o, &seg, count, seg.len);
    free(hash); free(seen); free(of_slot);
  }
  ob_put(o, "E\n", 2);
  last_token = token;
  have_state = 1;
  return 0;
}

static struct obuf nowbuf;
static ssize_t now_write(void *c, const char *p, size_t n) { ob_put(c, p, n); return (ssize_t)n; }

static int cmd_serve(const char *answer_file, const char *listing) {
  int fd = open(answer_file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) die(2, "cannot open the answer file");
  char line[128];
  static struct obuf o;
  setvbuf(stdout, NULL, _IOLBF, 0);
  while (fgets(line, sizeof line, stdin)) {
    char tok[40];
    unsigned long long budget;
    char extra;
    if (!strchr(line, '\n') || sscanf(line, "fields %39s %llu %c", tok, &budget, &extra) != 2 || budget < 1) {
      printf("error bad request (want \"fields TOKEN BUDGET\")\n");
      if (!strchr(line, '\n')) { int c; while ((c = getchar()) != EOF && c != '\n') {} }
      continue;
    }
    int delta = have_state && strcmp(tok, "-") != 0 && strtoull(tok, NULL, 10) == last_token && tok[strspn(tok, "0123456789")] == 0;
    nowbuf.len = 0;
    if (listing) {
      FILE *f = fopen(listing, "r");
      struct stat st;
      if (f && !fstat(fileno(f), &st)) ob_need(&nowbuf, (size_t)st.st_size + 1);
      if (!f || fstat(fileno(f), &st) || fread(nowbuf.p, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        if (f) fclose(f);
        printf("error cannot read the listing %s\n", listing);
        continue;
      }
      fclose(f);
      nowbuf.len = (size_t)st.st_size;
    } else {
      /* the dump's text into the kept buffer */
      out = fopencookie(&nowbuf, "w", (cookie_io_functions_t){ .write = now_write });
      if (!out) die(2, "out of memory");
      with_stats = 1;
      cmd_dump();
      fclose(out);
      out = stdout;
    }
    int r = answer(nowbuf.p, nowbuf.len, delta, (size_t)budget, &o);
    if (r) { printf("error %s\n", serve_err); continue; }
    if (pwrite(fd, o.p, o.len, 0) != (ssize_t)o.len || ftruncate(fd, (off_t)o.len)) {
      drop_state(); /* the agent never sees this answer: the next one is full */
      printf("error cannot write the answer file\n");
      continue;
    }
    printf("ok %zu\n", o.len);
  }
  return 0;
}
