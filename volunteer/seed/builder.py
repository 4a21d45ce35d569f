"""The demo town built in plain Python from one `random.Random(seed)`, stage by stage.

Positions, categories, teams, volunteers (valid resident ID numbers), logins and activities
are built here; the service records, the memberships they imply and the sign-ups in
seed/records.py.
Every table is written with explicit ids through volunteer.bulk; on PostgreSQL the id
sequences are moved past them at the end. Stored timestamps are naive UTC, never later than
the start of today (Beijing), so the output is reproducible for a seed and a date.
"""
import random
import secrets
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from sqlalchemy import func, select, text
from stdnum.iso7064 import mod_11_2

from ..activities.models import Activity, ActivitySignup
from ..auth.models import User
from ..bulk import insert_tuples
from ..extensions import db
from ..hours.models import ServiceRecord
from ..national.mapping import category_default
from ..positions.models import Position
from ..teams.models import ServiceCategory, Team, team_leaders
from ..volunteers.models import Volunteer
from . import data
from .records import RecordStages

OFFICE_USERNAME = "office"
BEIJING = timedelta(hours=8)

# Shape parameters (those of the records are in seed/records.py).
WINDOW_YEARS = 3
REGISTRATION_SKEW = 1.6        # registered_on = start + span * u**skew: front-loaded
INACTIVE_SHARE = 0.20          # designated not to serve this year (plus a few with no chance)
CANCELLED_SHARE = 0.015        # of all volunteers; taken from the inactive ones
SECOND_TEAM_SHARE = 0.15
PARETO_ALPHA = 0.8
WEIGHT_CAP = 120.0
FUTURE_SHARE = 0.03            # upcoming activities (published; a quarter of them drafts)

# Tables given explicit ids, whose PostgreSQL sequences are moved past them afterwards.
_ID_TABLES = (Position, ServiceCategory, Team, Volunteer, User, Activity, ServiceRecord, ActivitySignup)


class Builder(RecordStages):
    """Builds the demo town in memory, stage by stage, and writes each table in bulk (volunteer.bulk)."""

    def __init__(self, *, seed: int, today: date, password_hash: str):
        self.rng = random.Random(seed)
        self.today = today
        self.today_ord = today.toordinal()
        try:
            start = today.replace(year=today.year - WINDOW_YEARS)
        except ValueError:  # 29 February
            start = today.replace(year=today.year - WINDOW_YEARS, day=28)
        self.start_ord = start.toordinal() + 1
        self.year_start_ord = date(today.year, 1, 1).toordinal()
        # Stored timestamps never pass the start of today (Beijing), so output is reproducible.
        self.now = datetime.combine(today, time()) - BEIJING
        self.password_hash = password_hash
        self.conn = db.session.connection()
        self.counts: dict = {}

    # -- helpers ---------------------------------------------------------------------------

    def _next_ids(self, model) -> int:
        return (db.session.scalar(select(func.max(model.id))) or 0) + 1

    def _insert(self, model_or_table, rows: list[dict]) -> None:
        """Rows given as dicts with explicit ids, through the one bulk engine."""
        if rows:
            columns = list(rows[0])
            insert_tuples(getattr(model_or_table, "__table__", model_or_table), columns,
                          [tuple(row[c] for c in columns) for row in rows])

    def _utc(self, day_ord: int, hhmm: str = "10:00", *, plus_hours: float = 0) -> datetime:
        h, m = hhmm.split(":")
        value = (datetime.fromordinal(day_ord) + timedelta(hours=int(h) + plus_hours, minutes=int(m))) - BEIJING
        return min(value, self.now)

    def _person_name(self, male: bool) -> str:
        rng = self.rng
        surname = rng.choice(data.COMPOUND_SURNAMES) if rng.random() < 0.004 else rng.choice(data.SURNAMES)
        r = rng.random()
        if r < 0.25:
            given = rng.choice(data.MALE_GIVEN if male else data.FEMALE_GIVEN)
        elif r < 0.8:
            given = rng.choice(data.MALE_GIVEN2 if male else data.FEMALE_GIVEN2)
        else:
            pool = data.MALE_GIVEN if male else data.FEMALE_GIVEN
            given = rng.choice(pool) + rng.choice(pool)
        return surname + given

    def _phone(self) -> str:
        return f"1{self.rng.choice('3456789')}{self.rng.randrange(10 ** 9):09d}"

    # -- the stages --------------------------------------------------------------------------

    def run(self, n_volunteers: int, n_activities: int, n_records: int) -> dict:
        self.build_positions_and_categories()
        self.build_teams()
        self.build_volunteers(n_volunteers)
        self.build_users()
        self.write_reference_data()
        self.build_activities(n_activities)
        self.write_records(n_records)
        self.write_signups()
        self.reset_sequences()
        return self.summary()

    def build_positions_and_categories(self) -> None:
        pid = self._next_ids(Position)
        self.center_id = pid
        rows = [dict(id=pid, name=data.CENTER, kind="center", parent_id=None, address=data.CENTER_ADDRESS,
                     is_active=True)]
        self.station_ids = []
        for name in data.STATIONS:
            pid += 1
            self.station_ids.append(pid)
            rows.append(dict(id=pid, name=name, kind="station", parent_id=self.center_id,
                             address=f"{data.CENTER_ADDRESS}{name}", is_active=True))
        for name, station in data.POINTS:
            pid += 1
            rows.append(dict(id=pid, name=name, kind="point", parent_id=self.station_ids[station],
                             address=f"{data.CENTER_ADDRESS}{data.STATIONS[station]}", is_active=True))
        self.position_rows = rows
        cid = self._next_ids(ServiceCategory)
        self.category_ids = {}
        self.category_rows = []
        for i, name in enumerate(data.CATEGORIES):
            self.category_ids[name] = cid + i
            self.category_rows.append(dict(id=cid + i, name=name, sort_order=(i + 1) * 10, is_active=True,
                                            national_code=category_default(name)))

    def build_teams(self) -> None:
        rng = self.rng
        tid = self._next_ids(Team)
        self.teams = []  # dicts: id, name, kind, position_id, preferred, weight, places, station
        for i, station in enumerate(data.STATIONS):
            self.teams.append(dict(id=tid + i, name=f"{station}志愿服务队", kind="居委",
                                   position_id=self.station_ids[i], preferred=data.RESIDENT_PREFERRED,
                                   weight=rng.lognormvariate(0, 0.35), station=station,
                                   places=[p.format(s=station) for p in data.RESIDENT_PLACES]))
        base = tid + len(data.STATIONS)
        for i, (dept, preferred) in enumerate(data.DEPARTMENTS):
            self.teams.append(dict(id=base + i, name=f"{dept}志愿服务队", kind="职能部门",
                                   position_id=self.center_id, preferred=preferred,
                                   weight=0.45 * rng.lognormvariate(0, 0.35), station=None,
                                   places=list(data.TOWN_PLACES)))

    def build_volunteers(self, n: int) -> None:
        rng = self.rng
        rand = rng.random
        today_ord, start_ord = self.today_ord, self.start_ord
        span = today_ord - start_ord
        area_cum = list(accumulate(data.AREA_WEIGHTS))
        seen = set()
        people = []
        for _ in range(n):
            male = rand() < 0.45
            r = rand()
            if r < 0.08:
                age = rng.randint(16, 22)
            elif r < 0.45:
                age = rng.randint(23, 54)
            elif r < 0.97:
                age = rng.randint(55, 75)
            else:
                age = rng.randint(76, 80)
            birth_ord = today_ord - int((age + rand()) * 365.2425)
            if birth_ord > today_ord - 16 * 366:
                birth_ord = today_ord - 16 * 366 - rng.randrange(200)
            birth = date.fromordinal(birth_ord)
            while True:
                area = rng.choices(data.AREA_CODES, cum_weights=area_cum)[0]
                body = f"{area}{birth:%Y%m%d}{rng.randrange(500) * 2 + male:03d}"
                if body not in seen:
                    break
            seen.add(body)
            reg_ord = start_ord + int(span * rand() ** REGISTRATION_SKEW)
            adult_ord = birth_ord + 16 * 366
            if reg_ord < adult_ord:
                reg_ord = min(adult_ord, today_ord)
            people.append((reg_ord, body, male, birth, age))
        # Registry ids follow the registration order.
        people.sort(key=lambda p: (p[0], p[1]))
        vid = self._next_ids(Volunteer)
        self.first_volunteer_id = vid
        team_cum = list(accumulate(t["weight"] for t in self.teams))
        n_teams = len(self.teams)
        homes = rng.choices(range(n_teams), cum_weights=team_cum, k=n)
        n_resident = len(data.STATIONS)
        rows, memberships = [], []
        self.vol_ids, self.vol_reg, self.vol_weight, self.vol_teams, self.vol_names = [], [], [], [], []
        self.vol_phone = []
        for i, (reg_ord, body, male, birth, age) in enumerate(people):
            number = body + mod_11_2.calc_check_digit(body)
            home = homes[i]
            teams = [home]
            if rand() < SECOND_TEAM_SHARE and n_teams > 1:
                other = rng.randrange(n_resident, n_teams) if home < n_resident else rng.randrange(n_teams)
                if other != home:
                    teams.append(other)
            name = self._person_name(male)
            phone = self._phone()
            young = age <= 28
            political = rng.choices(data.POLITICAL, data.POLITICAL_WEIGHTS_YOUNG if young
                                    else data.POLITICAL_WEIGHTS_ADULT)[0]
            if age >= 55:
                education = rng.choices(data.EDUCATION_OLD, data.EDUCATION_OLD_WEIGHTS)[0]
                employer = "退休"
            elif age <= 22:
                education = "高中" if age < 19 else "本科"
                employer = rng.choice(data.SCHOOLS)
            else:
                education = rng.choices(data.EDUCATION_ADULT, data.EDUCATION_ADULT_WEIGHTS)[0]
                employer = rng.choice(data.EMPLOYERS) if rand() < 0.7 else None
            station = self.teams[home]["station"] or data.STATIONS[rng.randrange(n_resident)]
            minor = age < 18
            created = self._utc(reg_ord, "10:00", plus_hours=rand() * 7)
            rows.append(dict(
                id=vid, name=name, gender="男" if male else "女", id_type="居民身份证", id_number=number,
                id_last4=number[-4:], phone=phone, birth_date=birth, political_status=political,
                education=education, employer=employer, community=station,
                skills=rng.choice(data.SKILLS) if rand() < 0.3 else None,
                guardian_name=name[0] + self._person_name(rand() < 0.5)[1:] if minor else None,
                guardian_phone=self._phone() if minor else None,
                registered_on=date.fromordinal(reg_ord), note=None, status="active",
                created_at=created, updated_at=created, version=1,
            ))
            for j, t in enumerate(teams):
                joined = reg_ord if j == 0 else min(today_ord, reg_ord + rng.randrange(0, 400))
                memberships.append(dict(team_id=self.teams[t]["id"], volunteer_id=vid,
                                        joined_on=date.fromordinal(joined)))
            w = (1.0 - rand()) ** (-1.0 / PARETO_ALPHA)
            self.vol_ids.append(vid)
            self.vol_reg.append(reg_ord)
            self.vol_weight.append(w if w < WEIGHT_CAP else WEIGHT_CAP)
            self.vol_teams.append(teams)
            self.vol_names.append(name)
            self.vol_phone.append(phone)
            vid += 1
        # Some volunteers registered before this year do not serve this year; a few of them
        # have since cancelled their registration.
        earlier = [i for i in range(n) if self.vol_reg[i] < self.year_start_ord]
        inactive = rng.sample(earlier, min(len(earlier), round(n * INACTIVE_SHARE)))
        self.inactive = bytearray(n)
        for i in inactive:
            self.inactive[i] = 1
        for i in inactive[:round(n * CANCELLED_SHARE)]:
            rows[i]["status"] = "cancelled"
        self.volunteer_rows = rows
        self.membership_rows = memberships
        self.counts["volunteers"] = n

    def build_users(self) -> None:
        rng = self.rng
        uid = self._next_ids(User)
        created = self._utc(self.start_ord, "09:00")
        self.office_id = uid
        self.user_rows = [dict(id=uid, username=OFFICE_USERNAME, password_hash=self.password_hash, role="office",
                               display_name="分中心办公室", volunteer_id=None, is_enabled=True,
                               created_at=created, last_login_at=None, session_token=secrets.token_hex(8))]
        self.leader_rows = []
        # A leader is one of the team's keenest active members when there is one.
        best: dict[int, int] = {}
        for i, teams in enumerate(self.vol_teams):
            if self.inactive[i]:
                continue
            t = teams[0]
            if t not in best or self.vol_weight[i] > self.vol_weight[best[t]]:
                best[t] = i
        self.team_leader_uid = []
        for t, team in enumerate(self.teams):
            uid += 1
            self.team_leader_uid.append(uid)
            if t in best:
                i = best[t]
                name, phone, volunteer_id = self.vol_names[i], self.vol_phone[i], self.vol_ids[i]
            else:
                name, phone, volunteer_id = self._person_name(rng.random() < 0.5), self._phone(), None
            team["leader_name"], team["leader_phone"] = name, phone
            self.user_rows.append(dict(id=uid, username=f"leader{t + 1:02d}", password_hash=self.password_hash,
                                       role="leader", display_name=name, volunteer_id=volunteer_id,
                                       is_enabled=True, created_at=created, last_login_at=None,
                                       session_token=secrets.token_hex(8)))
            self.leader_rows.append(dict(team_id=team["id"], user_id=uid))

    def write_reference_data(self) -> None:
        rng = self.rng
        team_rows = []
        for team in self.teams:
            founded = date(rng.randint(2018, 2022), rng.randint(1, 12), rng.randint(1, 28))
            team_rows.append(dict(
                id=team["id"], name=team["name"], kind=team["kind"], position_id=team["position_id"],
                leader_name=team["leader_name"], leader_phone=team["leader_phone"],
                category="、".join(team["preferred"][:3]), founded_on=founded,
                description=f"{team['name']}，围绕{'、'.join(team['preferred'][:2])}开展志愿服务。",
                is_active=True, created_at=self._utc(self.start_ord, "09:00"),
            ))
        # Positions: parents first (self-reference).
        self._insert(Position, self.position_rows)
        self._insert(ServiceCategory, self.category_rows)
        self._insert(Team, team_rows)
        self._insert(Volunteer, self.volunteer_rows)
        self._insert(User, self.user_rows)
        self._insert(team_leaders, self.leader_rows)
        self.counts.update(positions=len(self.position_rows), categories=len(self.category_rows),
                           teams=len(team_rows), users=len(self.user_rows))
        del self.volunteer_rows

    def build_activities(self, n: int) -> None:
        rng = self.rng
        n_future = 0 if n < 2 else max(1, round(n * FUTURE_SHARE))
        n_past = n - n_future
        n_teams = len(self.teams)
        members = [1] * n_teams
        for teams in self.vol_teams:
            for t in teams:
                members[t] += 1
        per_team_past = [0] * n_teams
        for t in rng.choices(range(n_teams), weights=members, k=n_past):
            per_team_past[t] += 1
        per_team_future = [0] * n_teams
        for t in rng.choices(range(n_teams), weights=members, k=n_future):
            per_team_future[t] += 1
        cat_names = data.CATEGORIES
        slot_cum = list(accumulate(data.TIME_SLOT_WEIGHTS))
        acts = []  # (date_ord, start, team index, title, category, end, place, status)
        used = set()
        for t, team in enumerate(self.teams):
            days = list(range(self.start_ord, self.today_ord))
            past = (rng.sample(days, per_team_past[t]) if per_team_past[t] <= len(days)
                    else rng.choices(days, k=per_team_past[t]))
            future = [self.today_ord + rng.randint(1, 45) for _ in range(per_team_future[t])]
            for k, day in enumerate(past + future):
                is_future = k >= len(past)
                category = (rng.choice(team["preferred"]) if rng.random() < 0.7 else rng.choice(cat_names))
                title = rng.choice(data.TITLES[category])
                suffix = 2
                base_title = title
                while (t, day, title) in used:
                    title = f"{base_title}（第{suffix}场）"
                    suffix += 1
                used.add((t, day, title))
                start, end = rng.choices(data.TIME_SLOTS, cum_weights=slot_cum)[0]
                status = ("draft" if rng.random() < 0.25 else "published") if is_future else "closed"
                acts.append((day, start, t, title, category, end, rng.choice(team["places"]), status))
        acts.sort()
        aid = self._next_ids(Activity)
        self.acts = []
        rows = []
        for day, start, t, title, category, end, place, status in acts:
            sh, sm = map(int, start.split(":"))
            eh, em = map(int, end.split(":"))
            span = (eh * 60 + em) - (sh * 60 + sm)
            created = self._utc(day - rng.randint(3, 14), "09:30", plus_hours=rng.random() * 6)
            headcount = rng.choice((10, 15, 20, 30, 40)) if status != "closed" else None
            rows.append(dict(
                id=aid, team_id=self.teams[t]["id"], title=title, category_id=self.category_ids[category],
                place=place, service_date=date.fromordinal(day), start_time=start, end_time=end,
                description=f"{self.teams[t]['name']}开展“{title}”志愿服务活动。", headcount=headcount,
                status=status, created_by_id=self.team_leader_uid[t], created_at=created, updated_at=created,
                version=1,
            ))
            self.acts.append((aid, t, day, span, self.category_ids[category], end, status, headcount))
            aid += 1
        self._insert(Activity, rows)
        self.counts["activities"] = len(rows)

    def reset_sequences(self) -> None:
        """PostgreSQL: move each id sequence past the ids written explicitly."""
        if self.conn.dialect.name != "postgresql":
            return
        for model in _ID_TABLES:
            name = model.__tablename__
            self.conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"))

    def summary(self) -> dict:
        first = self.teams[0]
        return dict(self.counts, office=OFFICE_USERNAME, leader="leader01", leader_team=first["name"],
                    leaders=len(self.teams))
