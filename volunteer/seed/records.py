"""The demo's service records (who serves on each past activity, with what minutes and status)
and the sign-ups for the upcoming ones.

A stage of seed.builder.Builder (mixed in: it shares the builder's random stream and the
people and activities built before it, so a seed gives the same town as ever). Per-volunteer
weights are Pareto-like, a volunteer serves only on or after registering and never twice on
one day, and the designated inactive ones not at all this year; statuses about 90% approved,
8% pending (the latest entries), 2% void. Written in batches through volunteer.bulk into the
empty table, its indexes (and PostgreSQL's foreign keys) set aside for the load.
"""
from bisect import bisect_left, bisect_right
from datetime import date, timedelta
from itertools import accumulate

from ..activities.models import ActivitySignup
from ..bulk import insert_tuples, loading_empty_table
from ..hours.models import ServiceRecord
from ..teams.models import TeamMembership
from . import data

BATCH = 20_000
TEAM_SHARE = {"居委": 0.85, "职能部门": 0.7}  # of an activity's volunteers drawn from its team
FULL_SPAN_SHARE = 0.65         # records with the activity's whole span as minutes
PENDING_SHARE = 0.08
VOID_SHARE = 0.02

RECORD_COLUMNS = ("id", "activity_id", "volunteer_id", "team_id", "category_id", "service_date", "minutes",
                  "status", "note", "source", "created_by_id", "created_at", "approved_by_id", "approved_at",
                  "void_reason", "voided_by_id", "voided_at", "version")


class RecordStages:
    """The record stages of the builder: plan who serves where, write the records, then the sign-ups."""

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
        table = ServiceRecord.__table__
        reasons = data.VOID_REASONS
        counts = [0, 0, 0]
        batch = []
        pos = 0
        with loading_empty_table(table):
            for a in order:
                vols, _ = plan[a]
                aid, t, day, span, cid, end, _status, _hc = acts[a]
                created_dt = self._utc(day, end, plus_hours=1 + rand() * 70)
                created = created_dt
                approved = min(created_dt + timedelta(hours=2 + rand() * 230), self.now)
                service_date = date.fromordinal(day)
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
                        voided = min(created_dt + timedelta(hours=4 + rand() * 400), self.now)
                        row = (rid, aid, v, team_id, cid, service_date, minutes, "void", None, "seed", leader,
                               created, None, None, reasons[int(rand() * len(reasons))], office, voided, 1)
                    counts[st] += 1
                    batch.append(row)
                    rid += 1
                    pos += 1
                if len(batch) >= BATCH:
                    insert_tuples(table, RECORD_COLUMNS, batch)
                    batch = []
            if batch:
                insert_tuples(table, RECORD_COLUMNS, batch)
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
