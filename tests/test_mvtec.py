"""Reading MVTec-layout datasets and splitting their test images into tuning and report halves."""

from radar_desktop.sources.mvtec import labelled_test_images, tuning_and_report_halves
from tests.synthetic import make_dataset


def test_halves_are_disjoint_cover_every_image_and_keep_each_class(tmp_path):
    dataset = make_dataset(tmp_path / "data", train=4, test_good=5, test_bad=6)
    items = labelled_test_images(dataset)
    tuning, report = tuning_and_report_halves(items)
    assert sorted(i.path for i in tuning + report) == sorted(i.path for i in items)
    assert not {i.path for i in tuning} & {i.path for i in report}
    assert [sum(i.defect == d for i in tuning) for d in ("good", "defect")] == [3, 3]
    assert [sum(i.defect == d for i in report) for d in ("good", "defect")] == [2, 3]


def test_halves_depend_on_names_not_on_listing_order(tmp_path):
    items = labelled_test_images(make_dataset(tmp_path / "data", train=4, test_good=4, test_bad=4))
    assert tuning_and_report_halves(items) == tuning_and_report_halves(list(reversed(items)))
    tuning, _ = tuning_and_report_halves(items)
    assert {i.path.name for i in tuning if i.defect == "good"} == {"good_000.png", "good_002.png"}
