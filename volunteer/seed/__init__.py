"""Demo data: `flask --app volunteer seed demo` (CONTRACT section 7)."""
