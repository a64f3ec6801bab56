"""torch + diffusers: the RADAR model, training, single-step inspection and the reconstruction baseline."""
