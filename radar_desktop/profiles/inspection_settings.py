"""Changing a stored profile's scale, acceptance rules, inspection mask and review queue; each change is a new version.

Rules are specification sizes in the scale's units. When a scale is set on a profile that had none
(or removed), rules in pixels are converted to millimetres (or back), so a rule keeps its meaning.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from radar_desktop.core.acceptance import AcceptanceRules
from radar_desktop.core.inspection_area import inspected_fraction
from radar_desktop.core.pod import SHAPE_LABELS, record_fits
from radar_desktop.core.quantities import score_text
from radar_desktop.engine.jobs.selftest import SelfTestScores, selftest_record
from radar_desktop.profiles.manage import revise
from radar_desktop.profiles.profile import Profile, ProfileError, write_mask
from radar_desktop.profiles.store import open_profile
from radar_desktop.sources.images import ImageReadError, read_image


def set_scale(name: str, mm_per_pixel: float | None) -> Profile:
    """Give profile ``name`` a scale in mm per pixel (None: sizes in pixels)."""
    if mm_per_pixel is not None and not mm_per_pixel > 0:
        raise ProfileError(f"a scale must be a positive number of mm per pixel, not {mm_per_pixel!r}")

    def change(profile: Profile, folder: Path) -> None:
        inspection = profile.inspection
        before = inspection.get("mm_per_pixel")
        if bool(before) != bool(mm_per_pixel):  # pixels <-> millimetres: convert the rules
            factor = mm_per_pixel if mm_per_pixel else 1 / before
            inspection["min_area"] = float(inspection.get("min_area") or 0.0) * factor**2
            inspection["min_length"] = float(inspection.get("min_length") or 0.0) * factor
        inspection["mm_per_pixel"] = mm_per_pixel
        if profile.selftest:  # its sizes in mm follow the new scale (no image is inspected again)
            scores = SelfTestScores.from_dict(profile.selftest["scores"])
            profile.selftest = selftest_record(scores, profile.selftest["nok"], mm_per_pixel)

    detail = f"{mm_per_pixel:.6g} mm per pixel" if mm_per_pixel else "none (sizes in pixels)"
    return revise(name, change, "scale set", detail)


def set_rules(name: str, min_area: float, min_length: float) -> Profile:
    """Set profile ``name``'s acceptance rule (0: no minimum), in its scale's units."""
    if min_area < 0 or min_length < 0:
        raise ProfileError("minimum area and length cannot be negative")

    def change(profile: Profile, folder: Path) -> None:
        profile.inspection.update(min_area=float(min_area), min_length=float(min_length))

    scale = open_profile(name).inspection.get("mm_per_pixel")
    return revise(name, change, "acceptance rule set", AcceptanceRules(min_area, min_length, scale).describe())


def set_mask(name: str, mask: np.ndarray | None) -> Profile:
    """Store ``mask`` (nonzero: inspected) as profile ``name``'s inspection mask (None: inspect everything)."""

    def change(profile: Profile, folder: Path) -> None:
        write_mask(folder, mask)
        profile.inspection["mask"] = mask is not None

    detail = "none: the whole image is inspected" if mask is None else f"{inspected_fraction(mask):.0%} of the image inspected"
    return revise(name, change, "inspection mask set", detail)


def set_review_nok(name: str, enabled: bool) -> Profile:
    """Whether profile ``name``'s NOK results wait for a person's review too (REVIEW results always do)."""

    def change(profile: Profile, folder: Path) -> None:
        profile.inspection["review_nok"] = bool(enabled)

    return revise(name, change, "review queue set", review_queue_text(enabled))


def review_queue_text(review_nok: bool) -> str:
    return "REVIEW and NOK results wait for review" if review_nok else "REVIEW results wait for review"


def reference_image(profile: Profile) -> np.ndarray | None:
    """The profile's first training image, to draw on (None when it has moved or cannot be read)."""
    folder, names = profile.training.get("images"), profile.training.get("train_images") or []
    if not folder or not names:
        return None
    try:
        return read_image(Path(folder) / names[0], int(profile.preprocessing.get("channels", 1)))
    except ImageReadError:
        return None


def inspection_lines(profile: Profile) -> list[str]:
    """The profile's scale, rule, mask and self-test, for its plain-text summary."""
    inspection = profile.inspection
    scale = inspection.get("mm_per_pixel")
    mask = profile.inspection_mask() if inspection.get("mask") else None
    return [
        f"scale         {f'{scale:.6g} mm per pixel' if scale else 'none (sizes in pixels)'}",
        f"acceptance    {AcceptanceRules.from_inspection(inspection).describe()}",
        f"mask          {'none (whole image)' if mask is None else f'{inspected_fraction(mask):.0%} of the image inspected'}",
        f"review queue  {review_queue_text(profile.review_nok)}",
        f"self-test     {selftest_line(profile.selftest)}",
    ]


def selftest_line(record: dict) -> str:
    """The self-test's a90 per shape in one line (synthetic defects), or that none was run."""
    if not record:
        return "not run (profiles selftest NAME)"
    scale = record.get("mm_per_pixel")
    sizes = "; ".join(f"{SHAPE_LABELS.get(shape, shape)} {fit.cells(scale)['a90']}" for shape, fit in record_fits(record).items())
    return f"a90 {sizes} (synthetic defects, NOK > {score_text(record['nok'])})"
