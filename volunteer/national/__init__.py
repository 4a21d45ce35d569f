"""The national standard (CONTRACT section 10): code tables, the office's mapping of stored values."""
