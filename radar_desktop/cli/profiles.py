"""The profiles command: list, show, export, import, duplicate, rename, delete and self-test stored profiles."""

from __future__ import annotations

import argparse
import sys

from radar_desktop.cli.console import cancel_on_interrupt, progress_bar
from radar_desktop.core.cancel import CancelToken
from radar_desktop.core.quantities import score_text


def profiles_command(args: argparse.Namespace) -> int:
    """Run one profile action (list, show, export, import, duplicate, rename, delete, selftest)."""
    from radar_desktop.profiles import manage
    from radar_desktop.profiles.store import list_profiles, open_profile
    from radar_desktop.profiles.summary import profile_summary

    if args.action == "list":
        good, broken = list_profiles()
        for profile in good:
            print(f"{profile.name}\t{profile.default_scorer}\t{profile.modified or profile.created}\t{profile.content_hash[:12]}")
        for item in broken:
            print(f"{item.name}\tBROKEN\t{item.reason}")
        if not good and not broken:
            print("no profiles yet: train one with  radar-desktop train --images DIR --name NAME", file=sys.stderr)
    elif args.action == "show":
        print(profile_summary(open_profile(args.name)))
    elif args.action == "export":
        print(f"exported {args.name!r} -> {manage.export_profile(args.name, args.file)}")
    elif args.action == "import":
        profile = manage.import_profile(args.file, args.name, args.replace)
        print(f"imported {profile.name!r} (hash {profile.content_hash[:12]} checked)")
    elif args.action == "selftest":
        return _selftest(args)
    elif args.action in ("duplicate", "rename"):
        profile = getattr(manage, args.action)(args.name, args.new_name)
        print(f"{args.action}d {args.name!r} -> {profile.name!r}")
    else:
        print(f"moved {args.name!r} to {manage.delete(args.name)}")
    return 0


def _selftest(args: argparse.Namespace) -> int:
    """POD self-test of a stored profile with synthetic defects; the result is kept as a new version."""
    from radar_desktop.engine.device import resolve_device
    from radar_desktop.engine.jobs.selftest import selftest_table
    from radar_desktop.profiles.selftest_run import selftest_profile

    cancel = CancelToken()
    with progress_bar("self-test") as progress, cancel_on_interrupt(cancel):
        profile, record = selftest_profile(args.name, resolve_device(args.device), seed=args.seed, cancel=cancel, progress=progress)
    scores = record["scores"]
    samples = sum(len(s["sizes"]) for s in scores["shapes"].values())
    print(
        f"self-test of {profile.name!r} (scorer {scores['scorer']}, NOK > {score_text(record['nok'])}): {samples} synthetic defects "
        f"in {scores['images']} held-back images, {scores['seconds']:.1f} s"
    )
    print("\n".join(selftest_table(record)))
    print(f"saved as a new version of {profile.name!r} (hash {profile.content_hash[:12]})")
    return 0
