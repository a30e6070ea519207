import fs from "node:fs";

/**
 * Reads a file's first bytes into memory kept from call to call (grown when too small, never shrunk):
 * the helper's answers are megabytes each second, and a fresh buffer for each was page faults and GC.
 * The bytes returned are valid until the next read.
 */
export class KeptReader {
  private kept = Buffer.alloc(0);

  /** up to `size` bytes from the start of `fd` (fewer when the file ends sooner) */
  read(fd: number, size: number): Buffer {
    if (this.kept.length < size) this.kept = Buffer.allocUnsafe(Math.max(size, this.kept.length * 2));
    let got = 0;
    while (got < size) {
      const n = fs.readSync(fd, this.kept, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return this.kept.subarray(0, got);
  }
}
