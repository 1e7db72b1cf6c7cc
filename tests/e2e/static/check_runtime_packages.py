#!/usr/bin/env python3
"""Checks scripts/runtime-packages.txt, what the images' runtime stage installs:
every package exists in Debian, and every shared library the built binaries
load comes from a listed package or from debian:bookworm-slim itself.

usage: check_runtime_packages.py REPO BINARY... [--allow PACKAGE]...
  --allow: also accept PACKAGE (sanitizer runtimes in instrumented builds)
"""

import re
import subprocess
import sys
from pathlib import Path

# Part of debian:bookworm-slim (apt and coreutils need them), so never listed.
SLIM_BASE = {"libc6", "libstdc++6", "libgcc-s1"}


def run(*command):
    return subprocess.run(command, capture_output=True, text=True)


def listed_packages(repo):
    text = (repo / "scripts/runtime-packages.txt").read_text()
    return [line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip()]


def known_to_debian(package):
    # apt-cache needs package lists; an installed package came from them too.
    if run("apt-cache", "show", "--no-all-versions", package).returncode == 0:
        return True
    status = run("dpkg-query", "-W", "-f=${Status}", package)
    return status.returncode == 0 and "ok installed" in status.stdout


def needed_libraries(binary):
    dump = run("objdump", "-p", str(binary))
    if dump.returncode != 0:
        raise SystemExit(f"objdump failed on {binary}: {dump.stderr}")
    return re.findall(r"^\s*NEEDED\s+(\S+)", dump.stdout, re.MULTILINE)


def resolved_paths(binary):
    paths = {}
    for line in run("ldd", str(binary)).stdout.splitlines():
        match = re.match(r"\s*(\S+)\s+=>\s+(/\S+)", line)
        if match:
            paths[match.group(1)] = match.group(2)
    return paths


def owning_package(path):
    # With merged /usr a library may be registered under /lib or /usr/lib.
    candidates = [path, Path(path).resolve().as_posix()]
    candidates += [c.replace("/usr/lib/", "/lib/", 1) for c in list(candidates)]
    candidates += [c.replace("/lib/", "/usr/lib/", 1) for c in list(candidates) if c.startswith("/lib/")]
    for candidate in candidates:
        result = run("dpkg-query", "-S", candidate)
        if result.returncode == 0:
            return result.stdout.split(":")[0].strip()
    return None


def main(argv):
    allowed_extra = {argv[i + 1] for i, a in enumerate(argv) if a == "--allow" and i + 1 < len(argv)}
    positional = [a for i, a in enumerate(argv) if a != "--allow" and (i == 0 or argv[i - 1] != "--allow")]
    if len(positional) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    repo, binaries = Path(positional[0]), [Path(b) for b in positional[1:]]
    errors = []

    packages = listed_packages(repo)
    if not packages:
        errors.append("scripts/runtime-packages.txt lists no package")
    for package in packages:
        if not known_to_debian(package):
            errors.append(f"runtime package '{package}' is not a Debian 12 package (apt-cache show)")

    accepted = set(packages) | SLIM_BASE | allowed_extra
    for binary in binaries:
        paths = resolved_paths(binary)
        for library in needed_libraries(binary):
            path = paths.get(library)
            if path is None:
                if library.startswith(("libc.so", "libm.so", "ld-linux")):
                    continue  # the loader and libc itself
                errors.append(f"{binary.name}: {library} does not resolve (ldd)")
                continue
            package = owning_package(path)
            if package is None:
                errors.append(f"{binary.name}: {library} ({path}) belongs to no Debian package")
            elif package.split(":")[0] not in accepted:
                errors.append(f"{binary.name}: loads {library} from '{package}', "
                              "which scripts/runtime-packages.txt does not list")

    for error in errors:
        print(f"FAIL: {error}")
    if not errors:
        print(f"ok: {len(packages)} runtime packages exist and cover every library "
              f"{', '.join(b.name for b in binaries)} load")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
