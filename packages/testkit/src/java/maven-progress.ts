const UNIT_BYTES: Readonly<Record<string, number>> = { B: 1, kB: 1_000, KB: 1_000, MB: 1_000_000, GB: 1_000_000_000 };

/**
 * Tallies what a Maven run has fetched from its output lines (`Downloaded from central: URL
 * (2.3 MB at 1.1 MB/s)`), for a progress line while the service jars download.
 */
export class MavenProgress {
  private files = 0;
  private bytes = 0;

  feed(line: string): void {
    if (!line.includes('Downloaded from ')) return;
    this.files += 1;
    const size = /\((\d+(?:\.\d+)?) (B|kB|KB|MB|GB)\b/.exec(line);
    if (size) this.bytes += Number(size[1]) * (UNIT_BYTES[size[2] as string] as number);
  }

  describe(): string {
    return `${this.files} file${this.files === 1 ? '' : 's'}, ${(this.bytes / 1_000_000).toFixed(1)} MB downloaded`;
  }
}
