"""Demo data (CONTRACT section 7): one sub-centre shaped like a real town, deterministic per seed.

Everything is generated in plain Python from one `random.Random(seed)` and written with
SQLAlchemy Core bulk inserts (explicit ids, batches of `BATCH` rows), never ORM objects per
row, so a million service records take seconds rather than minutes. Dates are relative to
`today` (Beijing date); stored timestamps are naive UTC like the rest of the schema.

Shape of the data:
- positions: 1 sub-centre, 34 stations (residents' committees), a few points;
- teams: one 居委 team per station and 16 职能部门 teams; one leader login per team;
- volunteers: valid resident ID numbers (gender and birth date agree), registered over the
  last three years (front-loaded: the sub-centre's launch drive), each in one team, some two;
- activities: over the last three years up to yesterday (closed), plus a few upcoming ones
  (published, open for sign-up, no records);
- records: per-volunteer weights are Pareto-like (most serve a few times, some hundreds), a
  volunteer serves only on or after registering, about 20% of volunteers serve not at all this
  year, statuses about 90% approved / 8% pending (the latest entries) / 2% void.
"""
import random
import secrets
from bisect import bisect_left, bisect_right
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from sqlalchemy import func, insert, select, text
from stdnum.iso7064 import mod_11_2
from werkzeug.security import generate_password_hash

from ..activities.models import Activity, ActivitySignup
from ..audit.services import record
from ..auth.models import User
from ..auth.services import check_password_rules
from ..database import copy_rows, copy_supported
from ..errors import ServiceError
from ..extensions import db
from ..figures import bulk_changes
from ..hours.models import ServiceRecord
from ..positions.models import Position
from ..teams.models import ServiceCategory, Team, TeamMembership, team_leaders
from ..volunteers.models import Volunteer
from . import data

DEFAULT_VOLUNTEERS = 1000
DEFAULT_ACTIVITIES = 500
DEFAULT_RECORDS = 5000
DEFAULT_SEED = 2026
DEFAULT_PASSWORD = "demo-pass-2026"
OFFICE_USERNAME = "office"
NOT_EMPTY_MESSAGE = "数据库中已有数据，未生成演示数据"

BATCH = 20_000
BEIJING = timedelta(hours=8)

# Shape parameters.
WINDOW_YEARS = 3
REGISTRATION_SKEW = 1.6        # registered_on = start + span * u**skew: front-loaded
INACTIVE_SHARE = 0.20          # designated not to serve this year (plus a few with no chance)
CANCELLED_SHARE = 0.015        # of all volunteers; taken from the inactive ones
SECOND_TEAM_SHARE = 0.15
PARETO_ALPHA = 0.8
WEIGHT_CAP = 120.0
FUTURE_SHARE = 0.03            # upcoming activities (published; a quarter of them drafts)
TEAM_SHARE = {"居委": 0.85, "职能部门": 0.7}  # of an activity's volunteers drawn from its team
FULL_SPAN_SHARE = 0.65         # records with the activity's whole span as minutes
PENDING_SHARE = 0.08
VOID_SHARE = 0.02

RECORD_COLUMNS = ("id", "activity_id", "volunteer_id", "team_id", "category_id", "service_date", "minutes",
                  "status", "note", "source", "created_by_id", "created_at", "approved_by_id", "approved_at",
                  "void_reason", "voided_by_id", "voided_at", "version")

# Tables given explicit ids, whose PostgreSQL sequences are moved past them afterwards.
_ID_TABLES = (Position, ServiceCategory, Team, Volunteer, User, Activity, ServiceRecord, ActivitySignup)


def seed_demo(*, volunteers: int = DEFAULT_VOLUNTEERS, activities: int = DEFAULT_ACTIVITIES,
              records: int = DEFAULT_RECORDS, seed: int = DEFAULT_SEED, password: str = DEFAULT_PASSWORD,
              today: date) -> dict:
    """Write the demo data into an empty database; returns counts and the logins made.

    Raises ServiceError when the database already has data or the password breaks the rules.
    Adds and flushes; the caller commits.
    """
    for label, value in (("志愿者", volunteers), ("活动", activities), ("服务记录", records)):
        if value < 0:
            raise ServiceError(f"{label}数量不能为负数。")
    check_password_rules(password, OFFICE_USERNAME)
    if not database_is_empty():
        raise ServiceError(NOT_EMPTY_MESSAGE)
    builder = _Builder(seed=seed, today=today, password_hash=generate_password_hash(password))
    with bulk_changes():  # the figures token replaced once, not once per row (SQLite)
        summary = builder.run(volunteers, activities, records)
    record(None, "seed.demo", "database", None,
           f"生成演示数据：志愿者 {summary['volunteers']} 名，活动 {summary['activities']} 场，"
           f"服务记录 {summary['records']} 条",
           seed=seed, today=today, counts={k: v for k, v in summary.items() if isinstance(v, int)})
    db.session.flush()
    return summary


def database_is_empty() -> bool:
    """No team, volunteer, login, position, category or activity yet."""
    for model in (Team, Volunteer, User, Position, ServiceCategory, Activity):
        if db.session.execute(select(model.id).limit(1)).first() is not None:
            return False
    return True


class _Builder:
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

    def _insert(self, model_or_table, rows: list) -> None:
        """Core bulk insert of dicts (PostgreSQL with psycopg: COPY)."""
        table = getattr(model_or_table, "__table__", model_or_table)
        if not rows:
            return
        if copy_supported(self.conn):
            columns = list(rows[0])
            copy_rows(self.conn, table.name, columns, ([row[c] for c in columns] for row in rows))
            return
        for i in range(0, len(rows), BATCH):
            self.conn.execute(insert(table), rows[i:i + BATCH])

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
            self.category_rows.append(dict(id=cid + i, name=name, sort_order=(i + 1) * 10, is_active=True))

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

    # -- service records ---------------------------------------------------------------------

    def _pools(self):
        """Volunteers eligible to serve, per team and town-wide, as prefix-searchable arrays.

        Each pool is (ids, registration ordinals, cumulative weights) in registration order, so
        the volunteers registered by a date are a prefix found with one bisect. "all" is for
        earlier years; "active" (without the designated inactive ones) for this year.
        """
        n_teams = len(self.teams)
        team_all = [([], [], []) for _ in range(n_teams)]
        team_act = [([], [], []) for _ in range(n_teams)]
        glob_all, glob_act = ([], [], []), ([], [], [])
        for i, vid in enumerate(self.vol_ids):  # already in registration order
            reg, w = self.vol_reg[i], self.vol_weight[i]
            targets = [glob_all] + [team_all[t] for t in self.vol_teams[i]]
            if not self.inactive[i]:
                targets += [glob_act] + [team_act[t] for t in self.vol_teams[i]]
            for ids, regs, weights in targets:
                ids.append(vid)
                regs.append(reg)
                weights.append(w)
        for pool in [glob_all, glob_act] + team_all + team_act:
            pool[2][:] = accumulate(pool[2])
        return team_all, team_act, glob_all, glob_act

    def _plan(self, n_records: int):
        """Which volunteers serve on each past activity: a list of volunteer ids per activity."""
        rng = self.rng
        acts = self.acts
        team_all, team_act, glob_all, glob_act = self._pools()
        past = [a for a, act in enumerate(acts) if act[6] == "closed"]
        this_year = [a for a in past if acts[a][2] >= self.year_start_ord]
        this_year_set = set(this_year)
        # Capacity: volunteers registered by the activity's date (this year: the active ones).
        caps = {}
        for a in past:
            regs = glob_act[1] if a in this_year_set else glob_all[1]
            caps[a] = bisect_right(regs, acts[a][2])
        k = {a: 0 for a in past}
        size = {a: rng.lognormvariate(0, 0.7) for a in past}
        remaining = n_records
        live = [a for a in past if caps[a] > 0]
        while remaining > 0 and live:
            total = sum(size[a] for a in live)
            still, given = [], 0
            for a in live:
                add = int(remaining * size[a] / total)
                room = caps[a] - k[a]
                if add >= room:
                    add = room
                else:
                    still.append(a)
                k[a] += add
                given += add
            remaining -= given
            if len(still) == len(live):  # nobody capped: hand out the rounding remainder
                for a in rng.sample(still, min(remaining, len(still))):
                    k[a] += 1
                remaining -= min(remaining, len(still))
            live = still
        # Everyone meant to be active this year serves at least once this year: one activity of
        # their own team (else any) on or after their registration.
        by_team = [[] for _ in self.teams]
        for a in this_year:
            by_team[acts[a][1]].append(a)
        by_team_days = [[acts[a][2] for a in lst] for lst in by_team]
        all_days = [acts[a][2] for a in this_year]
        forced = {a: [] for a in this_year}
        slots = sum(k[a] for a in this_year)
        order = [i for i in range(len(self.vol_ids)) if not self.inactive[i]]
        rng.shuffle(order)
        placed = 0
        for i in order:
            if placed >= slots:
                break
            reg = self.vol_reg[i]
            choice = None
            for t in self.vol_teams[i]:
                j = bisect_left(by_team_days[t], reg)
                if j < len(by_team[t]):
                    choice = by_team[t][rng.randrange(j, len(by_team[t]))]
                    break
            if choice is None:
                j = bisect_left(all_days, reg)
                if j < len(this_year):
                    choice = this_year[rng.randrange(j, len(this_year))]
            if choice is not None:
                forced[choice].append(self.vol_ids[i])
                placed += 1
        surplus = 0
        for a, vols in forced.items():
            if len(vols) > k[a]:
                surplus += len(vols) - k[a]
                k[a] = len(vols)
        if surplus:
            shuffled = past[:]
            rng.shuffle(shuffled)
            for a in shuffled:
                take = min(k[a] - len(forced.get(a, ())), surplus)
                k[a] -= take
                surplus -= take
                if not surplus:
                    break
        # Draw the rest by weight: mostly the team's members, some from the whole town. Nobody
        # serves twice on one day (so no overlapping services): `busy[v]` is the day v last
        # served, which also keeps one activity's volunteers distinct.
        plan = {}
        rand = rng.random
        busy = self.busy = [0] * (len(self.vol_ids) + 1)
        base = self.first_volunteer_id
        outsiders = {}  # (volunteer id, team index) -> [records drawn town-wide, first day]
        forced_by_day = {}
        for a, vols in forced.items():
            forced_by_day.setdefault(acts[a][2], []).extend(vols)
        current = None
        for a in past:
            aid, t, day, *_ = acts[a]
            if day != current:
                current = day
                for v in forced_by_day.get(day, ()):
                    busy[v - base] = day
            out = list(forced.get(a, ()))
            n_forced = len(out)
            need = k[a] - n_forced
            if need > 0:
                active = a in this_year_set
                team_pool = (team_act if active else team_all)[t]
                glob = glob_act if active else glob_all
                want = round(need * TEAM_SHARE[self.teams[t]["kind"]])
                short = self._draw(rand, team_pool, bisect_right(team_pool[1], day), want, day, out)
                n_own = len(out)
                self._draw(rand, glob, bisect_right(glob[1], day), need - want + short, day, out)
                for v in out[n_own:]:
                    seen = outsiders.get((v, t))
                    if seen:
                        seen[0] += 1
                    else:
                        outsiders[(v, t)] = [1, day]
            if out:
                plan[a] = (out, n_forced)
        self._join_teams(outsiders, plan)
        self._top_up(plan, past, this_year_set, sum(k.values()) - sum(len(v[0]) for v in plan.values()),
                     glob_all, glob_act)
        return plan

    def _join_teams(self, outsiders, plan) -> None:
        """A volunteer who keeps helping another team (at least twice, and a quarter of all their
        services) has joined it: memberships follow service, as in a real town."""
        total = {}
        for vols, _ in plan.values():
            for v in vols:
                total[v] = total.get(v, 0) + 1
        base = self.first_volunteer_id
        for (v, t), (count, first_day) in outsiders.items():
            i = v - base
            if count >= 2 and count * 4 >= total[v] and t not in self.vol_teams[i]:
                self.vol_teams[i].append(t)
                self.membership_rows.append(dict(team_id=self.teams[t]["id"], volunteer_id=v,
                                                 joined_on=date.fromordinal(first_day)))

    def _top_up(self, plan, past, this_year_set, short, glob_all, glob_act) -> None:
        """Days busier than the volunteers registered by then leave some slots unfilled: add
        them to other activities, each with a few more volunteers not yet busy that day."""
        if short <= 0:
            return
        rng, acts, busy, base = self.rng, self.acts, self.busy, self.first_volunteer_id
        by_day = {}
        for a in past:
            by_day.setdefault(acts[a][2], []).append(a)
        order = past[:]
        rng.shuffle(order)
        for _ in range(4):
            for a in order:
                day = acts[a][2]
                marker = -(a + 1)  # days are positive ordinals: a mark of its own for this activity
                for b in by_day[day]:
                    for v in plan.get(b, ((), 0))[0]:
                        busy[v - base] = marker
                glob = glob_act if a in this_year_set else glob_all
                out, n_forced = plan.get(a, ([], 0))
                want = min(short, 1 + len(out) // 10)
                got = want - self._draw(rng.random, glob, bisect_right(glob[1], day), want, marker, out)
                if out:
                    plan[a] = (out, n_forced)
                short -= got
                if not short:
                    return

    def _draw(self, rand, pool, n, need, day, out) -> int:
        """Add up to `need` volunteers not yet busy on `day` from the first n of a pool, by weight;
        returns the shortfall. Weighted draws with replacement, busy ones skipped; uniform for the
        last few."""
        if need <= 0 or n <= 0:
            return max(need, 0)
        ids, _, cum = pool
        busy, base = self.busy, self.first_volunteer_id
        total, hi = cum[n - 1], n - 1
        for _ in range(6):
            for _ in range(need + (need >> 1) + 1):
                v = ids[bisect_right(cum, rand() * total, 0, hi)]
                if busy[v - base] != day:
                    busy[v - base] = day
                    out.append(v)
                    need -= 1
                    if not need:
                        return 0
        rest = [v for v in ids[:n] if busy[v - base] != day]
        take = self.rng.sample(rest, min(need, len(rest)))
        for v in take:
            busy[v - base] = day
        out.extend(take)
        return need - len(take)

    def write_records(self, n_records: int) -> None:
        rng = self.rng
        rand = rng.random
        plan = self._plan(n_records)
        self._insert(TeamMembership, self.membership_rows)
        self.counts["memberships"] = len(self.membership_rows)
        del self.membership_rows
        acts = self.acts
        order = sorted(plan)
        total = sum(len(plan[a][0]) for a in order)
        # Statuses: forced (first-this-year) records stay approved; pending ones are the latest
        # entries, still awaiting the office; void ones anywhere.
        forced_flag = bytearray(total)
        pos = 0
        for a in order:
            vols, n_forced = plan[a]
            forced_flag[pos:pos + n_forced] = b"\x01" * n_forced
            pos += len(vols)
        status = bytearray(total)  # 0 approved, 1 pending, 2 void
        n_pending, n_void = round(total * PENDING_SHARE), round(total * VOID_SHARE)
        tail = max(0, total - max(n_pending * 5 // 2, 1))
        candidates = [p for p in range(tail, total) if not forced_flag[p]]
        if len(candidates) < n_pending:
            candidates = [p for p in range(total) if not forced_flag[p]]
        for p in rng.sample(candidates, min(n_pending, len(candidates))):
            status[p] = 1
        candidates = [p for p in range(total) if not forced_flag[p] and not status[p]]
        for p in rng.sample(candidates, min(n_void, len(candidates))):
            status[p] = 2
        del candidates, forced_flag

        rid = self._next_ids(ServiceRecord)
        office = self.office_id
        writer = _RowWriter(self.conn, ServiceRecord.__table__, RECORD_COLUMNS)
        as_date, as_datetime = writer.date, writer.datetime
        reasons = data.VOID_REASONS
        counts = [0, 0, 0]
        batch = []
        pos = 0
        with writer:
            for a in order:
                vols, _ = plan[a]
                aid, t, day, span, cid, end, _status, _hc = acts[a]
                created_dt = self._utc(day, end, plus_hours=1 + rand() * 70)
                created = as_datetime(created_dt)
                approved = as_datetime(min(created_dt + timedelta(hours=2 + rand() * 230), self.now))
                service_date = as_date(date.fromordinal(day))
                team_id, leader = self.teams[t]["id"], self.team_leader_uid[t]
                opts = list(range(30, span + 1, 30)) or [span]
                n_opts = len(opts)
                for v in vols:
                    minutes = span if rand() < FULL_SPAN_SHARE else opts[int(rand() * n_opts)]
                    st = status[pos]
                    if not st:
                        row = (rid, aid, v, team_id, cid, service_date, minutes, "approved", None, "seed", leader,
                               created, office, approved, None, None, None, 1)
                    elif st == 1:
                        row = (rid, aid, v, team_id, cid, service_date, minutes, "pending", None, "seed", leader,
                               created, None, None, None, None, None, 1)
                    else:
                        voided = as_datetime(min(created_dt + timedelta(hours=4 + rand() * 400), self.now))
                        row = (rid, aid, v, team_id, cid, service_date, minutes, "void", None, "seed", leader,
                               created, None, None, reasons[int(rand() * len(reasons))], office, voided, 1)
                    counts[st] += 1
                    batch.append(row)
                    rid += 1
                    pos += 1
                if len(batch) >= BATCH:
                    writer.write(batch)
                    batch = []
            if batch:
                writer.write(batch)
        self.counts.update(records=total, approved=counts[0], pending=counts[1], void=counts[2])

    def write_signups(self) -> None:
        """A few sign-ups for the upcoming published activities, from the team's active members."""
        rng = self.rng
        members = [[] for _ in self.teams]
        for i, teams in enumerate(self.vol_teams):
            if not self.inactive[i]:
                for t in teams:
                    members[t].append(self.vol_ids[i])
        sid = self._next_ids(ActivitySignup)
        rows = []
        for aid, t, day, span, cid, end, status, headcount in self.acts:
            if status != "published" or not members[t]:
                continue
            n = min(len(members[t]), rng.randint(0, (headcount or 10) // 2))
            for vid in rng.sample(members[t], n):
                rows.append(dict(id=sid, activity_id=aid, volunteer_id=vid,
                                 created_at=self.now - timedelta(hours=1 + rng.random() * 200)))
                sid += 1
        self._insert(ActivitySignup, rows)
        self.counts["signups"] = len(rows)

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


class _RowWriter:
    """Writes many rows (tuples in `columns` order) into one table as fast as the database allows.

    SQLite: the driver's executemany with values already in SQLAlchemy's storage format (ISO
    text dates) and a larger page cache. PostgreSQL with psycopg: COPY. Anything else: a Core
    insert of dicts. All of it runs in the session's transaction.
    """

    SQLITE_CACHE_KIB = 262_144

    def __init__(self, conn, table, columns):
        self.conn, self.table, self.columns = conn, table, columns
        dialect = conn.dialect
        if dialect.name == "sqlite":
            self.mode = "sqlite"
            self.sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
                        f"VALUES ({', '.join('?' * len(columns))})")
        elif copy_supported(conn):
            self.mode = "copy"
        else:
            self.mode = "core"

    def __enter__(self):
        """Drop the table's secondary indexes (kept as their exact DDL) for the load; building
        them once afterwards is far cheaper than growing them row by row. The table is empty and
        all of this happens inside the transaction, so a failure rolls the indexes back too."""
        conn, name = self.conn, self.table.name
        if self.mode == "sqlite":
            self._cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
            conn.exec_driver_sql(f"PRAGMA cache_size=-{self.SQLITE_CACHE_KIB}")
            self._indexes = conn.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL"
            ), {"t": name}).all()
        elif self.mode == "copy":
            conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
            self._indexes = conn.execute(text(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = CAST(:t AS regclass) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)"
            ), {"t": name}).all()
        else:
            self._indexes = []
        # PostgreSQL checks foreign keys row by row with triggers (most of the load's time):
        # drop them too and add them back, which validates every row in one pass per key.
        self._foreign_keys = conn.execute(text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = CAST(:t AS regclass) AND contype = 'f'"
        ), {"t": name}).all() if self.mode == "copy" else []
        for fk_name, _ddl in self._foreign_keys:
            conn.exec_driver_sql(f'ALTER TABLE {name} DROP CONSTRAINT "{fk_name}"')
        for index_name, _ddl in self._indexes:
            conn.exec_driver_sql(f'DROP INDEX "{index_name}"')
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is not None:
            return False  # the caller rolls back, dropped indexes and keys included
        for _name, ddl in self._indexes:
            self.conn.exec_driver_sql(ddl)
        for fk_name, ddl in self._foreign_keys:
            self.conn.exec_driver_sql(f'ALTER TABLE {self.table.name} ADD CONSTRAINT "{fk_name}" {ddl}')
        if self.mode == "sqlite":
            self.conn.exec_driver_sql(f"PRAGMA cache_size={int(self._cache)}")
        return False

    def date(self, value: date):
        return f"{value:%Y-%m-%d}" if self.mode == "sqlite" else value

    def datetime(self, value: datetime):
        if self.mode == "sqlite":
            return f"{value:%Y-%m-%d %H:%M:%S}.{value.microsecond:06d}"
        return value

    def write(self, rows: list[tuple]) -> None:
        if self.mode == "sqlite":
            self.conn.exec_driver_sql(self.sql, rows)
        elif self.mode == "copy":
            copy_rows(self.conn, self.table.name, self.columns, rows)
        else:
            columns = self.columns
            self.conn.execute(insert(self.table), [dict(zip(columns, row)) for row in rows])
