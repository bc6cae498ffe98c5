"""HallQ printing: layout (pure) → ESC/POS bytes → connections by URL → spooler. See README.md."""
