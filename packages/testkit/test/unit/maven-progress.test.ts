import { describe, expect, it } from 'vitest';
import { MavenProgress } from '../../src/java/maven-progress.js';

describe('MavenProgress', () => {
  it('counts downloaded files and adds up their sizes, ignoring every other line', () => {
    const progress = new MavenProgress();
    expect(progress.describe()).toBe('0 files, 0.0 MB downloaded');
    for (const line of [
      '[INFO] Downloading from central: https://repo.maven.apache.org/maven2/org/apache/kafka/kafka_2.13/3.9.1/kafka_2.13-3.9.1.jar',
      '[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/org/apache/kafka/kafka_2.13/3.9.1/kafka_2.13-3.9.1.jar (6.4 MB at 3.1 MB/s)',
      '[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/org/slf4j/slf4j-api/1.7.36/slf4j-api-1.7.36.pom (2.7 kB at 40 kB/s)',
      '[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/x/y/1/y-1.jar (512 B at 9 kB/s)',
      '[INFO] Copying kafka_2.13-3.9.1.jar to /tmp/lib/kafka_2.13-3.9.1.jar',
    ]) progress.feed(line);
    expect(progress.describe()).toBe('3 files, 6.4 MB downloaded');
  });

  it('says "1 file" for one', () => {
    const progress = new MavenProgress();
    progress.feed('[INFO] Downloaded from central: https://example.invalid/a.jar (1.5 MB at 1 MB/s)');
    expect(progress.describe()).toBe('1 file, 1.5 MB downloaded');
  });
});
