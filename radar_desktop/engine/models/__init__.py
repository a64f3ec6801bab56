"""The two RADAR model kinds (pixel U-Net, denoiser in a pretrained encoder's features), behind one protocol."""
