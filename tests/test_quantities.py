"""Numbers as a technician reads them: region sizes without exponents, CSV cells a machine can read."""

import pytest

from radar_desktop.core.acceptance import AcceptanceRules
from radar_desktop.core.quantities import plain, readable
from radar_desktop.core.regions import Region
from radar_desktop.reports.entries import region_text


@pytest.mark.parametrize(
    ("value", "text"),
    [(1150.2, "1,150"), (6034, "6,030"), (0.04217, "0.0422"), (12.0, "12"), (999.6, "1,000"), (123456, "123,000"),
     (0.5, "0.5"), (-3.14159, "-3.14"), (0, "0")],
)
def test_readable_writes_three_significant_digits_grouped_and_never_an_exponent(value, text):
    assert readable(value) == text


def test_plain_keeps_six_significant_digits_without_exponent_or_grouping():
    assert plain(1234567.0) == "1234570"
    assert plain(1150.0) == "1150"
    assert plain(0.000012345678) == "0.0000123457"


def test_region_sizes_read_as_people_write_them():
    region = Region(area_px=1150.0, length_px=48.21, bbox=(0, 0, 40, 40), centre=(20.0, 20.0), peak=1.0)
    assert region.describe(None) == "1,150 px² · 48.2 px"
    assert region.describe(0.05) == "2.88 mm² · 2.41 mm"
    assert region_text(region.to_json(None)) == "1,150 px² · 48.2 px"


def test_a_rule_keeps_the_limits_the_user_typed():
    assert AcceptanceRules(min_area=1500.0).describe() == "ignore regions under 1,500 px²"
    assert AcceptanceRules(min_area=0.125, mm_per_pixel=0.1).describe() == "ignore regions under 0.125 mm²"
