"""RADAR Desktop: single-step, reconstruction-free anomaly detection with diffusion models."""

__version__ = "0.1.0"
