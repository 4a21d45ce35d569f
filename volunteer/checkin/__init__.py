"""On-site check-in (签到 / 签退): venue screen, phone pages, services."""
