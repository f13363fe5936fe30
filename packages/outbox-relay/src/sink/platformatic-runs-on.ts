// No imports: vitest.config.ts reads this too, to leave out the tests that need such a Node.js.

/**
 * Whether @platformatic/kafka runs on a Node.js version: 22.22 or later on the 22 line, 24.6 or
 * later on 24, any later line. Its `engines` say so; older versions lack runtime APIs it uses.
 */
export function platformaticRunsOn(nodeVersion: string): boolean {
  const [major = 0, minor = 0] = nodeVersion.replace(/^v/, '').split('.').map(Number);
  if (major === 22) return minor >= 22;
  if (major === 24) return minor >= 6;
  return major >= 25;
}
