/**
 * A minimal writer of the "newc" cpio format, enough for a Linux initramfs overlay:
 * directories, regular files and character devices. The kernel unpacks concatenated archives
 * in order, so an overlay written here can be appended to the base archive from lab/build.sh.
 */

export type CpioEntry =
  | { kind: "dir"; path: string; mode?: number }
  | { kind: "file"; path: string; data: Uint8Array; mode?: number }
  | { kind: "chardev"; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFCHR = 0o020000;

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

/** Normalise "/a/b/" or "a/b" to "a/b" (archive names are relative to the root). */
function archiveName(path: string): string {
  const name = path.replace(/^\/+/, "").replace(/\/+$/, "");
  if (name === "" || name.split("/").some((p) => p === ".." || p === "." || p === "")) {
    throw new Error(`cpio: invalid path ${JSON.stringify(path)} (need an absolute path without . or ..)`);
  }
  return name;
}

/** The parent directories of every entry are added (mode 0755) unless listed explicitly. */
export function writeCpio(entries: CpioEntry[]): Uint8Array {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let ino = 1000;
  const seenDirs = new Set<string>();

  const push = (name: string, mode: number, data: Uint8Array, rdev: [number, number] = [0, 0]): void => {
    const nameBytes = enc.encode(name + "\0");
    const header =
      "070701" +
      [ino++, mode, 0, 0, (mode & S_IFDIR) === S_IFDIR ? 2 : 1, 0, data.length, 0, 0, rdev[0], rdev[1], nameBytes.length, 0]
        .map(hex8)
        .join("");
    chunks.push(enc.encode(header), nameBytes, new Uint8Array(pad4(110 + nameBytes.length)));
    chunks.push(data, new Uint8Array(pad4(data.length)));
  };

  const ensureParents = (name: string): void => {
    const parts = name.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (!seenDirs.has(dir)) {
        seenDirs.add(dir);
        push(dir, S_IFDIR | 0o755, new Uint8Array(0));
      }
    }
  };

  for (const e of entries) {
    const name = archiveName(e.path);
    ensureParents(name);
    if (e.kind === "dir") {
      if (!seenDirs.has(name)) {
        seenDirs.add(name);
        push(name, S_IFDIR | (e.mode ?? 0o755), new Uint8Array(0));
      }
    } else if (e.kind === "file") {
      push(name, S_IFREG | (e.mode ?? 0o644), e.data);
    } else {
      push(name, S_IFCHR | (e.mode ?? 0o600), new Uint8Array(0), [e.major, e.minor]);
    }
  }
  push("TRAILER!!!", 0, new Uint8Array(0));

  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
