"""The activities blueprint, on its own so the activity routes and the sign-up routes can both
attach to it without importing each other in a circle."""
from flask import Blueprint

bp = Blueprint("activities", __name__, url_prefix="/activities")
