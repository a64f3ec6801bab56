"""Regions measured on anomaly maps, acceptance rules, and the inspection mask (core, no torch)."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from radar_desktop.core.acceptance import AcceptanceRules, judge
from radar_desktop.core.inspection_area import fitted_mask, inspected_fraction, masked_map
from radar_desktop.core.inspection_plan import InspectionPlan
from radar_desktop.core.regions import OutlineLevels, measure_regions
from radar_desktop.core.verdict import Verdict


def disc_map(shape=(400, 500), centre=(150, 200), radius=40) -> np.ndarray:
    """A disc drawn exactly: every pixel whose centre lies within ``radius``."""
    y, x = np.mgrid[0 : shape[0], 0 : shape[1]]
    return ((x - centre[0]) ** 2 + (y - centre[1]) ** 2 <= radius**2).astype(np.float32)


@pytest.mark.parametrize("radius", [15, 30, 60])  # a few-pixel speck: lattice counts differ from pi r² by more
def test_a_disc_measures_its_area_and_diameter(radius):
    (region,) = measure_regions(disc_map(radius=radius), 0.5)
    assert region.area_px == pytest.approx(math.pi * radius**2, rel=0.02)
    assert region.length_px == pytest.approx(2 * radius + 1, rel=0.02)
    assert region.centre == pytest.approx((150, 200), abs=0.5)
    assert region.peak == 1.0


def test_a_rectangle_and_a_slanted_stroke_measure_their_length():
    image = np.zeros((300, 300), np.float32)
    image[50:60, 20:140] = 2.0  # 120 x 10
    cv2.line(image, (150, 150), (150 + 90, 150 + 120), 1.0, 3)  # 150 px long, slanted
    big, stroke = measure_regions(image, 0.5)
    assert big.area_px == pytest.approx(1200, rel=0.02)
    assert big.length_px == pytest.approx(120, rel=0.02)
    assert big.bbox == (20, 50, 120, 10)
    assert big.peak == 2.0
    assert stroke.length_px == pytest.approx(150, rel=0.03)


def test_physical_units_follow_the_scale():
    (region,) = measure_regions(disc_map(radius=20), 0.5)
    scale = 0.05  # mm per pixel
    assert region.area(scale) == pytest.approx(region.area_px * 0.0025)
    assert region.length(scale) == pytest.approx(region.length_px * 0.05)
    assert "mm²" in region.describe(scale) and "px²" in region.describe(None)
    record = region.to_json(scale)
    assert record["area_unit"] == "mm²" and record["area"] == pytest.approx(region.area_px * 0.0025, rel=1e-4)


def test_a_speck_under_the_rule_no_longer_fails_the_part_and_the_record_says_why():
    image = np.zeros((200, 200), np.float32)
    cv2.circle(image, (50, 50), 3, 1.0, -1)  # about 29 px² -> 0.29 mm² at 0.1 mm/px
    regions = measure_regions(image, 0.5)
    rules = AcceptanceRules(min_area=0.5, mm_per_pixel=0.1)
    judged = judge(Verdict.NOK, regions, rules)
    assert judged.verdict is Verdict.OK
    assert judged.regions[0].ignored
    assert "NOK by score" in judged.rule and "under 0.5 mm²" in judged.rule
    # a defect over the specification still fails, and the speck beside it is listed as ignored
    cv2.circle(image, (150, 150), 10, 1.0, -1)
    judged = judge(Verdict.NOK, measure_regions(image, 0.5), rules)
    assert judged.verdict is Verdict.NOK
    assert [r.ignored for r in judged.regions] == [False, True]
    assert judged.rule.startswith("1 of 2 regions ignored")


def test_a_length_rule_and_no_rule():
    image = np.zeros((200, 200), np.float32)
    cv2.line(image, (20, 20), (60, 20), 1.0, 1)  # 41 px long
    regions = measure_regions(image, 0.5)
    assert judge(Verdict.NOK, regions, AcceptanceRules(min_length=50)).verdict is Verdict.OK
    assert judge(Verdict.NOK, regions, AcceptanceRules(min_length=30)).verdict is Verdict.NOK
    untouched = judge(Verdict.NOK, regions, AcceptanceRules())
    assert untouched.verdict is Verdict.NOK and untouched.rule == ""
    # no region at all: the score came from a wide rise, so the rule cannot spare it
    assert judge(Verdict.NOK, (), AcceptanceRules(min_area=1e9)).verdict is Verdict.NOK


def test_rules_read_from_a_profiles_inspection_settings():
    rules = AcceptanceRules.from_inspection({"mm_per_pixel": 0.02, "min_area": 0.5, "min_length": 2})
    assert rules == AcceptanceRules(0.5, 2.0, 0.02)
    assert rules.describe() == "ignore regions under 0.5 mm² or shorter than 2 mm"
    assert not AcceptanceRules.from_inspection({}).active


def test_a_mask_hides_a_defect_inside_it_and_keeps_one_outside():
    anomaly = np.full((100, 120), 0.1, np.float32)
    anomaly[10:20, 10:20] = 5.0  # on the fixture: masked
    anomaly[60:70, 80:95] = 3.0  # on the part
    mask = np.ones((50, 60), np.uint8)  # drawn on a reference image of another size
    mask[:15, :15] = 0
    masked = masked_map(anomaly, mask)
    assert masked.max() == 3.0
    assert masked[15, 15] == pytest.approx(0.1)
    plan = InspectionPlan(OutlineLevels.at(1.0), mask=mask)
    (region,) = plan.judge(anomaly, Verdict.NOK).regions
    assert region.bbox == (80, 60, 15, 10)
    assert plan.judge(anomaly, Verdict.OK).regions == ()


def test_mask_resizing_and_inspected_share():
    mask = np.zeros((4, 4), np.uint8)
    mask[:, 2:] = 1
    fitted = fitted_mask(mask, (8, 6))
    assert fitted.shape == (8, 6) and fitted[:, 3:].all() and not fitted[:, :3].any()
    assert inspected_fraction(mask) == 0.5 and inspected_fraction(None) == 1.0
    assert masked_map(np.ones((3, 3), np.float32), None).shape == (3, 3)


def test_outlines_grow_from_strong_seeds_and_the_peak_and_skip_faint_bumps():
    image = np.zeros((120, 120), np.float32)
    image[20:40, 20:40] = 1.0  # a defect: above high at its core, its rim above low only
    image[25:35, 25:35] = 3.0
    image[80:90, 80:90] = 1.0  # a faint bump elsewhere: above low, never above high
    levels = OutlineLevels(low=0.5, high=2.0)
    (region,) = measure_regions(image, levels)
    assert region.bbox == (20, 20, 20, 20) and region.area_px == 400  # grown out to the low level
    faint = np.where(image > 2.0, 0.0, image)  # no seed left: the part holding the peak is still outlined
    assert len(measure_regions(faint, levels)) == 1
    assert measure_regions(np.zeros_like(image), levels) == ()
    # one level is a plain cut, as profiles made before two levels cut
    assert len(measure_regions(image, OutlineLevels.at(0.5))) == 2 == len(measure_regions(image, 0.5))


def test_a_strong_defect_is_outlined_where_it_reaches_half_its_peak_not_over_its_whole_glow():
    yy, xx = np.mgrid[0:120, 0:120]
    glow = 40.0 * np.exp(-((xx - 60.0) ** 2 + (yy - 60.0) ** 2) / (2 * 12.0**2))  # peak 40, sigma 12 px
    anomaly_map = glow.astype(np.float32)
    levels = OutlineLevels(low=1.0, high=2.0)
    (wide,) = measure_regions(anomaly_map, levels)
    (trimmed,) = measure_regions(anomaly_map, OutlineLevels(low=1.0, high=2.0, share=0.5))
    half_width_radius = 12.0 * np.sqrt(2 * np.log(2))  # where a Gaussian falls to half its height
    assert trimmed.area_px == pytest.approx(np.pi * half_width_radius**2, rel=0.05)
    assert wide.area_px > 5 * trimmed.area_px
    # a faint defect, whose half height lies below the low level, keeps the low level
    faint = anomaly_map / 20.0  # peak 2.0
    assert measure_regions(faint, OutlineLevels(1.0, 1.5, 0.5)) == measure_regions(faint, OutlineLevels(1.0, 1.5))
    assert OutlineLevels(1.0, 2.0, 0.5).to_list() == [1.0, 2.0, 0.5] and OutlineLevels(1.0, 2.0).to_list() == [1.0, 2.0]
    assert OutlineLevels(*OutlineLevels(1.0, 2.0, 0.5).to_list()) == OutlineLevels(1.0, 2.0, 0.5)


def test_a_part_the_half_peak_cut_splits_stays_one_region():
    yy, xx = np.mgrid[0:60, 0:120]
    two_bumps = sum(40.0 * np.exp(-((xx - cx) ** 2 + (yy - 30.0) ** 2) / (2 * 6.0**2)) for cx in (35.0, 85.0))
    anomaly_map = (two_bumps + 2.0).astype(np.float32)  # joined above the low level, apart above half the peak
    (region,) = measure_regions(anomaly_map, OutlineLevels(low=1.0, high=5.0, share=0.5))
    assert region.bbox[0] < 35 < 85 < region.bbox[0] + region.bbox[2]  # both bumps, one defect
    assert region.area_px < 0.25 * anomaly_map.size
