import cv2
import numpy as np
import pytest

from radar_desktop.sources.images import ImageReadError, list_images, read_image


def _write(path, image, ext=".png"):
    ok, data = cv2.imencode(ext, image)
    assert ok
    path.write_bytes(data.tobytes())
    return path


def test_reads_grey_colour_16bit_and_alpha(tmp_path):
    grey = np.full((5, 7), 128, np.uint8)
    assert read_image(_write(tmp_path / "g.png", grey), 1).shape == (5, 7, 1)
    colour = read_image(_write(tmp_path / "g2.png", grey), 3)
    assert colour.shape == (5, 7, 3) and colour.max() == pytest.approx(128 / 255)
    deep = read_image(_write(tmp_path / "d.png", np.full((4, 4), 65535, np.uint16)), 1)
    assert deep.max() == pytest.approx(1.0)
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 2] = 255  # red in BGRA
    rgba[..., 3] = 255
    red = read_image(_write(tmp_path / "a.png", rgba), 3)
    assert red[0, 0].tolist() == pytest.approx([1.0, 0.0, 0.0])


def test_unicode_paths_work(tmp_path):
    path = _write(tmp_path / "прокат_ß.png", np.zeros((3, 3), np.uint8))
    assert read_image(path, 1).shape == (3, 3, 1)


@pytest.mark.parametrize(
    "content, reason",
    [(b"", "empty"), (b"not an image at all", "not a readable image"), (b"\x89PNG\r\n\x1a\n\x00\x00", "not a readable image")],
)
def test_bad_files_get_a_clear_reason(tmp_path, content, reason):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(ImageReadError, match=reason):
        read_image(path, 1)


def test_truncated_jpeg_is_refused_or_read_without_crashing(tmp_path):
    good = _write(tmp_path / "x.jpg", (np.random.default_rng(0).random((64, 64)) * 255).astype(np.uint8), ".jpg")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(good.read_bytes()[:50])
    with pytest.raises(ImageReadError):
        read_image(cut, 1)


def test_list_images_sorts_and_reports_empty_or_missing_folders(tmp_path):
    for name in ("b.png", "a.JPG", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in list_images(tmp_path)] == ["a.JPG", "b.png"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ImageReadError, match="holds no images"):
        list_images(empty)
    with pytest.raises(ImageReadError, match="no such file"):
        list_images(tmp_path / "missing")
