"""Display preferences of one browser: the 适老化 mode (larger text, higher contrast, bigger targets)."""
