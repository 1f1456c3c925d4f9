"""The Qt side of the console application (the only part of console/ that may import Qt)."""
