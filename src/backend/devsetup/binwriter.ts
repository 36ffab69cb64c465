import fs from "fs";
import { u32le, u64le } from "./field";

/**
 * Sequential writer for iden3's sectioned binary files (.ptau, .zkey): a 4-byte magic, u32 version,
 * u32 section count, then sections of (u32 id, u64 byte length, data). Section lengths are patched in
 * when a section ends. Remembers where each section's data starts so it can be read back.
 */
export class BinWriter {
  readonly fd: number;
  pos = 0;
  private sizeAt = -1;
  private dataStart = -1;
  readonly sections = new Map<number, { start: number; size: number }>();
  private current = -1;

  constructor(readonly file: string, magic: string, version: number, nSections: number) {
    this.fd = fs.openSync(file, "w+");
    this.write(Buffer.from(magic, "ascii"));
    this.write(u32le(version));
    this.write(u32le(nSections));
  }

  write(buf: Uint8Array): void {
    let off = 0;
    while (off < buf.byteLength) off += fs.writeSync(this.fd, buf, off, buf.byteLength - off, this.pos + off);
    this.pos += buf.byteLength;
  }

  startSection(id: number): void {
    if (this.current >= 0) throw new Error(`section ${this.current} still open`);
    this.current = id;
    this.write(u32le(id));
    this.sizeAt = this.pos;
    this.write(u64le(0));
    this.dataStart = this.pos;
  }

  endSection(): void {
    const size = this.pos - this.dataStart;
    fs.writeSync(this.fd, u64le(size), 0, 8, this.sizeAt);
    this.sections.set(this.current, { start: this.dataStart, size });
    this.current = -1;
  }

  /** Reads back `n` bytes at `offset` within an already written section. */
  read(section: number, offset: number, n: number): Uint8Array {
    const s = this.sections.get(section);
    if (!s || offset + n > s.size) throw new Error(`read outside section ${section}`);
    const buf = new Uint8Array(n); // its own buffer (not a pooled Buffer), so it can be posted cheaply
    let got = 0;
    while (got < n) got += fs.readSync(this.fd, buf, got, n - got, s.start + offset + got);
    return buf;
  }

  close(): void {
    if (this.current >= 0) throw new Error(`section ${this.current} still open`);
    fs.closeSync(this.fd);
  }

  /** Closes without checks (error paths). */
  abandon(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}
