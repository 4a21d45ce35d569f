"""The merits blueprint, on its own so the training/commendation routes and the activity's
evaluation sheet can both attach to it without importing each other in a circle."""
from flask import Blueprint

bp = Blueprint("merits", __name__, url_prefix="/merits")
