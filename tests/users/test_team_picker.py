"""The team picker for a leader account is a searchable checkbox list, not a Ctrl-click select,
and a refused form keeps the ticks."""
from volunteer.auth.models import User
from volunteer.extensions import db

from tests import factories as f


def test_new_leader_picks_teams_from_a_searchable_checkbox_list(client, login_as):
    teams = [f.make_team(name=f"第{i:02d}志愿服务队") for i in range(12)]
    db.session.commit()
    login_as("office")
    html = client.get("/users/new").get_data(as_text=True)
    assert "<select multiple" not in html and 'name="team_ids" type="checkbox"' in html
    assert 'data-filter-rows="#team_ids-options"' in html and "共 12 项" in html
    assert f'data-filter-text="{teams[3].name}"' in html

    refused = client.post("/users/new", data={"role": "leader", "username": "lead9", "password": "short",
                                              "confirm": "short", "team_ids": [str(teams[2].id), str(teams[5].id)]})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    ticked = {tag for tag in page.split("<input") if 'name="team_ids"' in tag and "checked" in tag.split(">")[0]}
    assert len(ticked) == 2 and all(f'value="{teams[i].id}"' in " ".join(ticked) for i in (2, 5))
    client.post("/users/new", data={"role": "leader", "username": "lead9", "password": "Leader-pass-9",
                                     "confirm": "Leader-pass-9", "team_ids": [str(teams[2].id), str(teams[5].id)]})
    user = db.session.scalars(db.select(User).where(User.username == "lead9")).one()
    assert {t.id for t in user.led_teams} == {teams[2].id, teams[5].id}
