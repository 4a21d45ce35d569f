"""The 10-working-day rule: 逾期未记录 activities on the leaders' and the office's start page."""
from datetime import date, timedelta

from tests import factories as f
from volunteer import workdays
from volunteer.activities import signups
from volunteer.activities.models import ActivitySignup
from volunteer.extensions import db


def test_national_day_holidays_are_not_working_days():
    # 2026-10-01..07 is the National Day holiday (from chinese-calendar), so ten working days
    # after 30 September reach well past 14 October.
    assert workdays.is_workday(date(2026, 10, 1)) == (False, True)
    assert workdays.deadline(date(2026, 9, 30)) > date(2026, 10, 14)
    assert workdays.deadline(date(2026, 6, 1)) == date(2026, 6, 15)  # an ordinary fortnight


def test_uncovered_year_falls_back_to_weekdays_and_says_so():
    assert workdays.is_workday(date(2099, 1, 5)) == (True, False)  # a Monday, no data yet
    assert workdays.uncovered_years(date(2026, 1, 1), date(2099, 1, 1))[-1] == 2099


def test_overdue_listed_for_its_leaders_and_the_office(app, client, login_as):
    team, other = f.make_team(), f.make_team()
    today = date.today()
    old = f.make_activity(team, "三周前的活动", service_date=today - timedelta(days=30))
    recorded = f.make_activity(team, "已登记的活动", service_date=today - timedelta(days=30))
    recent = f.make_activity(team, "昨天的活动", service_date=today - timedelta(days=1))
    for act in (old, recorded, recent):
        person = f.make_volunteer(teams=[team])
        db.session.add(ActivitySignup(activity_id=act.id, volunteer_id=person.id, status="confirmed"))
    f.make_record(recorded)
    db.session.flush()
    assert [a.title for a in signups.overdue_activities({team.id}, today)] == ["三周前的活动"]
    assert signups.overdue_activities({other.id}, today) == []
    login_as("leader", teams=[team])
    html = client.get("/").get_data(as_text=True)
    assert "逾期未记录" in html and "三周前的活动" in html and "昨天的活动" not in html
    assert "<title>首页" in html.replace("\n", "") and "逾期未记录</title>" not in html
