"""A corpus of bad and odd image files, written by the tests (no committed binaries), with what reading each must give.

:func:`write_corpus` fills a folder; every file in it that :func:`~radar_desktop.sources.images.list_images`
lists is a :class:`BadImage`. It also holds what a scan must skip: a text file, a sub-folder named like an
image and a folder symlink that loops back to the corpus itself.
"""

from __future__ import annotations

import errno
import io
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

UNREADABLE = "not a readable image"
EMPTY = "file is empty"


@dataclass(frozen=True)
class BadImage:
    """One file of the corpus.

    Refused files have ``error``, a fragment of the message the user must see. Read files have ``expected``,
    what ``read_image(path, expected.shape[2])`` must return (within ``atol``), or with ``shape_only`` just its shape.
    """

    name: str
    what: str
    error: str | None = None
    expected: np.ndarray | None = None
    atol: float = 1e-6
    shape_only: bool = False


def write_corpus(folder: Path) -> list[BadImage]:
    """Write every case into ``folder`` (created); returns them in the order a scan lists them (sorted by name)."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = [*_refused(folder), *_odd_but_readable(folder), *_awkward_places(folder)]
    (folder / "notes.txt").write_text("not an image: skipped by its extension")
    (folder / "subfolder.png").mkdir()
    (folder / "folder_loop").symlink_to(".", target_is_directory=True)
    return sorted(cases, key=lambda case: case.name)


def deny_unreadable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Permission bits do not stop root: as root, make reading a file or listing a folder that has no read
    permission raise PermissionError, as it does for any other user. Does nothing for other users."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    for method in ("read_bytes", "iterdir"):
        monkeypatch.setattr(Path, method, _denied_without_read_bits(getattr(Path, method)))


def _denied_without_read_bits(original):
    def guarded(self: Path, *args, **kwargs):
        try:
            unreadable = self.stat().st_mode & 0o444 == 0
        except OSError:
            unreadable = False  # missing or looping: the original call raises the real error
        if unreadable:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return original(self, *args, **kwargs)

    return guarded


# ----- files that must be refused, each with its message
def _refused(folder: Path) -> list[BadImage]:
    noise = (np.random.default_rng(3).random((32, 32, 3)) * 255).astype(np.uint8)
    good = {ext: _encode(ext, noise) for ext in (".png", ".jpg", ".tif", ".bmp", ".webp")}
    cases = [
        _put(folder, "empty.png", b"", "zero-byte PNG", EMPTY),
        _put(folder, "empty.tif", b"", "zero-byte TIFF", EMPTY),
        *(_put(folder, f"truncated{ext}", data[: len(data) // 2], f"{ext[1:].upper()} cut in half", UNREADABLE)
          for ext, data in good.items()),
        _put(folder, "corrupt_header.png", _garble(good[".png"], 12, 29), "PNG IHDR overwritten", UNREADABLE),
        _put(folder, "corrupt_data.png", _garble(good[".png"], 60, 200), "PNG pixel data overwritten", UNREADABLE),
        _put(folder, "corrupt_header.jpg", _garble(good[".jpg"], 2, 300), "JPEG markers overwritten", UNREADABLE),
        _put(folder, "corrupt_header.tif", _garble(good[".tif"], 4, 8), "TIFF directory offset overwritten", UNREADABLE),
        _put(folder, "corrupt_header.bmp", _patch(good[".bmp"], 28, struct.pack("<H", 7)), "BMP of 7 bits per pixel",
             UNREADABLE),
        _put(folder, "chunk_length_bomb.png", _patch(good[".png"], 33, struct.pack(">I", 0xFFFF0000)),
             "PNG chunk claiming 4 GB in a small file", UNREADABLE),
        _put(folder, "zero_width.png", _png_header(0, 16), "PNG declaring 0 x 16 pixels", UNREADABLE),
        _put(folder, "huge_declared.png", _png_header(20_000, 20_000), "PNG header of 20,000 x 20,000",
             "image is 20000 x 20000 (400 MP); the limit is 100 MP"),
        _put(folder, "huge_declared.jpg", _jpeg_declaring(good[".jpg"], 20_000, 20_000), "JPEG frame of 20,000 x 20,000",
             "image is 20000 x 20000 (400 MP); the limit is 100 MP"),
        _put(folder, "huge_declared.tif", _tiff_declaring(20_000, 20_000), "TIFF of 20,000 x 20,000 (one strip)",
             "image is 20000 x 20000 (400 MP); the limit is 100 MP"),
        _put(folder, "huge_declared.bmp", _patch(good[".bmp"], 18, struct.pack("<ii", 20_000, 20_000)),
             "BMP header of 20,000 x 20,000", "image is 20000 x 20000 (400 MP); the limit is 100 MP"),
        _put(folder, "huge_declared.webp", _webp_lossless_declaring(16_384, 16_384), "WebP of 16,384 x 16,384",
             "image is 16384 x 16384 (268.44 MP); the limit is 100 MP"),
        _put(folder, "just_over_limit.png", _png_header(10_001, 10_000), "PNG of 10,001 x 10,000",
             "image is 10001 x 10000 (100.01 MP); the limit is 100 MP"),
        _put(folder, "text_file.png", b"Lot 7, part 12: OK\n" * 20, "a text file", UNREADABLE),
        _put(folder, "document.jpg", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "a PDF", UNREADABLE),
        _put(folder, "archive.tif", b"PK\x03\x04" + bytes(60), "a ZIP archive", UNREADABLE),
        _put(folder, "random_bytes.bmp", np.random.default_rng(4).bytes(2048), "2 KB of random bytes", UNREADABLE),
        _put(folder, "signature_only.png", b"\x89PNG\r\n\x1a\n", "a PNG signature and nothing else", UNREADABLE),
        _put(folder, "markup.webp", b"<html><body>not a picture</body></html>", "an HTML page", UNREADABLE),
        _put(folder, "all_nan.tif", _encode(".tif", np.full((4, 4), np.nan, np.float32)), "float TIFF of NaN only",
             "no valid pixel values"),
        _put(folder, "kaputt_破損_ß.jpg", good[".jpg"][:40], "non-ASCII name, truncated", UNREADABLE),
        _put(folder, "long_" + "x" * 225 + "_broken.png", good[".png"][:30], "240-character name, truncated",
             UNREADABLE),
    ]
    locked = _put(folder, "locked.png", good[".png"], "no read permission (chmod 000)", "permission denied")
    os.chmod(folder / locked.name, 0)
    return [*cases, locked]


# ----- files that must be read, each with the values it must give
def _odd_but_readable(folder: Path) -> list[BadImage]:
    cases = []

    def add(name: str, data: bytes, what: str, expected: np.ndarray, **options) -> None:
        expected = expected[:, :, None] if expected.ndim == 2 else expected
        cases.append(_put(folder, name, data, what, expected=expected.astype(np.float32), **options))

    add("one_pixel.png", _encode(".png", np.array([[200]], np.uint8)), "1 x 1 pixel", np.array([[200 / 255]]))
    add("strip_1x300.png", _encode(".png", np.full((1, 300), 51, np.uint8)), "1 x 300 strip", np.full((1, 300), 0.2))
    deep = np.array([[0, 1000], [32768, 65535]], np.uint16)
    add("grey16.png", _encode(".png", deep), "16-bit grey PNG", deep / 65535)
    rgb16 = np.zeros((2, 2, 3), np.uint16)
    rgb16[..., 2] = 65535  # red, in OpenCV's BGR order
    rgb16[1, 1] = (0, 32768, 0)
    add("rgb16.tif", _encode(".tif", rgb16), "16-bit RGB TIFF", rgb16[:, :, ::-1] / 65535)
    unit = np.array([[0.0, 0.25], [0.5, 1.0]], np.float32)
    add("float32.tif", _encode(".tif", unit), "float TIFF within 0..1 (kept)", unit)
    add("float64.tif", _encode(".tif", unit.astype(np.float64)), "float64 TIFF within 0..1 (kept)", unit)
    add("float_wide.tif", _encode(".tif", np.array([[-10, 0], [10, 30]], np.float32)),
        "float TIFF of -10..30 (stretched)", unit)
    add("float_nan_inf.tif", _encode(".tif", np.array([[np.nan, np.inf], [-np.inf, 0.5]], np.float32)),
        "float TIFF with NaN, +inf, -inf", np.array([[0.0, 1.0], [0.0, 0.5]]))
    add("int32.tif", _encode(".tif", np.array([[-5, 0], [5, 15]], np.int32)), "int32 TIFF (stretched)", unit)
    add("int16.tif", _encode(".tif", np.array([[-300, -200], [-100, 100]], np.int16)), "signed 16-bit TIFF (stretched)",
        unit)

    bgra = np.array([[[0, 0, 255, 255], [255, 0, 0, 128]], [[0, 255, 0, 0], [255, 255, 255, 51]]], np.uint8)
    add("rgba.png", _encode(".png", bgra), "RGBA PNG (composited over black)", _over_black(bgra))
    add("rgba.webp", _pillow(Image.fromarray(bgra[:, :, [2, 1, 0, 3]], "RGBA"), "WEBP", lossless=True),
        "lossless RGBA WebP", _over_black(bgra))
    add("grey_alpha.png", _pillow(Image.fromarray(np.array([[[200, 255], [200, 51]]], np.uint8), "LA"), "PNG"),
        "grey + alpha PNG", np.array([[200 / 255, 200 / 255 * 0.2]]))
    add("grey_alpha.tif", _pillow(Image.fromarray(np.array([[[200, 255], [200, 51]]], np.uint8), "LA"), "TIFF"),
        "grey + alpha TIFF (OpenCV drops its alpha)", np.array([[200 / 255, 200 / 255]]))
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)]
    indices = np.array([[0, 1], [2, 3]], np.uint8)
    rgb = np.array(colours, np.float32)[indices] / 255
    add("palette.png", _pillow(_palette_image(indices, colours), "PNG"), "palette PNG", rgb)
    add("palette_transparent.png", _pillow(_palette_image(indices, colours), "PNG", transparency=1),
        "palette PNG, colour 1 transparent", rgb * np.array([[1, 0], [1, 1]])[:, :, None])
    add("palette8.bmp", _pillow(_palette_image(indices, colours), "BMP"), "8-bit palette BMP", rgb)
    add("bilevel.png", _pillow(Image.fromarray(np.array([[True, False], [False, True]])), "PNG"), "1-bit PNG",
        np.array([[1.0, 0.0], [0.0, 1.0]]))
    add("cmyk.jpg", _pillow(Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "JPEG", quality=100), "CMYK JPEG (red)",
        np.tile(np.array([1.0, 0.0, 0.0]), (8, 8, 1)), atol=4 / 255)
    add("cmyk.tif", _pillow(Image.new("CMYK", (2, 2), (0, 255, 255, 0)), "TIFF"), "CMYK TIFF (red)",
        np.tile(np.array([1.0, 0.0, 0.0]), (2, 2, 1)))
    pages = [Image.fromarray(np.full((2, 3), v, np.uint8)) for v in (10, 250)]
    add("multipage.tif", _pillow(pages[0], "TIFF", save_all=True, append_images=pages[1:]),
        "two-page TIFF (first page read)", np.full((2, 3), 10 / 255))
    grey = np.full((8, 8), 128, np.uint8)
    add("png_named.jpg", _encode(".png", grey), "PNG content, .jpg name", grey / 255)
    add("jpeg_named.png", _encode(".jpg", grey), "JPEG content, .png name", grey / 255, atol=1 / 255)
    add("bmp_named.tif", _encode(".bmp", grey), "BMP content, .tif name", grey / 255)
    damaged = bytearray(_encode(".jpg", (np.random.default_rng(5).random((32, 32)) * 255).astype(np.uint8)))
    scan_start = damaged.find(b"\xff\xda")
    damaged[scan_start + 20 : scan_start + 60] = b"\x55" * 40
    add("damaged_scan_data.jpg", bytes(damaged), "JPEG with garbage in its scan data (libjpeg decodes it anyway)",
        np.zeros((32, 32)), shape_only=True)
    return cases


# ----- valid and broken files in awkward places: odd names, links
def _awkward_places(folder: Path) -> list[BadImage]:
    grey = np.full((6, 10), 77, np.uint8)
    cases = [
        _put(folder, name, _encode(".png", grey), what, expected=(grey / 255).astype(np.float32)[:, :, None])
        for name, what in (("prüfteil_缺陷_😀.png", "non-ASCII name"), ("long_" + "y" * 226 + "_ok.png", "240-character name"))
    ]
    (folder / "loop_a.png").symlink_to("loop_b.png")
    (folder / "loop_b.png").symlink_to("loop_a.png")
    (folder / "dangling_link.png").symlink_to("missing_target.png")
    loop = "symbolic link loop"
    return [
        *cases,
        BadImage("loop_a.png", "symlink to loop_b.png, which links back", loop),
        BadImage("loop_b.png", "symlink to loop_a.png, which links back", loop),
        BadImage("dangling_link.png", "symlink to a missing file", "file not found"),
    ]


def _put(folder: Path, name: str, data: bytes, what: str, error: str | None = None, **expected) -> BadImage:
    (folder / name).write_bytes(data)
    return BadImage(name, what, error, **expected)


def _encode(ext: str, image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(ext, image)
    assert ok, ext
    return data.tobytes()


def _pillow(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _palette_image(indices: np.ndarray, colours: list[tuple[int, int, int]]) -> Image.Image:
    image = Image.fromarray(indices, "P")
    image.putpalette([c for colour in colours for c in colour])
    return image


def _over_black(bgra: np.ndarray) -> np.ndarray:
    """RGB of a BGRA uint8 image composited over black."""
    return bgra[:, :, [2, 1, 0]] / 255 * (bgra[:, :, 3:] / 255)


def _garble(data: bytes, start: int, stop: int) -> bytes:
    return _patch(data, start, bytes((0xA5 + i) % 256 for i in range(stop - start)))


def _patch(data: bytes, offset: int, new: bytes) -> bytes:
    return data[:offset] + new + data[offset + len(new) :]


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_header(width: int, height: int) -> bytes:
    """A PNG with a valid header for ``width`` x ``height`` grey pixels and no pixel data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IEND", b"")


def _jpeg_declaring(jpeg: bytes, width: int, height: int) -> bytes:
    """``jpeg`` with its frame header (SOF0) saying ``width`` x ``height``."""
    frame = jpeg.index(b"\xff\xc0")
    return _patch(jpeg, frame + 5, struct.pack(">HH", height, width))


def _tiff_declaring(width: int, height: int) -> bytes:
    """A little-endian grey TIFF whose one strip of 16 bytes is said to hold ``width`` x ``height`` pixels."""
    tags = [(256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
            (273, 4, 8), (277, 3, 1), (278, 4, height), (279, 4, 16)]
    directory_at = 8 + 16
    directory = struct.pack("<H", len(tags)) + b"".join(
        struct.pack("<HHI", tag, kind, 1) + (struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value))
        for tag, kind, value in tags
    ) + struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", directory_at) + bytes(16) + directory


def _webp_lossless_declaring(width: int, height: int) -> bytes:
    """A lossless WebP (VP8L) whose header says ``width`` x ``height`` (at most 16,384 each)."""
    data = _pillow(Image.new("L", (4, 4), 128), "WEBP", lossless=True)
    assert data[12:16] == b"VP8L"
    bits = int.from_bytes(data[21:25], "little") & ~0xFFFFFFF | (width - 1) | (height - 1) << 14
    return _patch(data, 21, bits.to_bytes(4, "little"))


# ----- fuzzing: small valid images of every format, mutated the way damaged files are
def fuzz_seeds() -> dict[str, bytes]:
    """Small valid files (32 to 64 pixels a side) of every format and several depths, by name."""
    rng = np.random.default_rng(11)
    grey = (rng.random((40, 48)) * 255).astype(np.uint8)
    colour = (rng.random((32, 40, 3)) * 255).astype(np.uint8)
    alpha = np.dstack([colour, (rng.random((32, 40)) * 255).astype(np.uint8)])
    palette = _palette_image((rng.random((36, 36)) * 4).astype(np.uint8), [(0, 0, 0), (255, 0, 0), (0, 200, 0), (9, 9, 250)])
    return {
        "grey.png": _encode(".png", grey),
        "colour.png": _encode(".png", colour),
        "alpha.png": _encode(".png", alpha),
        "deep.png": _encode(".png", grey.astype(np.uint16) * 257),
        "palette.png": _pillow(palette, "PNG"),
        "grey.jpg": _encode(".jpg", grey),
        "colour.jpg": _encode(".jpg", colour),
        "progressive.jpg": _pillow(Image.fromarray(colour), "JPEG", progressive=True),
        "grey.tif": _encode(".tif", grey),
        "deep.tif": _encode(".tif", grey.astype(np.uint16) * 257),
        "float.tif": _encode(".tif", grey.astype(np.float32) / 255),
        "raw.tif": _pillow(Image.fromarray(colour), "TIFF"),
        "colour.bmp": _encode(".bmp", colour),
        "palette.bmp": _pillow(palette, "BMP"),
        "lossy.webp": _encode(".webp", colour),
        "lossless.webp": _pillow(Image.fromarray(alpha, "RGBA"), "WEBP", lossless=True),
    }


INTERESTING = (0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0xFFFF, 20_000, 0x7FFFFFFF, 0xFFFFFFFF)


def mutate(data: bytes, rng: np.random.Generator) -> tuple[bytes, str]:
    """``data`` with one to three random mutations; returns it and their names."""
    names = []
    for _ in range(int(rng.integers(1, 4))):
        name, change = _pick(rng, MUTATIONS)
        data = change(bytearray(data), rng) if data else data
        names.append(name)
    return bytes(data), "+".join(names)


def _flip_bits(data: bytearray, rng: np.random.Generator) -> bytearray:
    for at in rng.integers(0, len(data) * 8, size=int(rng.integers(1, 17))):
        data[at // 8] ^= 1 << (at % 8)
    return data


def _overwrite_run(data: bytearray, rng: np.random.Generator) -> bytearray:
    start, length = int(rng.integers(len(data))), int(rng.integers(1, 65))
    fill = _pick(rng, (b"\x00", b"\xff", b""))
    run = fill * length if fill else rng.bytes(length)
    data[start : start + length] = run[: len(data) - start]
    return data


def _truncate(data: bytearray, rng: np.random.Generator) -> bytearray:
    return data[: int(rng.integers(len(data)))]


def _header_field(data: bytearray, rng: np.random.Generator) -> bytearray:
    """An interesting 1, 2 or 4-byte value, either byte order, over a field of the first 64 bytes (sizes live there)."""
    width = _pick(rng, (1, 2, 4))
    value = _pick(rng, INTERESTING) & (1 << 8 * width) - 1
    at = int(rng.integers(min(64, len(data))))
    data[at : at + width] = value.to_bytes(width, _pick(rng, ("little", "big")))[: len(data) - at]
    return data


def _duplicate_chunk(data: bytearray, rng: np.random.Generator) -> bytearray:
    """A PNG chunk, or any other file's random slice, repeated in place."""
    spans = _png_chunks(bytes(data))
    if spans:
        start, stop = _pick(rng, spans)
    else:
        start = int(rng.integers(len(data)))
        stop = start + int(rng.integers(1, 257))
    return data[:stop] + data[start:stop] + data[stop:]


def _png_chunks(data: bytes) -> list[tuple[int, int]]:
    """(start, stop) of each chunk of a PNG as far as it can be followed; empty for other files."""
    spans, at = [], 8
    while data.startswith(b"\x89PNG") and at + 12 <= len(data):
        stop = at + 12 + int.from_bytes(data[at : at + 4], "big")
        spans.append((at, min(stop, len(data))))
        at = stop
    return spans


MUTATIONS = (
    ("bits", _flip_bits),
    ("run", _overwrite_run),
    ("truncate", _truncate),
    ("header", _header_field),
    ("duplicate", _duplicate_chunk),
)


def _pick(rng: np.random.Generator, options: tuple | list):
    return options[int(rng.integers(len(options)))]
