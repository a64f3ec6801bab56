"""Map filters and pooling used by the scorers (numpy + scipy only)."""

from __future__ import annotations

import numpy as np
from scipy import ndimage


def gaussian_kernel(ksize: int) -> np.ndarray:
    """1-D Gaussian kernel as OpenCV builds it when no sigma is given (binomial for sizes 3 and 5)."""
    if ksize in (3, 5):
        kernel = np.array([1.0, 2.0, 1.0]) if ksize == 3 else np.array([1.0, 4.0, 6.0, 4.0, 1.0])
    else:
        sigma = 0.3 * ((ksize - 1) * 0.5 - 1) + 0.8
        offsets = np.arange(ksize) - (ksize - 1) / 2
        kernel = np.exp(-(offsets**2) / (2 * sigma**2))
    return (kernel / kernel.sum()).astype(np.float32)


def gaussian_blur(image: np.ndarray, ksize: int = 5) -> np.ndarray:
    """Gaussian blur with a ``ksize`` x ``ksize`` support, mirroring at the borders (as OpenCV's default)."""
    kernel = gaussian_kernel(ksize)
    rows = ndimage.correlate1d(image.astype(np.float32), kernel, axis=0, mode="mirror")
    return ndimage.correlate1d(rows, kernel, axis=1, mode="mirror")


def sobel_kernels(ksize: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """The x and y Sobel kernels of size ``ksize`` (3 or 5), as OpenCV defines them."""
    if ksize == 3:
        smooth, diff = np.array([1.0, 2.0, 1.0]), np.array([-1.0, 0.0, 1.0])
    elif ksize == 5:
        smooth, diff = np.array([1.0, 4.0, 6.0, 4.0, 1.0]), np.array([-1.0, -2.0, 0.0, 2.0, 1.0])
    else:
        raise ValueError(f"Sobel kernel size must be 3 or 5, not {ksize}")
    kx = np.outer(smooth, diff)
    return kx.astype(np.float32), kx.T.astype(np.float32)


def sobel_magnitude(image: np.ndarray, ksize: int = 5) -> np.ndarray:
    """Gradient magnitude of ``image`` from Sobel derivatives in x and y."""
    kx, ky = sobel_kernels(ksize)
    # correlate, not convolve, so the sign convention matches OpenCV's filter2D.
    gx = ndimage.correlate(image.astype(np.float32), kx, mode="mirror")
    gy = ndimage.correlate(image.astype(np.float32), ky, mode="mirror")
    return np.hypot(gx, gy)


def window_l2_max(image: np.ndarray, window: int = 20, stride: int = 20) -> float:
    """Largest L2 norm over ``window`` x ``window`` windows taken every ``stride`` pixels."""
    h, w = image.shape
    if h < window or w < window:
        return float(np.linalg.norm(image))
    squares = image.astype(np.float64) ** 2
    integral = np.pad(squares.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    ys = np.arange(0, h - window + 1, stride)
    xs = np.arange(0, w - window + 1, stride)
    y0, x0 = np.meshgrid(ys, xs, indexing="ij")
    sums = (
        integral[y0 + window, x0 + window]
        - integral[y0, x0 + window]
        - integral[y0 + window, x0]
        + integral[y0, x0]
    )
    return float(np.sqrt(np.maximum(sums, 0.0)).max())
