import fs from "fs";

/** Buffered sequential file writer: millions of small records, few system calls. */
export class BufferedFileWriter {
  private readonly fd: number;
  private buf = Buffer.alloc(1 << 22);
  private used = 0;
  pos = 0;

  constructor(file: string) {
    this.fd = fs.openSync(file, "w");
  }
  write(b: Uint8Array): void {
    if (this.used + b.length > this.buf.length) this.flush();
    if (b.length > this.buf.length) fs.writeSync(this.fd, b);
    else {
      this.buf.set(b, this.used);
      this.used += b.length;
    }
    this.pos += b.length;
  }
  u32(v: number): void {
    if (this.used + 4 > this.buf.length) this.flush();
    this.buf.writeUInt32LE(v, this.used);
    this.used += 4;
    this.pos += 4;
  }
  u64(v: bigint): void {
    if (this.used + 8 > this.buf.length) this.flush();
    this.buf.writeBigUInt64LE(v, this.used);
    this.used += 8;
    this.pos += 8;
  }
  flush(): void {
    let off = 0;
    while (off < this.used) off += fs.writeSync(this.fd, this.buf, off, this.used - off);
    this.used = 0;
  }
  /** Overwrites 8 bytes already written (a section size), after flushing. */
  patchU64(at: number, v: bigint): void {
    this.flush();
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v);
    fs.writeSync(this.fd, b, 0, 8, at);
  }
  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

