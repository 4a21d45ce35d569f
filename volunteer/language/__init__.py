"""The language switch (中文 / English) of the volunteer's side."""
