"""The import page opens on 志愿者 (rosters are the usual upload), for the office and leaders."""
import re



def _selected(html):
    select = html[html.index('name="kind"'):html.index("</select>", html.index('name="kind"'))]
    return re.findall(r'<option selected value="(\w+)"|<option value="(\w+)" selected', select), select


def test_import_page_opens_on_volunteers(client, login_as):
    login_as("office")
    html = client.get("/imports/").get_data(as_text=True)
    found, select = _selected(html)
    assert [v for pair in found for v in pair if v] == ["volunteers"]
    assert select.index('value="volunteers"') < select.index('value="teams"')
    found, _ = _selected(client.get("/imports/?kind=hours").get_data(as_text=True))
    assert [v for pair in found for v in pair if v] == ["hours"]
