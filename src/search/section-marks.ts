import { sectionsOfLines, splitLines } from "../archive/index.js";

/**
 * Where the sections of one archived file begin: enough to name the section
 * of any line (from the whole file) without keeping the file. A blob never
 * changes, so its marks are kept by blob id.
 */
export class SectionMarks {
  private constructor(
    /** 1-based line numbers where a section begins, ascending. */
    private readonly starts: readonly number[],
    private readonly names: readonly string[],
  ) {}

  static of(text: string, sectionOf: (line: string) => string | null): SectionMarks {
    const sections = sectionsOfLines(splitLines(text), sectionOf);
    const starts: number[] = [];
    const names: string[] = [];
    sections.forEach((s, i) => {
      if (i === 0 || s !== sections[i - 1]) {
        starts.push(i + 1);
        names.push(s);
      }
    });
    return new SectionMarks(starts, names);
  }

  /** The section line `n` (1-based) stands in; "" past the end of an empty file. */
  at(n: number): string {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! <= n) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? "" : this.names[found]!;
  }
}

/** Marks of the blobs read last, by blob id (a small LRU: searches at latest read the same blobs again). */
export class SectionMarksCache {
  private readonly map = new Map<string, SectionMarks>();
  constructor(private readonly max = 4096) {}

  get(blob: string): SectionMarks | undefined {
    const m = this.map.get(blob);
    if (m) {
      this.map.delete(blob);
      this.map.set(blob, m);
    }
    return m;
  }

  set(blob: string, marks: SectionMarks): void {
    this.map.set(blob, marks);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}
