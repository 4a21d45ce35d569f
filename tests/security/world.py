"""A small world for permission tests: two teams, each with a leader, a member, an activity,
a pending record, an import batch and a certificate; plus the office and a volunteer login
linked to team A's member. Route arguments are filled from it by owner ("A" or "B")."""
from dataclasses import dataclass, field
from datetime import date

import io

from volunteer.activities.models import ActivitySignup
from volunteer.certificates.services import issue_certificate
from volunteer.excel.writer import SheetSpec, write_workbook
from volunteer.extensions import db
from volunteer.hours.models import RecordRequest
from volunteer.imports.services import start_preview
from volunteer.positions.models import Position
from volunteer.teams.models import Team

from tests import factories as f

ROLES = ("anon", "volunteer", "leader_b", "leader_a", "office")


@dataclass
class World:
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    def arg(self, name: str, owner: str):
        """The value of a URL argument for an object belonging to `owner`."""
        fixed = {"kind": "volunteers", "filename": "app.css", "rule": "overlap"}
        if name in fixed:
            return fixed[name]
        return self.objects[(name, owner)]


def _hours_file_with_a_bad_row(team_name: str) -> bytes:
    buffer = io.BytesIO()
    header = ["姓名", "证件号码", "所属队伍", "活动名称", "活动日期", "服务时长"]
    rows = [["查无此人", "110105194912310021", team_name, "核查活动", "2026-03-15", "2"]]
    write_workbook(buffer, [SheetSpec("服务时长", header, rows)])
    return buffer.getvalue()


def _merits(w: World, owner: str, member) -> None:
    """A training with the member attending, a commendation and an evaluation, of team `owner`."""
    from volunteer.merits import services as merits
    from volunteer.hours.models import ServiceRecord
    from volunteer.merits.models import TrainingAttendance

    leader, today = w.users[f"leader_{owner.lower()}"], date(2026, 7, 1)
    training = merits.create_training(leader, {"title": "培训", "held_on": "2026-06-01", "hours": "2"},
                                      team_id=w.objects[("team_id", owner)], today=today)
    merits.add_attendees(leader, training, [member.id])
    commendation = merits.add_commendation(leader, member, {"title": "表彰", "awarded_on": "2026-06-01"}, today=today)
    evaluation = merits.evaluate_record(leader, db.session.get(ServiceRecord, w.objects[("record_id", owner)]),
                                        {"punctuality": 5, "attitude": 5, "skill": 5})
    attendance = db.session.query(TrainingAttendance).filter_by(training_id=training.id).one()
    w.objects.update({("training_id", owner): training.id, ("attendance_id", owner): attendance.id,
                      ("commendation_id", owner): commendation.id, ("evaluation_id", owner): evaluation.id})


def build_world() -> World:
    w = World()
    position = Position(name="测试站", kind="station")
    db.session.add(position)
    db.session.flush()
    category = f.make_category("助力创全")
    for owner in ("A", "B"):
        team = f.make_team(f"{owner}队", position_id=position.id)
        member = f.make_volunteer(f"队员{owner}", teams=[team])
        leader = f.make_user("leader", username=f"leader_{owner.lower()}", teams=[team])
        activity = f.make_activity(team, f"活动{owner}", category=category, status="draft")
        record = f.make_record(activity, member, status="pending")
        w.users[f"leader_{owner.lower()}"] = leader
        w.objects.update({("team_id", owner): team.id, ("volunteer_id", owner): member.id,
                          ("activity_id", owner): activity.id, ("record_id", owner): record.id,
                          ("user_id", owner): leader.id, ("position_id", owner): position.id,
                          ("category_id", owner): category.id})
        w.objects[("_member", owner)] = member
        signup = ActivitySignup(activity_id=activity.id, volunteer_id=member.id)
        db.session.add(signup)
        db.session.flush()
        w.objects[("signup_id", owner)] = signup.id
        request = RecordRequest(volunteer_id=member.id, kind="correct", team_id=team.id, record_id=record.id,
                                activity_id=activity.id, service_date=activity.service_date, minutes=90,
                                reason="少记了")
        db.session.add(request)
        db.session.flush()
        w.objects[("request_id", owner)] = request.id
    w.users["office"] = f.make_user("office", username="office")
    w.users["volunteer"] = f.make_user("volunteer", username="13900000001", volunteer=w.objects[("_member", "A")])
    for owner in ("A", "B"):
        member = w.objects[("_member", owner)]
        f.make_record(f.make_activity(db.session.get(Team, w.objects[("team_id", owner)]), category=category),
                      member, status="approved")
        cert = issue_certificate(w.users["office"], member, date(2026, 1, 1), date(2026, 6, 30), today=date(2026, 7, 1))
        batch, _ = start_preview(w.users[f"leader_{owner.lower()}"], "hours", "h.xlsx",
                                 _hours_file_with_a_bad_row(f"{owner}队"), skip_invalid=False, today=date(2026, 7, 1))
        w.objects.update({("cert_id", owner): cert.id, ("code", owner): cert.code, ("token", owner): batch.token})
        _merits(w, owner, member)
    db.session.commit()
    return w
