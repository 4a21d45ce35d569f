"""What the merits sections on other features' pages show, as template globals.

The volunteer's page (templates/volunteers/detail.html) and /me (templates/me/index.html) each
include a partial of this feature; the partial asks for its data here, so those features'
routes need not know about training, commendations or evaluations.
"""
from flask_login import current_user

from . import queries


def volunteer_section(volunteer) -> dict:
    """The volunteer page's section: everything, voided rows included (greyed), for the office
    and leaders; a leader sees the evaluations of their teams' records only and writes only
    for members of the teams they lead."""
    scope = current_user.team_scope
    return {
        "trainings": queries.trainings_of(volunteer.id, with_void=True),
        "commendations": queries.commendations_of(volunteer.id, with_void=True),
        "evaluations": queries.evaluations_of(volunteer.id, team_ids=scope, with_void=True),
        "may_write": current_user.role == "office" or bool(volunteer.team_ids & current_user.led_team_ids),
        "may_evaluate": current_user.role == "office" or bool(current_user.led_team_ids),
    }


def my_section(volunteer_id: int) -> dict:
    """/me: the volunteer's own live training, commendations and evaluations."""
    return {
        "trainings": queries.trainings_of(volunteer_id),
        "commendations": queries.commendations_of(volunteer_id),
        "evaluations": queries.evaluations_of(volunteer_id),
    }
