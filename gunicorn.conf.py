"""gunicorn's settings for production; it reads this file by itself when started from here:

    gunicorn 'volunteer:create_app()'

Each can be changed by the environment (WEB_WORKERS, WEB_BIND, WEB_TIMEOUT) or on the command
line (`-w 8 -b 0.0.0.0:8000`), which wins over this file.
"""
import os

workers = int(os.environ.get("WEB_WORKERS", "4"))
bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
# An export of a whole year of service records (hundreds of thousands of rows; 1,000,000 take
# about 90 s) is built while the office waits. gunicorn's default 30 s would kill the worker
# half-way and show an error page instead of the file.
timeout = int(os.environ.get("WEB_TIMEOUT", "300"))
graceful_timeout = 30
