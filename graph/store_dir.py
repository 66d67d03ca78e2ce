"""Where builds live on disk, how a finished build is published atomically, and how leftovers of a
killed build are recovered at the next one.

The build folder a user names (`--out DIR`, `var/graph` by default) is a symbolic link to one
finished build inside a sibling folder of builds:

    var/graph                ->  graph.builds/20261202T141500Z-3f9a1c2e
    var/graph.builds/
        20261202T141500Z-3f9a1c2e/     the build being served (store/, dumps/, build.json ...)
        20261202T120102Z-77c0d1aa/     the previous build, kept while a server may still read it
        building-4242/                 a build being written by process 4242

Publishing renames the finished staging folder into `graph.builds/<build id>` (it is not visible as
DIR yet), then points a fresh link at it and renames that link over DIR. rename(2) replaces DIR in
one step, so at every instant DIR names a complete build: a build killed at any moment leaves either
the previous build or the new one in place, never neither. Readers follow DIR when they open it and
keep the build they opened; a server notices the new build id and moves to it between requests.

A reader holds a shared lock (flock) on the build.json of every build it has open. Old builds are
removed only when no reader holds one, so a build is never deleted under a server still using it.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import re
import secrets
import shutil
from pathlib import Path

BUILD_INFO = "build.json"  # the same name as graph.store.BUILD_INFO; the file readers lock
BUILDS_SUFFIX = ".builds"
STAGING_PREFIX = "building-"
KEEP_PREVIOUS = 1  # finished builds kept besides the current one (a server may still be reading them)

_LEGACY_STAGING = re.compile(r"^\.(?P<name>.+)\.(?P<kind>building|old|link)-(?P<pid>[0-9]+)$")
_STAGING = re.compile(rf"^{STAGING_PREFIX}(?P<pid>[0-9]+)$")


def builds_folder(target: Path) -> Path:
    """The folder holding every build of `target` (`var/graph` -> `var/graph.builds`)."""
    target = Path(target)
    return target.with_name(target.name + BUILDS_SUFFIX)


def new_build_id() -> str:
    """A build id that sorts by time and is unique: `20261202T141500Z-3f9a1c2e`."""
    return f"{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def prepare_staging(target: Path) -> Path:
    """A fresh, empty folder for this process's build of `target`, after recovering from builds that
    were killed. It sits beside the finished builds, so publishing it is a rename on one file system."""
    target = Path(target)
    recover(target)
    builds = builds_folder(target)
    builds.mkdir(parents=True, exist_ok=True)
    staging = builds / f"{STAGING_PREFIX}{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


def publish(staging: Path, target: Path) -> str:
    """Make the finished build in `staging` the one `target` names, atomically; returns its build id.

    The build id is written into the build's build.json before anything becomes visible.
    """
    staging, target = Path(staging), Path(target)
    build_id = new_build_id()
    _stamp_build_id(staging, build_id)
    final = builds_folder(target) / build_id
    staging.rename(final)
    _fsync_folder(final.parent)
    if target.is_dir() and not target.is_symlink():
        _adopt_plain_folder(target)
    link = target.with_name(f".{target.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    os.symlink(os.path.join(final.parent.name, final.name), link)
    os.replace(link, target)  # the one step that switches readers to the new build
    _fsync_folder(target.parent)
    prune(target)
    return build_id


def keep_rejected(staging: Path, rejected: Path) -> None:
    """Keep a build that failed validation in `rejected` (a plain folder, for inspection only)."""
    if rejected.is_symlink() or rejected.is_file():
        rejected.unlink()
    elif rejected.exists():
        shutil.rmtree(rejected)
    Path(staging).rename(rejected)


def current_build(target: Path) -> Path | None:
    """The folder `target` resolves to when it holds a build, else None."""
    resolved = Path(os.path.realpath(target))
    return resolved if (resolved / BUILD_INFO).is_file() else None


def recover(target: Path) -> None:
    """Put right what killed builds left behind, before a new build of `target` starts.

    - staging folders of processes that are gone (`graph.builds/building-PID`, and the older layout's
      `.graph.building-PID`) are removed;
    - the older layout's `.graph.old-PID` (a build moved aside just before a swap) is moved back when
      `target` is missing, else removed;
    - a `target` that is missing or points nowhere is pointed at the newest finished build;
    - a half-made link (`.graph.link-PID`) is removed.
    """
    target = Path(target)
    builds = builds_folder(target)
    for leftover in sorted(target.parent.glob(f".{target.name}.*-*")) if target.parent.is_dir() else []:
        found = _LEGACY_STAGING.match(leftover.name)
        if not found or found["name"] != target.name or _alive(int(found["pid"])):
            continue
        if found["kind"] == "old" and not os.path.lexists(target) and (leftover / BUILD_INFO).is_file():
            leftover.rename(target)
        elif found["kind"] == "link":
            leftover.unlink(missing_ok=True)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    if builds.is_dir():
        for leftover in builds.iterdir():
            found = _STAGING.match(leftover.name)
            if found and not _alive(int(found["pid"])):
                shutil.rmtree(leftover, ignore_errors=True)
    if current_build(target) is None:
        finished = _finished_builds(builds)
        if finished:
            if target.is_symlink():
                target.unlink()
            if not os.path.lexists(target):
                link = target.with_name(f".{target.name}.link-{os.getpid()}")
                link.unlink(missing_ok=True)
                os.symlink(os.path.join(builds.name, finished[-1].name), link)
                os.replace(link, target)


def prune(target: Path, keep_previous: int = KEEP_PREVIOUS) -> list[Path]:
    """Remove finished builds older than the current one and the `keep_previous` before it, skipping
    any a reader still has open (it holds a shared lock on its build.json). Returns what was removed."""
    current = current_build(target)
    older = [build for build in _finished_builds(builds_folder(target)) if build != current]
    removed = []
    for build in older[: max(0, len(older) - keep_previous)]:
        try:
            with open(build / BUILD_INFO, "rb") as info:
                fcntl.flock(info, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(build)  # the lock goes with the file; no reader can open it after this
        except BlockingIOError:
            continue  # a server still reads this build; the next build tries again
        except FileNotFoundError:
            continue
        removed.append(build)
    return removed


def hold_build(folder: Path):
    """Open `folder`'s build.json with a shared lock that keeps prune() from deleting the build while
    the returned file stays open. Close it (or let it be collected) to let go."""
    handle = open(Path(folder) / BUILD_INFO, "rb")
    fcntl.flock(handle, fcntl.LOCK_SH)
    return handle


def _finished_builds(builds: Path) -> list[Path]:
    """Finished builds, oldest first (build ids sort by time)."""
    if not builds.is_dir():
        return []
    return sorted((child for child in builds.iterdir()
                   if not child.name.startswith(STAGING_PREFIX) and (child / BUILD_INFO).is_file()),
                  key=lambda child: child.name)


def _adopt_plain_folder(target: Path) -> None:
    """Move a build made before builds were linked (a plain folder at `target`) into the builds folder.

    This leaves a moment with no `target`; a build killed then is put right by recover(), which links
    the newest finished build, this one included."""
    builds = builds_folder(target)
    try:
        built = json.loads((target / BUILD_INFO).read_text(encoding="utf-8")).get("built_at", "")
    except (OSError, ValueError):
        built = ""
    stamp = re.sub(r"[^0-9TZ]", "", built.replace("+00:00", "Z")) or "00000000T000000Z"
    target.rename(builds / f"{stamp}-adopted{secrets.token_hex(2)}")


def _stamp_build_id(folder: Path, build_id: str) -> None:
    path = folder / BUILD_INFO
    data = json.loads(path.read_text(encoding="utf-8"))
    data["build_id"] = build_id
    temporary = path.with_name(BUILD_INFO + ".tmp")
    temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (a power cut after publish must not bring the old link back)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        if error.errno in (errno.EACCES, errno.ENOENT):
            return
        raise
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
