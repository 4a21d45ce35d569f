"""The joining blueprint, on its own so /register, the team-side applications and the
volunteer's own account pages can each attach to it without importing each other in a circle."""
from flask import Blueprint

bp = Blueprint("joining", __name__)
