#!/usr/bin/env python3
"""Checks that the Dockerfiles install and build only the way CI does.

usage: check_dockerfiles.py REPO DOCKERFILE...            exit 0 when all pass
       check_dockerfiles.py --expect-violation REPO FILE   exit 0 when FILE is rejected
                                                           with every '# expect: TEXT' it lists
"""

import sys
from pathlib import Path

from dockerfile_rules import Checker


def main(argv):
    expect_violation = argv[:1] == ["--expect-violation"]
    if expect_violation:
        argv = argv[1:]
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    repo = Path(argv[0])
    checker = Checker(repo)
    if not checker.presets:
        print("no CMake preset found that scripts/test.sh builds", file=sys.stderr)
        return 1
    for name in argv[1:]:
        checker.check(Path(name))
    for error in checker.errors:
        print(error)
    if expect_violation:
        expected = [line.split("# expect:", 1)[1].strip()
                    for name in argv[1:] for line in Path(name).read_text().splitlines()
                    if line.startswith("# expect:")]
        missing = [text for text in expected if not any(text in error for error in checker.errors)]
        if not expected or missing:
            print(f"FAIL: expected violations not reported: {missing or 'none declared'}")
            return 1
        print(f"rejected as expected ({len(expected)} expected violations reported)")
        return 0
    if not checker.errors:
        print(f"ok: {len(argv) - 1} Dockerfiles install and build only as CI does")
    return 1 if checker.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
