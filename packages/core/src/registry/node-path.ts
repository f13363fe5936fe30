/** The parent of an absolute registry path ("/a/b" -> "/a", "/a" -> "/"). */
export function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

/** The path of a child ("/" + "x" -> "/x", "/a" + "x" -> "/a/x"). */
export function childOf(path: string, child: string): string {
  return `${path === '/' ? '' : path}/${child}`;
}
