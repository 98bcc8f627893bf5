"""Where the time goes, from py-spy's collapsed stacks (`py-spy record --format raw`): the
functions with the most samples inclusive (on the stack at all) and self (at its top), over
one or more files (one per worker), with CKAN's, this extension's and the libraries' frames
named by module. Idle samples (a worker waiting for a request) are left out.

  .venv/ckan/bin/python bench/profile_summary.py var/bench/profile-full-*.txt [--top 25] [--within upsert]
"""
from __future__ import annotations

import argparse
import collections
import re
import sys
from pathlib import Path

IDLE = re.compile(r"\b(wait|select|accept|_recv|recv_into|poll) \(")
FRAME = re.compile(r"^(?P<fn>.+?) \((?P<file>[^:]+)(?::\d+)?\)$")


def short(frame: str) -> str:
    m = FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    path = m.group("file")
    for marker in ("site-packages/", "ckanext-qingyang/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{m.group('fn')} ({path.removesuffix('.py')})"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="+")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--within", default="",
                        help="count only the frames below the first one whose name starts with this "
                             "(e.g. 'upsert'), so the request plumbing above it stays out of the list")
    args = parser.parse_args()
    inclusive, own = collections.Counter(), collections.Counter()
    total = idle = 0
    for name in args.files:
        path = Path(name)
        if not path.exists():
            continue
        for line in path.read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            n = int(count)
            frames = [f for f in stack.split(";") if f]
            if frames and IDLE.search(frames[-1]) and "gunicorn" in stack and "handle_request" not in stack:
                idle += n
                continue
            total += n
            if args.within:
                names = [short(f) for f in frames]
                start = next((i for i, f in enumerate(names) if f.startswith(args.within)), None)
                frames = frames[start + 1:] if start is not None else []
            for f in {short(f) for f in frames}:
                inclusive[f] += n
            if frames:
                own[short(frames[-1])] += n
    if not total:
        print("no busy samples", file=sys.stderr)
        return 1
    print(f"{total} busy samples ({idle} idle left out) over {len(args.files)} worker(s)")
    print(f"\n{'inclusive':>9}  function")
    for f, n in inclusive.most_common(args.top):
        print(f"{n / total:9.1%}  {f}")
    print(f"\n{'self':>9}  function")
    for f, n in own.most_common(args.top):
        print(f"{n / total:9.1%}  {f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
